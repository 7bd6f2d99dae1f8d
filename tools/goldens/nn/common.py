"""Fixture writer shared by the nn golden scripts: tensors go to one little-endian binary file,
their offsets, shapes and dtypes (and everything else) to a JSON index next to it."""
import json
import numpy as np
import torch


class Blob:
    def __init__(self):
        self.parts = []
        self.offset = 0

    def add(self, t):
        if t is None:
            return None
        t = t.detach().cpu().contiguous()
        if t.dtype in (torch.float32, torch.float64, torch.float16):
            a = t.to(torch.float32).numpy().astype('<f4')
            dt = 'float32'
        elif t.dtype == torch.bool:
            a = t.numpy().astype('u1')
            dt = 'bool'
        else:
            a = t.to(torch.int64).numpy().astype('<i8')
            dt = 'int64'
        # keep 8-byte alignment for int64 views
        pad = (-self.offset) % 8
        if pad:
            self.parts.append(b'\0' * pad)
            self.offset += pad
        ref = {'offset': self.offset, 'shape': list(t.shape), 'dtype': dt}
        b = a.tobytes()
        self.parts.append(b)
        self.offset += len(b)
        return ref

    def write(self, path_base, index):
        with open(path_base + '.bin', 'wb') as f:
            for p in self.parts:
                f.write(p)
        with open(path_base + '.json', 'w') as f:
            json.dump(index, f, indent=None, separators=(',', ':'))
        print(f'wrote {path_base}.json and .bin ({self.offset} bytes)')
