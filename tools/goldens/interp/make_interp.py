"""Goldens for torch.ops.interp (native/interp.cc): np.interp on small cases, exact float64 values.
Cases: evenly spaced knots (bin centres as HistogramNormalize builds them), uneven knots, repeated knots,
a single knot, and x values below, above, on the knots and between them. And np.histogram counts (for
torch.ops.histogramCounts) of float32 values, some exactly on the edges and two outside them.
Run: /usr/bin/python3 tools/goldens/interp/make_interp.py  (writes interp.json next to this script)"""
import json
import os

import numpy as np

rs = np.random.RandomState(0)
cases = []


def add(name, x, xp, fp):
    x = np.asarray(x, dtype=np.float64)
    xp = np.asarray(xp, dtype=np.float64)
    fp = np.asarray(fp, dtype=np.float64)
    y = np.interp(x, xp, fp)
    cases.append({"name": name, "x": x.tolist(), "xp": xp.tolist(), "fp": fp.tolist(), "y": y.tolist()})


# HistogramNormalize-like: float32 edges from a float64 linspace, centres, a rescaled cumulative count
vals = (rs.rand(5000) * 1000).astype(np.float32)
hist, edges = np.histogram(vals, 64)
centres = (edges[:-1] + edges[1:]) / 2
cum = hist.cumsum().astype(np.float64)
cum = (cum - cum.min()) / (cum.max() - cum.min()) * 255
xs = np.concatenate([vals[:400].astype(np.float64), centres, [-1.0, 0.0, 1000.0, 2000.0, float(centres[0]), float(centres[-1])]])
add("histogram", xs, centres.astype(np.float64), cum)
uneven = np.sort(rs.rand(20) * 10)
add("uneven", np.concatenate([rs.rand(300) * 12 - 1, uneven]), uneven, rs.randn(20))
add("repeated", [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, -1.0, 4.0], [0.0, 1.0, 1.0, 2.0, 3.0], [0.0, 1.0, 5.0, 6.0, 7.0])
add("single", [-1.0, 2.0, 2.0, 3.0], [2.0], [7.5])
add("tiny_steps", np.linspace(1.0, 1.0 + 1e-12, 50), np.linspace(1.0, 1.0 + 1e-12, 7), rs.rand(7))
# np.histogram counts: float32 values (some exactly on edges, some outside) against numpy's own edges
hists = []
for bins in (5, 64, 256):
    v = (rs.randn(3000) * 100).astype(np.float32)
    counts, e = np.histogram(v, bins)
    probe = np.concatenate([v, e.astype(np.float32), np.float32([e[0] - 1, e[-1] + 1])])
    keep = (probe >= e[0]) & (probe <= e[-1])
    pc = np.histogram(probe[keep], e)[0]
    hists.append({"bins": bins, "values": probe.astype(np.float64).tolist(), "edges": e.astype(np.float64).tolist(), "counts": pc.tolist()})
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "interp.json"), "w") as f:
    json.dump({"numpy_version": np.__version__, "cases": cases, "histograms": hists}, f, separators=(",", ":"))
