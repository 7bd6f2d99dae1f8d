"""Goldens for CSVIterableDataset (MONAI 1.4 with pandas 1.5): CSV files written here (also saved in the
golden, so the test writes the same bytes) and the records MONAI yields: one file; three files joined per
chunk (chunksize 2); colNames/colTypes/colGroups with missing values; shuffle with a seed (two iterations,
reset between; bufferSize 3). NaN is stored as the string "NaN".
Run: PYTHONPATH=/work/pysrc/monai /usr/bin/python3 tools/goldens/data/make_csv_iterable.py"""
import json
import math
import os
import tempfile

import numpy as np
from monai.data import CSVIterableDataset

FILES = {
    "a.csv": "subject_id,label,image,ehr_0,ehr_1,ehr_2\n"
    "s000000,5,./imgs/s000000.png,2.007843256,2.29019618,2.054902077\n"
    "s000001,0,./imgs/s000001.png,6.839215755,,5.862744808\n"
    "s000002,4,./imgs/s000002.png,3.772548914,4.211764812,4.635294437\n"
    "s000003,,\"./imgs/s,3.png\",3.333333254,3.235294342,3.400000095\n"
    "s000004,9,./imgs/s000004.png,6.427451134,6.254901886,5.976470947\n",
    "b.csv": "subject_id,ehr_3,ehr_4\n"
    "s000001,5.192157269,5.274509907\n"
    "s000000,3.019608021,3.807843208\n"
    "s000002,5.298039436,9.545097351\n"
    "s000003,3.164705753,NA\n"
    "s000004,6.26274538,7.717647076\n",
    "c.csv": "subject_id,meta_0,meta_1\n"
    "s000000,TRUE,TRUE\n"
    "s000001,FALSE,TRUE\n"
    "s000002,TRUE,FALSE\n"
    "s000003,FALSE,\n"
    "s000004,FALSE,TRUE\n",
}


def clean(v):
    if isinstance(v, (np.ndarray, list, tuple)):
        return [clean(x) for x in v]
    if isinstance(v, (np.bool_, bool)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return "NaN" if math.isnan(v) else float(v)
    return v


def records(ds):
    return [{k: clean(v) for k, v in r.items()} for r in ds]


with tempfile.TemporaryDirectory() as d:
    for name, text in FILES.items():
        with open(os.path.join(d, name), "w") as f:
            f.write(text)
    a, b, c = (os.path.join(d, n) for n in ("a.csv", "b.csv", "c.csv"))
    out = {"files": FILES, "cases": {}}
    out["cases"]["single"] = records(CSVIterableDataset(a))
    out["cases"]["joined_chunk2"] = records(CSVIterableDataset([a, b, c], chunksize=2))
    out["cases"]["joined_chunk10"] = records(CSVIterableDataset([a, b, c], chunksize=10))
    out["cases"]["types_groups"] = records(
        CSVIterableDataset(
            [a, b],
            chunksize=10,
            col_names=["subject_id", "label", "ehr_1", "ehr_4"],
            col_types={"label": {"type": int, "default": -1}, "ehr_1": {"type": float, "default": 0.5}, "subject_id": {"type": str}, "ehr_4": {"default": 7.0}},
            col_groups={"ehr": ["ehr_0", "ehr_1", "ehr_2"], "lab": ["label", "ehr_3"]},
        )
    )
    # MONAI 1.4 drops rows of a single file read in several chunks (df.loc[slice(n)] on each chunk's own
    # index labels); joined tables get a fresh index, so the shuffled cases use one chunk or a join
    for name, src, cs in [("shuffle_single", a, 10), ("shuffle_joined", [a, b, c], 2)]:
        ds = CSVIterableDataset(src, chunksize=cs, buffer_size=3, shuffle=True, seed=11)
        first = [r["subject_id"] for r in ds]
        ds.reset()
        second = [r["subject_id"] for r in ds]
        out["cases"][name] = {"chunksize": cs, "first": first, "second": second}

p = os.path.join(os.path.dirname(os.path.abspath(__file__)), "csv_iterable.json")
with open(p, "w") as f:
    json.dump(out, f)
print(p)
