"""Goldens for DecathlonDataset and MedNISTDataset splits (packages/monai/src/apps/datasets.ts) from MONAI 1.4:
MONAI's own classes with download=False and no transform, on folders generated here (empty image files:
only the file lists matter). The TS test regenerates the same folders.

Decathlon: task folder with dataset.json listing `n` training cases (imagesTr/case_XXX.nii.gz, labelsTr/...)
and 3 test images; golden = the training/validation image and label paths (relative to the root) and indices.
MedNIST: class folders A..D with counts; the file order inside a folder is the file system's (Python's
iterdir), so the golden names each item by (label, position in that folder's listing).

Run: PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/apps/make_decathlon.py
"""
import json
import os
import tempfile

from monai.apps import DecathlonDataset, MedNISTDataset


def make_task(root, n):
    d = os.path.join(root, "Task09_Spleen")
    os.makedirs(os.path.join(d, "imagesTr"))
    os.makedirs(os.path.join(d, "labelsTr"))
    os.makedirs(os.path.join(d, "imagesTs"))
    training = [{"image": f"./imagesTr/case_{i:03d}.nii.gz", "label": f"./labelsTr/case_{i:03d}.nii.gz"} for i in range(n)]
    test = [f"./imagesTs/case_{i:03d}.nii.gz" for i in range(3)]
    for t in training:
        for p in t.values():
            open(os.path.join(d, p), "wb").close()
    for p in test:
        open(os.path.join(d, p), "wb").close()
    meta = {"name": "Spleen", "description": "generated", "reference": "r", "licence": "l", "tensorImageSize": "3D",
            "modality": {"0": "CT"}, "labels": {"0": "background", "1": "spleen"}, "numTraining": n, "numTest": 3,
            "training": training, "test": test}
    with open(os.path.join(d, "dataset.json"), "w") as f:
        json.dump(meta, f)


def rel(root, items):
    return [{k: os.path.relpath(v, root) for k, v in it.items()} for it in items]


out = {"decathlon": [], "mednist": []}
for n in (7, 10, 13, 41):
    with tempfile.TemporaryDirectory() as root:
        make_task(root, n)
        for seed in (0, 1, 12345, 2**32 + 7):
            for val_frac in (0.2, 0.1, 0.33, 0.0):
                case = {"n": n, "seed": seed, "valFrac": val_frac}
                for section in ("training", "validation"):
                    ds = DecathlonDataset(root, "Task09_Spleen", section, transform=[], download=False, seed=seed,
                                          val_frac=val_frac, progress=False)
                    case[section] = rel(root, ds.data)
                    case[section + "Indices"] = [int(i) for i in ds.get_indices()]
                out["decathlon"].append(case)
        ds = DecathlonDataset(root, "Task09_Spleen", "test", transform=[], download=False, progress=False)
        out["decathlonTest"] = rel(root, ds.data)
        out["properties"] = ds.get_properties()

for counts in ((3, 5, 2, 4), (10, 1, 7, 6)):
    with tempfile.TemporaryDirectory() as root:
        base = os.path.join(root, "MedNIST")
        names = "ABCD"
        for c, k in zip(names, counts):
            os.makedirs(os.path.join(base, c))
            for j in range(k):
                open(os.path.join(base, c, f"{c.lower()}{j:04d}.jpeg"), "wb").close()
        listing = {c: [p.name for p in __import__("pathlib").Path(base, c).iterdir()] for c in names}
        for seed in (0, 3, 98765):
            for val_frac, test_frac in ((0.1, 0.1), (0.2, 0.3), (0.0, 0.5)):
                case = {"counts": list(counts), "seed": seed, "valFrac": val_frac, "testFrac": test_frac}
                for section in ("training", "validation", "test"):
                    ds = MedNISTDataset(root, section, transform=[], download=False, seed=seed, val_frac=val_frac,
                                        test_frac=test_frac, progress=False)
                    case[section] = [[it["label"], listing[it["class_name"]].index(os.path.basename(it["image"]))]
                                     for it in ds.data]
                    assert all(it["class_name"] == names[it["label"]] for it in ds.data)
                out["mednist"].append(case)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "decathlon.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(len(out["decathlon"]), "decathlon cases,", len(out["mednist"]), "mednist cases")
