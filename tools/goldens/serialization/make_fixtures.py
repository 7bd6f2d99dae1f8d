#!/usr/bin/env python3
"""Make the serialization fixtures in packages/torch/test/fixtures/serialization/.

Run with Debian's Python (torch 1.13, numpy): /usr/bin/python3 tools/goldens/serialization/make_fixtures.py

Writes
  state_dict.pt          torch.save of an OrderedDict of tensors (zip format), every dtype the
                         binding has, a 0-dim tensor, non-contiguous views sharing storage with
                         other entries (transpose, strided slice with a storage offset), an empty one.
  checkpoint.pt          a nested checkpoint: a real nn state dict (with _metadata), an SGD optimizer
                         state dict (int keys), plain values (ints incl. 2**70, floats incl. nan/inf,
                         str, None, bools, bytes, set), nested dict/list/tuple, tensors inside lists.
  checkpoint_legacy.pt   the same object with _use_new_zipfile_serialization=False (legacy format).
  state_dict_p4.pt       state_dict.pt's content written with pickle_protocol=4.
  numpy_meta.pt          numpy arrays (C/Fortran order, big-endian, bool, f16), numpy scalars and a
                         MetaTensor-like tensor subclass with a meta dict (stand-ins for MONAI's classes).
  plain.pkl              pickle.dump (not torch.save) of tensors: storages inside as _load_from_bytes.
  expected.json          canonical description of both objects (see canon() below).
  reference.safetensors  a safetensors file laid out exactly as the reference writer
                         (huggingface/safetensors `serialize`, Rust) does -- the safetensors Python
                         package is not available here, so the layout is written by hand:
                           * 8-byte little-endian u64 header length N,
                           * N bytes of compact JSON (serde_json style: no spaces, non-ASCII kept as
                             UTF-8), keys in this order: "__metadata__" first (if any; we sort its keys,
                             the Rust writer uses a HashMap so its order is unspecified), then the
                             tensors in data order; each tensor {"dtype","shape","data_offsets"} in
                             that field order,
                           * the JSON padded with spaces (0x20) to a multiple of 8 bytes,
                           * tensor data in the order: dtype descending by the reference `Dtype` enum
                             rank (BOOL < U8 < I8 < F8_E5M2 < F8_E4M3 < I16 < U16 < F16 < BF16 < I32 <
                             U32 < F32 < F64 < I64 < U64), then by name ascending, packed back to back
                             from offset 0 (row-major, little-endian).
  safetensors_expected.json  names, dtypes, shapes, values of reference.safetensors.
"""
import collections
import json
import math
import os
import struct
import sys

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..',
                   'packages', 'torch', 'test', 'fixtures', 'serialization')
OUT = os.path.normpath(OUT)
os.makedirs(OUT, exist_ok=True)

DTYPE_NAME = {
    torch.float32: 'float32', torch.float64: 'float64', torch.float16: 'float16',
    torch.bfloat16: 'bfloat16', torch.uint8: 'uint8', torch.int8: 'int8', torch.int16: 'int16',
    torch.int32: 'int32', torch.int64: 'int64', torch.bool: 'bool',
}


def tensor_values(t):
    """Row-major element values: floats as numbers, f16/bf16 as raw bits, int64 as strings."""
    c = t.detach().contiguous().reshape(-1)
    if t.dtype in (torch.float16, torch.bfloat16):
        return [int(x) & 0xFFFF for x in c.view(torch.int16).tolist()]
    if t.dtype == torch.int64:
        return [str(int(x)) for x in c.tolist()]
    if t.dtype == torch.bool:
        return [1 if x else 0 for x in c.tolist()]
    if t.dtype in (torch.float32, torch.float64):
        return [canon_float(x) for x in c.tolist()]
    return [int(x) for x in c.tolist()]


def canon_float(x):
    if math.isnan(x):
        return {'__float__': 'nan'}
    if math.isinf(x):
        return {'__float__': 'inf' if x > 0 else '-inf'}
    return x


