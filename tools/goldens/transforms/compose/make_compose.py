"""Goldens for packages/monai/test/transforms/compose.test.ts: the seeds MONAI 1.4's Compose hands its random
children, and the children OneOf / SomeOf / RandomOrder pick over successive calls for several seeds.

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 make_compose.py
Writes compose.json next to this script.
"""
import json
import os

import numpy as np
import monai
from monai.transforms import Compose, OneOf, RandomOrder, SomeOf, Randomizable
from monai.utils import set_determinism

HERE = os.path.dirname(os.path.abspath(__file__))


class Probe(Randomizable):
    """A random child recording the seeds it is given and appending its name to data['trace']."""

    def __init__(self, name):
        self.name = name
        self.seeds = []

    def set_random_state(self, seed=None, state=None):
        self.seeds.append(int(seed) if seed is not None else None)
        return super().set_random_state(seed, state)

    def randomize(self, data=None):
        pass

    def __call__(self, data):
        return {"trace": data["trace"] + [self.name]}


class Plain:
    """A non-random child (skipped when seeding)."""

    def __init__(self, name):
        self.name = name

    def __call__(self, data):
        return {"trace": data["trace"] + [self.name]}


def seeds_case(det_seed):
    # det_seed: None -> set_determinism not called (use explicit set_random_state below instead)
    set_determinism(seed=det_seed)
    a, b, c, d, e = (Probe(n) for n in "abcde")
    inner = Compose([c, Plain("p"), d])
    outer = Compose([a, b, Plain("q"), inner, e])
    out = {
        "det_seed": det_seed,
        "final": {p.name: p.seeds[-1] for p in (a, b, c, d, e)},
        "history": {p.name: p.seeds for p in (a, b, c, d, e)},
        "outer_next": int(outer.R.randint(2**32, dtype="uint32")),
    }
    set_determinism(seed=None)
    return out


def explicit_seed_case(seed):
    a, b, c = (Probe(n) for n in "abc")
    comp = Compose([a, Compose([b]), c]).set_random_state(seed=seed)
    return {"seed": seed, "seeds": {p.name: p.seeds[-1] for p in (a, b, c)}}


def run_calls(t, calls):
    return [t({"trace": []})["trace"] for _ in range(calls)]


def choice_cases():
    cases = []
    names = list("abcdef")
    for seed in (0, 1, 42, 2**31 - 1, 2**32 - 1):
        for weights in (None, [1, 2, 3, 0, 4, 0.5], [0, 0, 1, 0, 0, 0], [0.1] * 6):
            t = OneOf([Probe(n) for n in names], weights=weights).set_random_state(seed=seed)
            cases.append({"kind": "OneOf", "seed": seed, "options": {"weights": weights}, "calls": run_calls(t, 12)})
        t = RandomOrder([Probe(n) for n in names]).set_random_state(seed=seed)
        cases.append({"kind": "RandomOrder", "seed": seed, "options": {}, "calls": run_calls(t, 8)})
        for num, replace, weights in ((None, False, None), (3, False, None), ((0, 6), False, None), ((1, 4), True, None),
                                      (3, False, [1, 2, 3, 0, 4, 0.5]), ((2, 5), True, [1, 2, 3, 0, 4, 0.5]),
                                      (2, True, None), (10, False, None)):
            t = SomeOf([Probe(n) for n in names], num_transforms=num, replace=replace, weights=weights).set_random_state(seed=seed)
            cases.append({"kind": "SomeOf", "seed": seed,
                          "options": {"numTransforms": list(num) if isinstance(num, tuple) else num, "replace": replace, "weights": weights},
                          "calls": run_calls(t, 10)})
    # nested OneOf flattening: weights multiply through
    inner = OneOf([Probe("c"), Probe("d")], weights=[1, 3])
    outer = OneOf([Probe("a"), inner, Probe("b")], weights=[2, 1, 1])
    flat = outer.flatten()
    return cases, {"weights": [float(w) for w in flat.weights], "outer_weights": [float(w) for w in outer.weights]}


def main():
    cases, flat = choice_cases()
    out = {
        "monai_version": monai.__version__,
        "numpy_version": np.__version__,
        "determinism": [seeds_case(s) for s in (0, 2**31 - 1, 2**32 - 1, 2**32 + 5)],
        "explicit": [explicit_seed_case(s) for s in (0, 1, 7, 2**31 - 1, 2**32 - 1)],
        "choices": cases,
        "oneof_flatten": flat,
    }
    with open(os.path.join(HERE, "compose.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
