"""Goldens for packages/monai/test/utils/random_state.test.ts: numpy's legacy RandomState, 10,000 draws per
method and seed, stored as the SHA-256 of the exact little-endian bytes (float64 for real draws, int64 for
integer draws) plus the first and last values and the next uint32 after the draws (so over- or
under-consumption of the stream shows too). Any single-bit difference changes the hash.

Every method, the normal family included, is numpy's own output: RandomState takes its logs from the C
library as numpy does, so the draws are equal on the same machine.

Run: /usr/bin/python3 make_random_state.py  (writes random_state.json next to this script)
"""
import hashlib
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

SEEDS = [0, 1, 12345, 2**31 - 1, 2**32 - 1, [0], [1, 2, 3], [2**32 - 1, 0, 7, 99], list(range(1000, 1700))]
P6 = [0.1, 0.25, 0.05, 0.3, 0.0, 0.3]
P100 = list(np.linspace(1, 3, 100) / np.linspace(1, 3, 100).sum())

# each method: name, numpy call taking the RandomState, output kind, spec the TS test replays
METHODS = [
    ("randomSample", lambda r: r.random_sample(10000), "f8", {}),
    ("rand", lambda r: r.rand(100, 100), "f8", {"shape": [100, 100]}),
    ("randScalar", lambda r: np.array([r.rand() for _ in range(10000)]), "f8", {}),
    ("uniform", lambda r: r.uniform(-3.5, 7.25, 10000), "f8", {"low": -3.5, "high": 7.25}),
    ("randintSmall", lambda r: r.randint(0, 10, 10000), "i8", {"low": 0, "high": 10}),
    ("randintOffset", lambda r: r.randint(-5, 1000, 10000), "i8", {"low": -5, "high": 1000}),
    ("randint31", lambda r: r.randint(0, 2**31, 10000), "i8", {"low": 0, "high": 2**31}),
    ("randint32", lambda r: r.randint(0, 2**32, 10000), "i8", {"low": 0, "high": 2**32}),
    ("randintScalar", lambda r: np.array([r.randint(7, 2**20 + 3) for _ in range(10000)]), "i8", {"low": 7, "high": 2**20 + 3, "scalar": True}),
    ("randint40", lambda r: r.randint(0, 2**40 + 12345, 10000), "i8", {"low": 0, "high": 2**40 + 12345}),
    ("randint52", lambda r: r.randint(-2**50, 2**52, 10000), "i8", {"low": -2**50, "high": 2**52}),
    ("standardNormal", lambda r: r.standard_normal(10000), "f8", {}),
    ("standardNormalOdd", lambda r: np.concatenate([r.standard_normal(9999), [r.standard_normal()]]), "f8", {}),
    ("normal", lambda r: r.normal(1.5, 0.25, 10000), "f8", {"loc": 1.5, "scale": 0.25}),
    ("normalScalar", lambda r: np.array([r.normal(-2.0, 3.0) for _ in range(10000)]), "f8", {"loc": -2.0, "scale": 3.0, "scalar": True}),
    ("choice", lambda r: r.choice(50, 10000), "i8", {"a": 50, "size": 10000, "replace": True}),
    ("choiceP", lambda r: r.choice(6, 10000, p=P6), "i8", {"a": 6, "size": 10000, "replace": True, "p": P6}),
    ("choiceNoReplace", lambda r: r.choice(20000, 10000, replace=False), "i8", {"a": 20000, "size": 10000, "replace": False}),
    ("choiceNoReplaceP", lambda r: np.concatenate([r.choice(100, 50, replace=False, p=P100) for _ in range(200)]), "i8",
     {"a": 100, "size": 50, "replace": False, "p": P100, "repeat": 200}),
    ("choiceScalar", lambda r: np.array([r.choice(13) for _ in range(10000)]), "i8", {"a": 13, "scalar": True}),
    ("shuffle", lambda r: (lambda x: (r.shuffle(x), x)[1])(np.arange(10000)), "i8", {"n": 10000}),
    ("permutation", lambda r: r.permutation(10000), "i8", {"n": 10000}),
    ("permutationSmall", lambda r: np.concatenate([r.permutation(5) for _ in range(2000)]), "i8", {"n": 5, "repeat": 2000}),
    ("multinomial1", lambda r: r.multinomial(1, P6, 10000).ravel(), "i8", {"n": 1, "pvals": P6, "size": 10000}),
    ("multinomial100", lambda r: r.multinomial(100, [0.2, 0.3, 0.5, 0.0], 2500).ravel(), "i8", {"n": 100, "pvals": [0.2, 0.3, 0.5, 0.0], "size": 2500}),
    ("multinomialBtpe", lambda r: r.multinomial(100000, [0.15, 0.35, 0.5], 3334).ravel()[:10000], "i8",
     {"n": 100000, "pvals": [0.15, 0.35, 0.5], "size": 3334, "take": 10000}),
]


def main():
    cases = []
    for si, seed in enumerate(SEEDS):
        for name, fn, kind, spec in METHODS:
            r = np.random.RandomState(seed)
            v = np.asarray(fn(r)).ravel()
            v = v.astype("<f8" if kind == "f8" else "<i8")
            after = int(r.randint(0, 2**32, dtype=np.uint32))
            conv = float if kind == "f8" else int
            cases.append({
                "seed": si, "method": name, "count": int(v.size),
                "sha256": hashlib.sha256(v.tobytes()).hexdigest(),
                "first": [conv(x) for x in v[:3]], "last": [conv(x) for x in v[-3:]], "after": after,
            })
    with open(os.path.join(HERE, "random_state.json"), "w") as f:
        methods = {name: {"kind": kind, "spec": spec} for name, _, kind, spec in METHODS}
        json.dump({"numpy_version": np.__version__, "seeds": SEEDS, "methods": methods, "cases": cases}, f, separators=(",", ":"))


if __name__ == "__main__":
    main()