class Canon:
    """Canonical JSON form of a loaded object; the TypeScript tests build the same form."""

    def __init__(self):
        self.storages = {}

    def __call__(self, v):
        if isinstance(v, torch.Tensor):
            ptr = v.storage().data_ptr()
            sid = self.storages.setdefault(ptr, len(self.storages))
            return {'__tensor__': {
                'dtype': DTYPE_NAME[v.dtype], 'shape': list(v.shape), 'stride': list(v.stride()),
                'offset': v.storage_offset(), 'storage': sid, 'values': tensor_values(v)}}
        if isinstance(v, bool) or v is None or isinstance(v, str):
            return v
        if isinstance(v, int):
            if abs(v) > 2 ** 53 - 1:
                return {'__bigint__': str(v)}
            return v
        if isinstance(v, float):
            return canon_float(v)
        if isinstance(v, bytes):
            return {'__bytes__': list(v)}
        if isinstance(v, tuple):
            return {'__tuple__': [self(x) for x in v]}
        if isinstance(v, list):
            return [self(x) for x in v]
        if isinstance(v, (set, frozenset)):
            return {'__set__': sorted(self(x) for x in v)}
        if isinstance(v, dict):
            if all(isinstance(k, str) for k in v):
                return {'__dict__': [[k, self(x)] for k, x in v.items()]}
            return {'__map__': [[self(k), self(x)] for k, x in v.items()]}
        raise TypeError(type(v))


def numpy_expected(nm):
    import numpy as np
    out = {}
    for k in ('f64', 'fortran', 'big_endian', 'u8', 'b', 'f16'):
        t = torch.from_numpy(np.ascontiguousarray(nm[k]).astype(nm[k].dtype.newbyteorder('=')))
        out[k] = Canon()(t)
    out['scalars'] = [x.item() if not isinstance(x, np.float16) else float(x) for x in nm['scalars']]
    out['scalars'] = [str(x) if isinstance(x, int) and not isinstance(x, bool) and abs(x) > 2 ** 53 else x for x in out['scalars']]
    img = nm['image']
    out['image'] = {'class': f'{type(img).__module__}.{type(img).__name__}', 'tensor': Canon()(img.as_subclass(torch.Tensor)),
                    'affine': Canon()(img._meta['affine']), 'original_affine': Canon()(torch.from_numpy(img._meta['original_affine'])),
                    'spatial_shape': Canon()(torch.from_numpy(img._meta['spatial_shape'])),
                    'space': str(img._meta['space'].value), 'filename_or_obj': img._meta['filename_or_obj'],
                    'state_keys': list(img.__dict__)}
    return out


def make_state_dict():
    g = torch.Generator().manual_seed(1234)
    sd = collections.OrderedDict()
    base = torch.randn(4, 6, generator=g)
    sd['f32'] = base
    sd['f32_t'] = base.t()                       # non-contiguous view, shares storage with f32
    sd['f32_slice'] = base[1:, ::2]              # storage offset 6, strides (6, 2)
    sd['f64'] = torch.randn(3, 2, generator=g, dtype=torch.float64)
    sd['f16'] = (torch.randn(5, generator=g) * 100).to(torch.float16)
    sd['bf16'] = (torch.randn(2, 3, generator=g) * 7).to(torch.bfloat16)
    sd['u8'] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    sd['i8'] = torch.tensor([-128, -1, 0, 1, 127], dtype=torch.int8)
    sd['i16'] = torch.tensor([[-32768, 32767], [12345, -2]], dtype=torch.int16)
    sd['i32'] = torch.arange(-3, 9, dtype=torch.int32).reshape(2, 2, 3)
    sd['i64'] = torch.tensor([-(2 ** 63), 2 ** 63 - 1, 2 ** 53 + 1, -7], dtype=torch.int64)
    sd['bool'] = torch.tensor([[True, False, True], [False, False, True]])
    sd['scalar'] = torch.tensor(2.5, dtype=torch.float32)          # 0-dim
    sd['scalar_i64'] = torch.tensor(42)                            # 0-dim int64
    sd['empty'] = torch.zeros(0, 3)
    sd['specials'] = torch.tensor([float('inf'), float('-inf'), float('nan'), -0.0, 1e-45])
    sd['expanded'] = torch.arange(3.0).expand(2, 3)                 # stride 0
    return sd


