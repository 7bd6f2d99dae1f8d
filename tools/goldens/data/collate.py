"""Goldens for list_data_collate / decollate_batch on MetaTensors, from MONAI 1.4 itself.
Run:  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/data/collate.py
writes packages/monai/test/fixtures/data/collate.json (read by packages/monai/test/data/collate.test.ts).
Tensors inside metadata (MONAI collates numbers and arrays with torch's default_collate) are stored
as nested lists, with their dtype, so the test can compare values and say where we differ."""
import json, os
import numpy as np
import torch
import monai
from monai.data import MetaTensor, list_data_collate, decollate_batch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'monai', 'test', 'fixtures', 'data', 'collate.json')


def plain(v):
    """A JSON form of a metadata value: tensors and arrays as {'tensor': nested list, 'dtype'}."""
    if isinstance(v, torch.Tensor):
        return {'tensor': v.tolist(), 'dtype': str(v.dtype).replace('torch.', ''), 'shape': list(v.shape)}
    if isinstance(v, np.ndarray):
        return {'tensor': v.tolist(), 'dtype': str(v.dtype), 'shape': list(v.shape)}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return v


def describe(t):
    return {'shape': list(t.shape), 'dtype': str(t.dtype).replace('torch.', ''), 'data': t.as_tensor().flatten().tolist(),
            'is_batch': bool(t.is_batch), 'affine': plain(t.affine), 'meta': {k: plain(v) for k, v in t.meta.items()},
            'applied_operations': plain(t.applied_operations)}


items = []
specs = []
for i in range(3):
    aff = torch.eye(4, dtype=torch.float64)
    aff[0, 0] = 1.5 + i
    aff[1, 2] = -0.125 * i
    aff[:3, 3] = torch.tensor([i, -2.0 * i, 0.25], dtype=torch.float64)
    data = torch.arange(12, dtype=torch.float32).reshape(1, 2, 3, 2) * (i + 1) - 3
    meta = {'filename_or_obj': f'/d/img{i}.nii.gz', 'spatial_shape': np.array([2, 3, 2]), 'original_channel_dim': 'no_channel',
            'scale': 0.5 * i, 'space': 'RAS'}
    items.append(MetaTensor(data, affine=aff, meta=meta))
    specs.append({'data': data.flatten().tolist(), 'shape': list(data.shape), 'affine': aff.flatten().tolist(),
                  'meta': plain(meta)})

batch = list_data_collate(items)
decollated = decollate_batch(batch)

dict_items = [{'image': x, 'label': x > 5, 'id': i} for i, x in enumerate(items)]
dbatch = list_data_collate(dict_items)
ddec = decollate_batch(dbatch)

golden = {
    'monai': monai.__version__, 'torch': torch.__version__,
    'items': specs,
    'batch': describe(batch),
    'decollated': [describe(x) for x in decollated],
    'dict_batch': {'keys': list(dbatch.keys()), 'image': describe(dbatch['image']), 'label': describe(dbatch['label']),
                   'id': plain(dbatch['id'])},
    'dict_decollated': [{'keys': list(d.keys()), 'image': describe(d['image']), 'label': describe(d['label']), 'id': d['id']}
                        for d in ddec],
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(golden, f, indent=1)
print('wrote', OUT)