def make_checkpoint():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Linear(4, 2))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    x = torch.randn(5, 3)
    net(x).sum().backward()
    opt.step()
    shared = torch.arange(10, dtype=torch.float64)
    ckpt = {
        'epoch': 7,
        'model': net.state_dict(),
        'optimizer': opt.state_dict(),
        'extra': {
            'name': 'unet', 'unicode': 'h\u00e9llo \u2713 \U0001F600', 'none': None, 'flag': True, 'off': False,
            'big': 2 ** 70, 'neg_big': -(2 ** 64) - 5, 'neg': -123456789012, 'small_neg': -3,
            'pi': 3.14159, 'nan': float('nan'), 'inf': float('inf'), 'whole_float': 2.0,
            'tup': (1, 'two', 3.5), 'list': [1, [2, [3, None]]],
            'empty_list': [], 'empty_dict': {}, 'empty_tuple': (), 'one_tuple': (9,),
            'bytes': b'\x00\xffab', 'set': {3, 1, 2},
            'int_keys': {1: 'a', 2: 'b', -1: 'c'}, 'tuple_in_list': [(1, 2), (3, 4)],
            'many': list(range(1001)),
        },
        'tensors': [shared[2:5], (shared, torch.tensor(True)), {'view': shared.view(2, 5)[:, 1]}],
        'param': torch.nn.Parameter(torch.tensor([1.0, -1.0, 2.0])),
    }
    ckpt['param_view'] = ckpt['param'].data[1:]     # shares the parameter's storage, no grad
    return ckpt


def main():
    sd = make_state_dict()
    ckpt = make_checkpoint()
    torch.save(sd, os.path.join(OUT, 'state_dict.pt'))
    torch.save(ckpt, os.path.join(OUT, 'checkpoint.pt'))
    torch.save(ckpt, os.path.join(OUT, 'checkpoint_legacy.pt'), _use_new_zipfile_serialization=False)
    # A plain pickle (pickle.dumps, not torch.save): storages as torch.storage._load_from_bytes.
    import pickle
    with open(os.path.join(OUT, 'plain.pkl'), 'wb') as f:
        pickle.dump({'t': sd['f32_slice'], 'i': sd['i64'], 'n': 3}, f, protocol=2)
    # Pickle protocol 4 (FRAME, MEMOIZE, SHORT_BINUNICODE, STACK_GLOBAL, ...); same content as state_dict.pt.
    torch.save(sd, os.path.join(OUT, 'state_dict_p4.pt'), pickle_protocol=4)

    nm = make_numpy_meta()
    torch.save(nm, os.path.join(OUT, 'numpy_meta.pt'))

    # Sanity: what we describe is what torch reads back.
    sd2 = torch.load(os.path.join(OUT, 'state_dict.pt'))
    ck2 = torch.load(os.path.join(OUT, 'checkpoint.pt'))
    ck3 = torch.load(os.path.join(OUT, 'checkpoint_legacy.pt'))
    expected = {
        'state_dict': Canon()(sd2),
        'checkpoint': Canon()(ck2),
        'checkpoint_legacy': Canon()(ck3),
        'model_metadata': {k: dict(v) for k, v in ck2['model']._metadata.items()},
        'torch_version': torch.__version__,
        'numpy_meta': numpy_expected(torch.load(os.path.join(OUT, 'numpy_meta.pt'))),
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        json.dump(expected, f, sort_keys=False, allow_nan=False)
        f.write('\n')

    write_safetensors_reference()
    print('wrote fixtures to', OUT)


# ---------------------------------------------------------------- numpy values and MetaTensor

def fake_monai():
    """Stand-ins for monai.data.meta_tensor.MetaTensor and monai.utils.enums.SpaceKeys (MONAI is not
    installed here). They pickle exactly as MONAI's do: MetaTensor through Tensor.__reduce_ex__
    (_rebuild_from_type_v2 with the instance __dict__ as state), SpaceKeys as Enum(value)."""
    import enum
    import types
    for name in ('monai', 'monai.data', 'monai.data.meta_tensor', 'monai.utils', 'monai.utils.enums'):
        sys.modules.setdefault(name, types.ModuleType(name))

    class MetaTensor(torch.Tensor):
        pass
    MetaTensor.__module__ = 'monai.data.meta_tensor'
    MetaTensor.__qualname__ = 'MetaTensor'
    sys.modules['monai.data.meta_tensor'].MetaTensor = MetaTensor

    class SpaceKeys(str, enum.Enum):
        RAS = 'RAS'
        LPS = 'LPS'
    SpaceKeys.__module__ = 'monai.utils.enums'
    SpaceKeys.__qualname__ = 'SpaceKeys'
    sys.modules['monai.utils.enums'].SpaceKeys = SpaceKeys
    return MetaTensor, SpaceKeys


def make_numpy_meta():
    import numpy as np
    MetaTensor, SpaceKeys = fake_monai()
    img = torch.arange(24, dtype=torch.float32).reshape(1, 2, 3, 4).as_subclass(MetaTensor)
    affine = torch.diag(torch.tensor([2.0, 3.0, 4.0, 1.0], dtype=torch.float64))
    img.__dict__.update({
        '_meta': {'affine': affine, 'original_affine': np.diag([2.0, 3.0, 4.0, 1.0]),
                  'spatial_shape': np.array([2, 3, 4], dtype=np.int16), 'space': SpaceKeys.RAS,
                  'filename_or_obj': 'img.nii.gz', 'original_channel_dim': 'no_channel'},
        '_applied_operations': [], '_pending_operations': [], '_is_batch': False,
    })
    return {
        'f64': np.array([[1.5, -2.0, 3.25], [4.0, 5.0, 6.0]]),
        'fortran': np.asfortranarray(np.arange(6, dtype=np.int32).reshape(2, 3)),
        'big_endian': np.array([1.0, 2.0], dtype='>f4'),
        'u8': np.array([0, 255], dtype=np.uint8),
        'b': np.array([True, False]),
        'f16': np.array([0.5, -1.0], dtype=np.float16),
        'scalars': [np.float64(0.25), np.float32(1.5), np.int64(-3), np.int32(7), np.bool_(True), np.uint8(200),
                    np.float16(0.5), np.int64(2 ** 62)],
        'image': img,
    }
    # expected values are written by main() from this same object


# ---------------------------------------------------------------- safetensors, written by hand

ST_CODE = {torch.float16: 'F16', torch.bfloat16: 'BF16', torch.float32: 'F32', torch.float64: 'F64',
           torch.int8: 'I8', torch.int16: 'I16', torch.int32: 'I32', torch.int64: 'I64',
           torch.uint8: 'U8', torch.bool: 'BOOL'}
ST_RANK = ['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32',
           'F64', 'I64', 'U64']


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    arr = t.numpy()
    return arr.astype(arr.dtype.newbyteorder('<')).tobytes()


def st_serialize(tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-ST_RANK.index(ST_CODE[kv[1].dtype]), kv[0]))
    header = collections.OrderedDict()
    if metadata is not None:
        header['__metadata__'] = collections.OrderedDict(sorted(metadata.items()))
    offset = 0
    blobs = []
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = collections.OrderedDict(
            [('dtype', ST_CODE[t.dtype]), ('shape', list(t.shape)), ('data_offsets', [offset, offset + len(b)])])
        offset += len(b)
        blobs.append(b)
    hb = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    return struct.pack('<Q', len(hb)) + hb + b''.join(blobs)


def write_safetensors_reference():
    g = torch.Generator().manual_seed(99)
    tensors = {
        'weight.f32': torch.randn(3, 4, generator=g),
        'b.f64': torch.randn(2, generator=g, dtype=torch.float64),
        'a.f16': torch.randn(2, 2, generator=g).to(torch.float16),
        'bf': torch.randn(3, generator=g).to(torch.bfloat16),
        'i8': torch.tensor([-5, 0, 5], dtype=torch.int8),
        'i16': torch.tensor([-300, 300], dtype=torch.int16),
        'i32': torch.tensor([[1, -2], [3, -4]], dtype=torch.int32),
        'i64': torch.tensor([2 ** 40, -(2 ** 62)], dtype=torch.int64),
        'u8': torch.tensor([1, 2, 255], dtype=torch.uint8),
        'mask': torch.tensor([True, False, True]),
        'scalar': torch.tensor(1.5),
        'empty': torch.zeros(0, 2),
        'caf\u00e9': torch.tensor([7.0]),
    }
    meta = {'format': 'pt', 'note': 'golden \u2713'}
    data = st_serialize(tensors, meta)
    with open(os.path.join(OUT, 'reference.safetensors'), 'wb') as f:
        f.write(data)
    exp = {'metadata': meta, 'tensors': {k: {'dtype': DTYPE_NAME[t.dtype], 'shape': list(t.shape),
                                             'values': tensor_values(t)} for k, t in tensors.items()}}
    with open(os.path.join(OUT, 'safetensors_expected.json'), 'w') as f:
        json.dump(exp, f, indent=1, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    sys.exit(main())
