"""Golden values for the generic operator call: each case names an ATen operator overload, its
inputs and PyTorch 1.13's result. Run with Debian's Python torch:
    /usr/bin/python3 tools/goldens/torch/ops.py
writes packages/torch/test/fixtures/ops.json (read by packages/torch/test/ops_golden.test.ts).
Hand-written cases come first; ops_auto.py then adds a schema-made case for every other generated
operator it can (reading packages/torch/src/generated/tables.ts). Tensors are stored as base64
little-endian bytes ({'t': {dtype, shape, b64}}), so values, NaNs and infinities travel exactly.
The output is deterministic: regenerating without changes gives the same file."""
import base64, json, math, os, re, sys
import numpy as np
import torch

torch.set_num_threads(1)
rs = np.random.RandomState(1234)
OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'ops.json')

DT = {'float32': torch.float32, 'float64': torch.float64, 'int64': torch.int64, 'int32': torch.int32,
      'bool': torch.bool, 'uint8': torch.uint8, 'int16': torch.int16, 'int8': torch.int8,
      'float16': torch.float16, 'bfloat16': torch.bfloat16, 'complex64': torch.complex64, 'complex128': torch.complex128}
NAME = {v: k for k, v in DT.items()}
SCALAR_TYPE = {0: 'uint8', 1: 'int8', 2: 'int16', 3: 'int32', 4: 'int64', 5: 'float16', 6: 'float32', 7: 'float64',
               9: 'complex64', 10: 'complex128', 11: 'bool', 15: 'bfloat16'}

def R(*shape, lo=-2.0, hi=2.0, dtype='float32'):
    return torch.tensor(rs.uniform(lo, hi, size=shape), dtype=DT[dtype])
def P(*shape, dtype='float32'):  # strictly positive
    return R(*shape, lo=0.1, hi=3.0, dtype=dtype)
def U(*shape, dtype='float32'):  # in (-1, 1)
    return R(*shape, lo=-0.95, hi=0.95, dtype=dtype)
def I(*shape, lo=0, hi=10, dtype='int64'):
    return torch.tensor(rs.randint(lo, hi, size=shape), dtype=DT[dtype])
def B(*shape):
    return torch.tensor(rs.rand(*shape) > 0.5)
def V(x, dtype='float32'):
    return torch.tensor(x, dtype=DT[dtype])

def num(v):
    if isinstance(v, bool): return v
    if isinstance(v, int): return v
    if math.isnan(v): return 'nan'
    if math.isinf(v): return 'inf' if v > 0 else '-inf'
    return v

def tensor_bytes(t):
    """Raw little-endian bytes, base64: float16/bfloat16 as their 2-byte patterns, bool as uint8,
    complex as interleaved real/imaginary."""
    t = t.detach().resolve_conj().resolve_neg().contiguous()
    if t.is_complex():
        t = torch.view_as_real(t).contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.view(torch.int16)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    return base64.b64encode(t.numpy().tobytes()).decode('ascii')

def enc(x, meta_only=False):
    if isinstance(x, torch.Tensor):
        e = {'dtype': NAME[x.dtype], 'shape': list(x.shape)}
        if not meta_only:
            e['b64'] = tensor_bytes(x)
        return {'t': e}
    if isinstance(x, (list, tuple)):
        key = 'list' if isinstance(x, list) else 'tuple'
        return {key: [enc(v, meta_only) for v in x]}
    if isinstance(x, torch.dtype):
        return {'dtype': NAME[x]}
    if isinstance(x, float):
        return {'f': num(x)}
    return x

cases = []
def C(op, overload, args, kwargs=None, seed=None, id=None, tol=None, meta_only=False):
    kwargs = kwargs or {}
    try:
        fn = getattr(getattr(torch.ops.aten, op), overload or 'default')
    except Exception as e:
        print('FAILED', op, overload, str(e).splitlines()[0])
        return
    cargs = [a.clone() if isinstance(a, torch.Tensor) else ([b.clone() if isinstance(b, torch.Tensor) else b for b in a] if isinstance(a, list) else a) for a in args]
    if seed is not None:
        torch.manual_seed(seed)
    try:
        out = fn(*cargs, **kwargs)
    except Exception as e:
        print('FAILED', op, overload, str(e).splitlines()[0])
        return
    case = {'id': id or f'{op}.{overload}#{len(cases)}', 'op': op, 'overload': overload, 'args': [enc(a) for a in args],
            'kwargs': {k: enc(v) for k, v in kwargs.items()}, 'out': enc(out, meta_only)}
    if meta_only: case['check'] = 'meta'
    if str(fn._schema).endswith('-> ScalarType'):
        case['out'] = {'dtype': SCALAR_TYPE[out]}  # the dispatcher returns ScalarType as its enum number
    if out is None and cargs and isinstance(cargs[0], (torch.Tensor, list)):
        case['after'] = enc(cargs[0])  # an op that returns nothing writes into its first argument
    if seed is not None: case['seed'] = seed
    if tol is not None: case['tol'] = tol
    cases.append(case)

# ---- unary elementwise (float)
for op in ['abs', 'ceil', 'cos', 'cosh', 'deg2rad', 'erf', 'erfc', 'exp', 'exp2', 'expm1', 'floor', 'frac', 'neg', 'rad2deg',
           'round', 'sigmoid', 'sign', 'sgn', 'sin', 'sinc', 'sinh', 'square', 'tan', 'tanh', 'trunc', 'relu', 'gelu', 'silu',
           'mish', 'hardsigmoid', 'hardswish', 'selu', 'celu', 'positive', 'atan', 'asinh', 'log_sigmoid', 'signbit',
           'isnan', 'isinf', 'isfinite', 'isneginf', 'isposinf', 'logical_not', 'special_erfcx', 'special_ndtr',
           'special_log_ndtr', 'special_i0e', 'special_i1', 'special_i1e', 'special_expit', 'i0', 'nan_to_num', 'fix',
           'special_bessel_j0', 'special_bessel_j1', 'special_spherical_bessel_j0', 'angle', 'conj_physical', 'softplus',
           'hardtanh', 'elu', 'leaky_relu', 'relu6', 'hardshrink', 'softshrink', 'negative', 'sigmoid_', 'exp_', 'abs_', 'neg_',
           'sin_', 'tanh_', 'floor_', 'relu_', 'clamp_min_' if False else 'ceil_']:
    C(op, 'default', [R(3, 4)])
for op in ['log', 'log10', 'log1p', 'log2', 'sqrt', 'rsqrt', 'reciprocal', 'lgamma', 'digamma', 'acosh', 'special_entr',
           'log_', 'sqrt_', 'rsqrt_', 'reciprocal_']:
    C(op, 'default', [P(3, 4) + (1.0 if op == 'acosh' else 0.0)])
for op in ['acos', 'asin', 'atanh', 'erfinv', 'logit', 'special_ndtri' if False else 'arcsin', 'arccos', 'arctanh']:
    C(op, 'default', [U(3, 4)])
C('special_ndtri', 'default', [R(3, 4, lo=0.05, hi=0.95)])
C('polygamma', 'default', [1, P(3, 4)])
C('mvlgamma', 'default', [P(3, 4) + 2.0, 2])
C('logit', 'default', [U(2, 5).abs()], {'eps': 1e-6})
C('nan_to_num', 'default', [V([float('nan'), float('inf'), -float('inf'), 1.5])], {'nan': 0.5, 'posinf': 9.0, 'neginf': -9.0})
C('round', 'decimals', [R(3, 4)], {'decimals': 2})
C('bitwise_not', 'default', [I(3, 4, lo=-50, hi=50)])
C('abs', 'default', [I(3, 4, lo=-9, hi=9)], id='abs.int')
C('neg', 'default', [I(2, 3, lo=-9, hi=9, dtype='int32')], id='neg.int32')
C('sqrt', 'default', [P(4, dtype='float64')], id='sqrt.float64')
C('mul', 'Tensor', [R(4, dtype='float16'), R(4, dtype='float16')], id='mul.float16', tol=1e-3)
C('sigmoid', 'default', [R(4, dtype='bfloat16')], id='sigmoid.bfloat16', tol=1e-2)
C('gelu', 'default', [R(3, 4)], {'approximate': 'tanh'}, id='gelu.tanh')

# ---- binary elementwise and comparisons
for op, ov in [('add', 'Tensor'), ('sub', 'Tensor'), ('mul', 'Tensor'), ('div', 'Tensor'), ('maximum', 'default'), ('minimum', 'default'),
               ('fmax', 'default'), ('fmin', 'default'), ('atan2', 'default'), ('hypot', 'default'), ('eq', 'Tensor'), ('ne', 'Tensor'),
               ('lt', 'Tensor'), ('le', 'Tensor'), ('gt', 'Tensor'), ('ge', 'Tensor'), ('logical_and', 'default'), ('logical_or', 'default'),
               ('logical_xor', 'default'), ('copysign', 'Tensor'), ('nextafter', 'default'), ('logaddexp', 'default'), ('logaddexp2', 'default'),
               ('heaviside', 'default'), ('xlogy', 'Tensor'), ('true_divide', 'Tensor'), ('fmod', 'Tensor'), ('remainder', 'Tensor'),
               ('floor_divide', 'default'), ('special_xlog1py', 'default'), ('add_', 'Tensor'), ('mul_', 'Tensor'), ('sub_', 'Tensor'),
               ('div_', 'Tensor'), ('greater', 'Tensor'), ('less', 'Tensor'), ('not_equal', 'Tensor'), ('multiply', 'Tensor'),
               ('subtract', 'Tensor'), ('divide', 'Tensor'), ('special_zeta', 'default')]:
    a, b = R(3, 4), R(3, 4)
    if op in ('xlogy', 'special_xlog1py', 'special_zeta'):
        a, b = P(3, 4) + 1.0, P(3, 4) + 1.0
    C(op, ov, [a, b])
C('add', 'Tensor', [R(3, 4), R(4)], {'alpha': 2}, id='add.broadcast.alpha')
C('add', 'Scalar', [R(3, 4), 2.5], id='add.Scalar')
C('mul', 'Scalar', [I(3, 4), 3], id='mul.Scalar.int')
C('div', 'Tensor_mode', [R(3, 4), R(3, 4)], {'rounding_mode': 'floor'})
C('div', 'Tensor_mode', [R(3, 4), R(3, 4)], {'rounding_mode': 'trunc'}, id='div.trunc')
C('pow', 'Tensor_Tensor', [P(3, 4), R(3, 4)])
C('pow', 'Tensor_Scalar', [R(3, 4), 3])
C('pow', 'Scalar', [2.0, R(3, 4)])
C('float_power', 'Tensor_Tensor', [P(3, 4), R(3, 4)])
C('lerp', 'Scalar', [R(3, 4), R(3, 4), 0.3])
C('lerp', 'Tensor', [R(3, 4), R(3, 4), R(3, 4, lo=0, hi=1)])
C('clamp', 'default', [R(3, 4)], {'min': -0.5, 'max': 0.7})
C('clamp', 'Tensor', [R(3, 4)], {'min': R(3, 4, lo=-1, hi=0), 'max': R(3, 4, lo=0, hi=1)})
C('clamp_min', 'default', [R(3, 4), 0.1])
C('clamp_max', 'default', [R(3, 4), 0.1])
C('clip', 'default', [R(3, 4)], {'min': -1.0, 'max': 1.0})
C('clamp_', 'default', [R(3, 4)], {'min': -0.5})
C('addcmul', 'default', [R(3, 4), R(3, 4), R(3, 4)], {'value': 0.5})
C('addcdiv', 'default', [R(3, 4), R(3, 4), P(3, 4)], {'value': -0.5})
C('where', 'self', [B(3, 4), R(3, 4), R(3, 4)])
C('where', 'ScalarOther', [B(3, 4), R(3, 4), 0.0])
C('bitwise_and', 'Tensor', [I(3, 4, hi=64), I(3, 4, hi=64)])
C('bitwise_or', 'Tensor', [I(3, 4, hi=64), I(3, 4, hi=64)])
C('bitwise_xor', 'Tensor', [I(3, 4, hi=64), I(3, 4, hi=64)])
C('bitwise_left_shift', 'Tensor', [I(3, 4, hi=64), I(3, 4, hi=4)])
C('bitwise_right_shift', 'Tensor', [I(3, 4, hi=64), I(3, 4, hi=4)])
C('gcd', 'default', [I(3, 4, lo=1, hi=100), I(3, 4, lo=1, hi=100)])
C('lcm', 'default', [I(3, 4, lo=1, hi=30), I(3, 4, lo=1, hi=30)])
C('ldexp', 'Tensor', [R(3, 4), I(3, 4, hi=5)])
C('igamma', 'default', [P(3, 4), P(3, 4)])
C('igammac', 'default', [P(3, 4), P(3, 4)])
C('isclose', 'default', [V([1.0, 2.0, 3.0]), V([1.0, 2.1, 3.0000001])])
C('allclose', 'default', [V([1.0, 2.0]), V([1.0, 2.0000001])])
C('equal', 'default', [V([1.0, 2.0]), V([1.0, 2.0])])
C('dist', 'default', [R(3, 4), R(3, 4)], {'p': 3})
C('masked_fill', 'Scalar', [R(3, 4), B(3, 4), -1.5])
C('masked_fill_', 'Scalar', [R(3, 4), B(3, 4), 2.5])

# ---- reductions
x = R(3, 4, 5)
for op, ov, kw in [('sum', 'default', {}), ('sum', 'dim_IntList', {'dim': [1], 'keepdim': True}), ('mean', 'default', {}),
                   ('mean', 'dim', {'dim': [0, 2]}), ('prod', 'default', {}), ('prod', 'dim_int', {'dim': 1}),
                   ('amax', 'default', {'dim': [1]}), ('amin', 'default', {'dim': [2]}), ('max', 'default', {}), ('min', 'default', {}),
                   ('max', 'dim', {'dim': 1}), ('min', 'dim', {'dim': 2, 'keepdim': True}), ('argmax', 'default', {'dim': 1}),
                   ('argmin', 'default', {}), ('std', 'correction', {'dim': [1], 'correction': 1}), ('var', 'correction', {'dim': [2], 'correction': 0}),
                   ('std_mean', 'correction', {'dim': [1], 'correction': None}), ('var_mean', 'correction', {'dim': None, 'correction': 2}), ('logsumexp', 'default', {'dim': [1]}),
                   ('norm', 'ScalarOpt_dim', {'p': 2, 'dim': [1]}), ('nansum', 'default', {}), ('nanmean', 'default', {}),
                   ('median', 'default', {}), ('median', 'dim', {'dim': 1}), ('nanmedian', 'default', {}), ('mode', 'default', {'dim': 0}),
                   ('kthvalue', 'default', {'k': 2, 'dim': 1}), ('topk', 'default', {'k': 2, 'dim': 2}), ('sort', 'default', {'dim': 1}),
                   ('argsort', 'default', {'dim': 2, 'descending': True}), ('cumsum', 'default', {'dim': 1}), ('cumprod', 'default', {'dim': 2}),
                   ('cummax', 'default', {'dim': 1}), ('cummin', 'default', {'dim': 2}), ('logcumsumexp', 'default', {'dim': 0}),
                   ('aminmax', 'default', {'dim': 1}), ('msort', 'default', {}), ('count_nonzero', 'dim_IntList', {'dim': [1]}),
                   ('linalg_vector_norm', 'default', {'ord': 3, 'dim': [2]}), ('diff', 'default', {'dim': 1}),
                   ('quantile', 'scalar', {'q': 0.3, 'dim': 1}), ('nanquantile', 'scalar', {'q': 0.7}),
                   ('histc', 'default', {'bins': 5, 'min': -2, 'max': 2}), ('renorm', 'default', {'p': 2, 'dim': 0, 'maxnorm': 1.0}),
                   ('std', 'default', {}), ('var', 'default', {}), ('mean', 'default', {'dtype': torch.float64})]:
    C(op, ov, [x.clone()], kw, id=f'{op}.{ov}.{"_".join(kw.keys())}')
C('all', 'default', [B(3, 4)])
C('any', 'dim', [B(3, 4), 1])
C('all', 'dim', [B(3, 4), 0], id='all.dim')
C('bincount', 'default', [I(20, hi=6)])
C('cross', 'default', [R(4, 3), R(4, 3)], {'dim': 1})
C('trace', 'default', [R(4, 4)])

# ---- shapes, views, indexing
y = R(2, 3, 4)
for op, ov, extra, kw in [('reshape', 'default', [[4, 6]], {}), ('view', 'default', [[6, 4]], {}), ('permute', 'default', [[2, 0, 1]], {}),
                          ('transpose', 'int', [0, 2], {}), ('flatten', 'using_ints', [], {'start_dim': 1}), ('squeeze', 'dim', [0], {}),
                          ('unsqueeze', 'default', [1], {}), ('expand', 'default', [[3, 2, 3, 4]], {}), ('repeat', 'default', [[2, 1, 2]], {}),
                          ('tile', 'default', [[2, 2]], {}), ('flip', 'default', [[0, 2]], {}), ('roll', 'default', [[1, -1]], {'dims': [1, 2]}),
                          ('rot90', 'default', [], {'k': 1, 'dims': [1, 2]}), ('narrow', 'default', [2, 1, 2], {}), ('select', 'int', [1, 2], {}),
                          ('slice', 'Tensor', [], {'dim': 2, 'start': 1, 'end': 4, 'step': 2}), ('split', 'Tensor', [2], {'dim': 2}),
                          ('split_with_sizes', 'default', [[1, 3]], {'dim': 2}), ('chunk', 'default', [2], {'dim': 2}), ('unbind', 'int', [], {'dim': 1}),
                          ('movedim', 'int', [0, 2], {}), ('swapaxes', 'default', [0, 1], {}), ('diagonal', 'default', [], {'dim1': 1, 'dim2': 2}),
                          ('tril', 'default', [], {'diagonal': 1}), ('triu', 'default', [], {}), ('contiguous', 'default', [], {}),
                          ('clone', 'default', [], {}), ('detach', 'default', [], {}), ('unfold', 'default', [2, 2, 1], {}),
                          ('unflatten', 'int', [2, [2, 2]], {}), ('repeat_interleave', 'self_int', [2], {'dim': 1}), ('t', 'default', [], {}) if False else ('fliplr', 'default', [], {}),
                          ('flipud', 'default', [], {}), ('hsplit', 'int', [3], {}), ('vsplit', 'int', [2], {}), ('tensor_split', 'sections', [2], {'dim': 1}),
                          ('broadcast_to', 'default', [[2, 2, 3, 4]], {}), ('atleast_3d', 'default', [], {}), ('ravel', 'default', [], {}),
                          ('moveaxis', 'int', [1, 0], {}), ('constant_pad_nd', 'default', [[1, 2, 0, 1]], {'value': 0.5}),
                          ('reflection_pad1d', 'default', [[2, 1]], {}), ('replication_pad1d', 'default', [[1, 2]], {}),
                          ('as_strided', 'default', [[2, 2], [1, 2]], {}), ('squeeze', 'default', [], {}), ('sum_to_size', 'default', [[1, 3, 1]], {})]:
    C(op, ov, [y.clone()] + extra, kw, id=f'{op}.{ov}#shape')
C('t', 'default', [R(3, 4)])
C('reflection_pad2d', 'default', [R(1, 2, 3, 4), [1, 1, 2, 0]])
C('replication_pad2d', 'default', [R(1, 2, 3, 4), [1, 1, 2, 0]])
C('reflection_pad3d', 'default', [R(1, 1, 3, 3, 4), [1, 1, 1, 0, 2, 1]])
C('replication_pad3d', 'default', [R(1, 1, 3, 3, 4), [1, 1, 1, 0, 2, 1]])
C('cat', 'default', [[R(2, 3), R(4, 3)]])
C('stack', 'default', [[R(2, 3), R(2, 3)]], {'dim': 1})
C('hstack', 'default', [[R(2, 3), R(2, 1)]])
C('vstack', 'default', [[R(2, 3), R(1, 3)]])
C('dstack', 'default', [[R(2, 3), R(2, 3)]])
C('column_stack', 'default', [[R(3), R(3, 2)]])
C('meshgrid', 'indexing', [[R(3), R(2)]], {'indexing': 'ij'})
C('broadcast_tensors', 'default', [[R(3, 1), R(1, 4)]])
C('block_diag', 'default', [[R(2, 2), R(1, 3)]])
C('cartesian_prod', 'default', [[V([1.0, 2.0]), V([3.0, 4.0, 5.0])]])
C('gather', 'default', [R(3, 4), 1, I(3, 2, hi=4)])
C('scatter', 'src', [R(3, 4), 1, I(3, 2, hi=4), R(3, 2)])
C('scatter', 'value', [R(3, 4), 1, V([[0], [2], [3]], 'int64'), 9.0])
C('scatter_add', 'default', [R(3, 4), 1, I(3, 5, hi=4), R(3, 5)])
C('scatter_reduce', 'two', [R(3, 4), 1, I(3, 5, hi=4), R(3, 5), 'amax'], {'include_self': False})
C('index_select', 'default', [R(4, 3), 0, V([3, 0, 0], 'int64')])
C('masked_select', 'default', [R(3, 4), B(3, 4)])
C('masked_scatter', 'default', [R(3, 4), B(3, 4), R(12)])
C('take', 'default', [R(3, 4), V([0, 5, 11], 'int64')])
C('take_along_dim', 'default', [R(3, 4), I(3, 2, hi=4)], {'dim': 1})
C('index_add', 'default', [R(4, 3), 0, V([0, 2, 2], 'int64'), R(3, 3)], {'alpha': 2})
C('index_copy', 'default', [R(4, 3), 0, V([3, 1], 'int64'), R(2, 3)])
C('index_fill', 'int_Scalar', [R(4, 3), 1, V([0, 2], 'int64'), -3.0])
C('index', 'Tensor', [R(4, 5), [V([0, 3], 'int64'), None]])
C('index', 'Tensor', [R(4, 5), [B(4, 5)]], id='index.mask')
C('index_put', 'default', [R(4, 5), [V([1, 2], 'int64'), V([0, 4], 'int64')], V([7.0, 8.0])])
C('index_put_', 'default', [R(4, 5), [V([1, 2], 'int64')], V([7.0])], {'accumulate': True})
C('nonzero', 'default', [B(3, 4)])
C('argwhere', 'default', [B(3, 4)])
C('diag', 'default', [R(4)])
C('diag_embed', 'default', [R(2, 3)])
C('diagflat', 'default', [R(3)])
C('kron', 'default', [R(2, 2), R(2, 3)])
C('tensordot', 'default', [R(3, 4, 5), R(4, 5, 2), [1, 2], [0, 1]])
C('einsum', 'default', ['bij,bjk->bik', [R(2, 3, 4), R(2, 4, 5)]])
C('im2col', 'default', [R(1, 2, 5, 5), [2, 2], [1, 1], [0, 0], [1, 1]])
C('col2im', 'default', [R(1, 8, 16), [5, 5], [2, 2], [1, 1], [0, 0], [1, 1]])
C('pixel_shuffle', 'default', [R(1, 8, 2, 3), 2])
C('pixel_unshuffle', 'default', [R(1, 2, 4, 6), 2])
C('channel_shuffle', 'default', [R(1, 6, 2, 2), 3])
C('unique_consecutive', 'default', [V([1, 1, 2, 2, 3, 1, 1], 'int64')], {'return_inverse': True, 'return_counts': True})
C('_unique2', 'default', [V([3, 1, 2, 3, 1], 'int64')], {'sorted': True, 'return_inverse': True, 'return_counts': True})
C('searchsorted', 'Tensor', [V([1.0, 3.0, 5.0, 7.0]), V([2.0, 6.0, 7.0])], {'right': True})
C('bucketize', 'Tensor', [V([2.0, 6.0, 7.0, 0.5]), V([1.0, 3.0, 5.0, 7.0])])
C('tril_indices', 'default', [4, 3], {'offset': 0})
C('triu_indices', 'default', [3, 4], {'offset': 1})
C('vander', 'default', [V([1.0, 2.0, 3.0])], {'N': 3})
C('trapezoid', 'x', [R(5), V([0.0, 1.0, 2.5, 3.0, 4.0])])
C('cumulative_trapezoid', 'x', [R(5), V([0.0, 1.0, 2.5, 3.0, 4.0])])

# ---- linear algebra
for op, ov, args in [('mm', 'default', [R(3, 4), R(4, 2)]), ('bmm', 'default', [R(2, 3, 4), R(2, 4, 5)]), ('matmul', 'default', [R(2, 3, 4), R(4, 2)]),
                     ('mv', 'default', [R(3, 4), R(4)]), ('dot', 'default', [R(4), R(4)]), ('vdot', 'default', [R(4), R(4)]),
                     ('outer', 'default', [R(3), R(4)]), ('inner', 'default', [R(2, 4), R(3, 4)]), ('addmm', 'default', [R(3, 2), R(3, 4), R(4, 2)]),
                     ('addmv', 'default', [R(3), R(3, 4), R(4)]), ('addbmm', 'default', [R(3, 5), R(2, 3, 4), R(2, 4, 5)]),
                     ('baddbmm', 'default', [R(2, 3, 5), R(2, 3, 4), R(2, 4, 5)]), ('addr', 'default', [R(3, 4), R(3), R(4)]),
                     ('linalg_det', 'default', [R(3, 3, dtype='float64')]), ('linalg_inv', 'default', [R(3, 3, dtype='float64') + 3 * torch.eye(3, dtype=torch.float64)]),
                     ('linalg_solve', 'default', [R(3, 3, dtype='float64') + 3 * torch.eye(3, dtype=torch.float64), R(3, 2, dtype='float64')]),
                     ('linalg_matrix_norm', 'default', [R(3, 3), 1]), ('linalg_slogdet', 'default', [R(3, 3, dtype='float64')]),
                     ('linalg_cross', 'default', [R(2, 3), R(2, 3)]), ('cdist', 'default', [R(3, 4), R(2, 4)]), ('pdist', 'default', [R(4, 3)]),
                     ('cosine_similarity', 'default', [R(3, 4), R(3, 4)]), ('pairwise_distance', 'default', [R(3, 4), R(3, 4)]),
                     ('linalg_matrix_power', 'default', [R(3, 3), 3]), ('matrix_exp', 'default', [R(3, 3, dtype='float64') * 0.3]),
                     ('chain_matmul', 'default', [[R(2, 3), R(3, 4), R(4, 2)]]), ('linalg_multi_dot', 'default', [[R(2, 3), R(3, 4), R(4, 2)]]),
                     ('logdet', 'default', [torch.eye(3, dtype=torch.float64) * 2 + 0.1]), ('frobenius_norm', 'dim', [R(3, 4), [1]])]:
    C(op, ov, args)
spd = (lambda a: a @ a.T + 3 * torch.eye(3, dtype=torch.float64))(R(3, 3, dtype='float64'))
C('linalg_cholesky', 'default', [spd])
C('linalg_eigh', 'default', [spd])
C('linalg_eigvalsh', 'default', [spd])
C('cholesky_solve', 'default', [R(3, 2, dtype='float64'), torch.linalg.cholesky(spd)])
C('linalg_pinv', 'default', [R(3, 4, dtype='float64'), 1e-15])
C('linalg_matrix_rank', 'default', [R(4, 3, dtype='float64'), 1e-10])
C('linalg_svdvals', 'default', [R(4, 3, dtype='float64')])
C('triangular_solve', 'default', [R(3, 2, dtype='float64'), torch.triu(R(3, 3, dtype='float64')) + 3 * torch.eye(3, dtype=torch.float64)])

# ---- neural network ops
C('conv1d', 'default', [R(2, 3, 8), R(4, 3, 3), R(4)], {'stride': [2], 'padding': [1]})
C('conv2d', 'default', [R(2, 3, 6, 7), R(4, 3, 3, 3), R(4)], {'padding': [1, 1], 'dilation': [1, 2]})
C('conv3d', 'default', [R(1, 2, 5, 6, 4), R(3, 2, 3, 3, 3), R(3)], {'stride': [1, 2, 1], 'padding': [1, 1, 1]})
C('conv2d', 'padding', [R(1, 4, 5, 5), R(4, 2, 3, 3)], {'padding': 'same', 'groups': 2})
C('conv_transpose1d', 'default', [R(1, 3, 5), R(3, 2, 3), R(2)], {'stride': [2]})
C('conv_transpose2d', 'input', [R(1, 3, 4, 5), R(3, 2, 3, 3), R(2)], {'stride': [2, 2], 'padding': [1, 1], 'output_padding': [1, 1]})
C('conv_transpose3d', 'input', [R(1, 2, 3, 3, 4), R(2, 3, 2, 2, 2)], {'stride': [2, 2, 2]})
C('convolution', 'default', [R(1, 2, 6, 6), R(3, 2, 3, 3), None, [1, 1], [0, 0], [1, 1], False, [0, 0], 1])
C('max_pool1d', 'default', [R(1, 2, 8), [2]])
C('max_pool2d', 'default', [R(1, 2, 6, 7), [3, 3]], {'stride': [2, 2], 'padding': [1, 1], 'ceil_mode': True})
C('max_pool3d', 'default', [R(1, 2, 4, 4, 6), [2, 2, 2]])
C('max_pool2d_with_indices', 'default', [R(1, 2, 6, 6), [2, 2]])
C('max_pool3d_with_indices', 'default', [R(1, 1, 4, 4, 4), [2, 2, 2]])
C('max_unpool2d', 'default', [R(1, 1, 2, 2), V([[[[0, 3], [9, 14]]]], 'int64'), [4, 4]])
C('avg_pool1d', 'default', [R(1, 2, 8), [3]], {'stride': [2], 'count_include_pad': False, 'padding': [1]})
C('avg_pool2d', 'default', [R(1, 2, 6, 6), [2, 2]], {'divisor_override': 3})
C('avg_pool3d', 'default', [R(1, 2, 4, 4, 4), [2, 2, 2]], {'ceil_mode': True})
C('adaptive_avg_pool1d', 'default', [R(1, 2, 7), [3]])
C('adaptive_avg_pool2d', 'default', [R(1, 2, 7, 5), [3, 2]])
C('adaptive_avg_pool3d', 'default', [R(1, 2, 5, 5, 5), [2, 3, 2]])
C('adaptive_max_pool1d', 'default', [R(1, 2, 7), [3]])
C('adaptive_max_pool2d', 'default', [R(1, 2, 7, 5), [3, 2]])
C('adaptive_max_pool3d', 'default', [R(1, 2, 5, 5, 5), [2, 3, 2]])
C('upsample_nearest1d', 'vec', [R(1, 2, 5), [9], None])
C('upsample_nearest2d', 'vec', [R(1, 2, 3, 4), None, [2.0, 1.5]])
C('upsample_nearest3d', 'vec', [R(1, 1, 2, 3, 2), [4, 5, 3], None])
C('upsample_linear1d', 'vec', [R(1, 2, 5), [8], False, None])
C('upsample_bilinear2d', 'vec', [R(1, 2, 3, 4), [6, 7], True, None])
C('upsample_bicubic2d', 'vec', [R(1, 2, 3, 4), [6, 7], False, None])
C('upsample_trilinear3d', 'vec', [R(1, 1, 2, 3, 2), [4, 5, 3], False, None])
C('_upsample_bilinear2d_aa', 'vec', [R(1, 2, 8, 8), [3, 5], False, None])
C('_upsample_nearest_exact2d', 'vec', [R(1, 2, 3, 4), [5, 7], None])
C('grid_sampler', 'default', [R(1, 2, 4, 5), U(1, 3, 3, 2), 0, 0, False])
C('grid_sampler_2d', 'default', [R(1, 2, 4, 5), U(1, 3, 3, 2) * 1.2, 1, 1, True])
C('grid_sampler_3d', 'default', [R(1, 2, 3, 4, 5), U(1, 2, 2, 2, 3), 0, 2, False])
C('affine_grid_generator', 'default', [R(2, 2, 3), [2, 1, 3, 4], False])
C('affine_grid_generator', 'default', [R(1, 3, 4), [1, 1, 2, 3, 4], True], id='affine_grid_generator.3d')
C('batch_norm', 'default', [R(2, 3, 4), R(3), R(3), R(3), P(3), False, 0.1, 1e-5, False])
C('batch_norm', 'default', [R(4, 3, 2, 2), R(3), R(3), R(3), P(3), True, 0.1, 1e-5, False], id='batch_norm.train')
C('native_batch_norm', 'default', [R(4, 3, 5), R(3), R(3), None, None, True, 0.1, 1e-5])
C('instance_norm', 'default', [R(2, 3, 4, 4), R(3), R(3), None, None, True, 0.1, 1e-5, False])
C('layer_norm', 'default', [R(2, 3, 4), [4], R(4), R(4)])
C('native_layer_norm', 'default', [R(2, 3, 4), [3, 4], R(3, 4), R(3, 4), 1e-5])
C('group_norm', 'default', [R(2, 4, 3, 3), 2, R(4), R(4)])
C('native_group_norm', 'default', [R(2, 4, 9), R(4), R(4), 2, 4, 9, 2, 1e-5])
C('softmax', 'int', [R(3, 4), 1])
C('log_softmax', 'int', [R(3, 4), 0])
C('_softmax', 'default', [R(3, 4), 1, False])
C('_log_softmax', 'default', [R(3, 4), 1, False])
C('softmax', 'int', [R(3, 4), 1], {'dtype': torch.float64}, id='softmax.dtype')
C('dropout', 'default', [R(3, 4), 0.5, False])
C('dropout', 'default', [R(4, 5), 0.5, True], seed=7, id='dropout.train')
C('feature_dropout', 'default', [R(2, 4, 3), 0.5, True], seed=3)
C('native_dropout', 'default', [R(4, 5), 0.3, True], seed=11)
C('alpha_dropout', 'default', [R(4, 5), 0.3, True], seed=5)
C('embedding', 'default', [R(6, 3), V([[0, 5], [2, 2]], 'int64')])
C('embedding_bag', 'padding_idx', [R(6, 3), V([0, 1, 2, 5, 4], 'int64'), V([0, 2], 'int64'), False, 1, False, None, False, None])
C('one_hot', 'default', [V([0, 2, 1, 3], 'int64')], {'num_classes': 5})
C('linear', 'default', [R(3, 4), R(2, 4), R(2)])
C('bilinear', 'default', [R(3, 4), R(3, 2), R(5, 4, 2), R(5)])
C('prelu', 'default', [R(2, 3, 4), R(3)])
C('glu', 'default', [R(3, 4)], {'dim': 1})
C('threshold', 'default', [R(3, 4), 0.1, -9.0])
C('rrelu', 'default', [R(3, 4)], {'training': False})
C('hardtanh', 'default', [R(3, 4) * 2], {'min_val': -0.5, 'max_val': 0.8}, id='hardtanh.range')
C('leaky_relu', 'default', [R(3, 4), 0.2], id='leaky_relu.slope')
C('elu', 'default', [R(3, 4)], {'alpha': 0.7, 'scale': 1.2, 'input_scale': 0.9}, id='elu.params')
C('softplus', 'default', [R(3, 4), 2, 1.5], id='softplus.params')
C('mse_loss', 'default', [R(3, 4), R(3, 4)])
C('mse_loss', 'default', [R(3, 4), R(3, 4), 0], id='mse_loss.none')
C('l1_loss', 'default', [R(3, 4), R(3, 4)])
C('smooth_l1_loss', 'default', [R(3, 4), R(3, 4)], {'beta': 0.5})
C('huber_loss', 'default', [R(3, 4), R(3, 4)], {'delta': 0.7})
C('binary_cross_entropy', 'default', [R(3, 4, lo=0.05, hi=0.95), R(3, 4, lo=0, hi=1)], {'weight': P(3, 4)})
C('binary_cross_entropy_with_logits', 'default', [R(3, 4), R(3, 4, lo=0, hi=1)], {'pos_weight': P(4)})
C('nll_loss', 'default', [torch.log_softmax(R(5, 4), 1), V([0, 3, 1, 1, 2], 'int64')], {'weight': P(4), 'ignore_index': 1})
C('nll_loss2d', 'default', [torch.log_softmax(R(2, 3, 2, 2), 1), I(2, 2, 2, hi=3)])
C('nll_loss_nd', 'default', [torch.log_softmax(R(2, 3, 2, 2, 2), 1), I(2, 2, 2, 2, hi=3)])
C('cross_entropy_loss', 'default', [R(5, 4), V([0, 3, 1, 1, 2], 'int64')], {'label_smoothing': 0.1})
C('cross_entropy_loss', 'default', [R(3, 4), torch.softmax(R(3, 4), 1)], id='cross_entropy_loss.probs')
C('kl_div', 'default', [torch.log_softmax(R(3, 4), 1), torch.softmax(R(3, 4), 1)], {'reduction': 2})
C('soft_margin_loss', 'default', [R(3, 4), torch.sign(R(3, 4))])
C('multi_margin_loss', 'default', [R(3, 4), V([0, 2, 3], 'int64')])
C('multilabel_margin_loss', 'default', [R(2, 4), V([[3, 0, -1, 1], [1, 2, 3, -1]], 'int64')])
C('margin_ranking_loss', 'default', [R(5), R(5), torch.sign(R(5))], {'margin': 0.2})
C('hinge_embedding_loss', 'default', [R(5), torch.sign(R(5))])
C('cosine_embedding_loss', 'default', [R(3, 4), R(3, 4), V([1.0, -1.0, 1.0])])
C('triplet_margin_loss', 'default', [R(3, 4), R(3, 4), R(3, 4)])
C('poisson_nll_loss', 'default', [R(3, 4), P(3, 4), True, False, 1e-8, 1])
C('ctc_loss', 'IntList', [torch.log_softmax(R(6, 2, 4), 2), I(2, 3, lo=1, hi=4), [6, 5], [3, 2]])

# ---- creation (deterministic ones are compared by value, random ones after the same seed)
C('zeros', 'default', [[2, 3]])
C('ones', 'default', [[2, 3]], {'dtype': torch.float64})
C('full', 'default', [[2, 2], 1.5])
C('arange', 'default', [5])
C('arange', 'start_step', [0.0, 1.0, 0.25])
C('linspace', 'default', [0.0, 1.0, 5])
C('logspace', 'default', [0.0, 2.0, 3])
C('eye', 'default', [3])
C('eye', 'm', [2, 3])
C('zeros_like', 'default', [R(2, 3)])
C('ones_like', 'default', [I(2, 3)])
C('full_like', 'default', [R(2, 3), 7.0])
C('scalar_tensor', 'default', [3.5])
C('hann_window', 'default', [6])
C('hamming_window', 'default', [5])
C('blackman_window', 'default', [5])
C('bartlett_window', 'default', [5])
C('kaiser_window', 'default', [6])
C('rand', 'default', [[3, 4]], seed=1)
C('randn', 'default', [[3, 5]], seed=2)
C('randn', 'default', [[40]], seed=2, id='randn.vectorized')
C('randint', 'low', [3, 10, [4, 4]], seed=3)
C('randperm', 'default', [10], seed=4)
C('rand_like', 'default', [R(2, 3)], seed=5)
C('randn_like', 'default', [R(2, 3)], seed=6)
C('bernoulli', 'default', [R(3, 4, lo=0, hi=1)], seed=8)
C('bernoulli', 'p', [R(3, 4), 0.3], seed=9)
C('multinomial', 'default', [P(2, 5), 3], seed=10)
C('normal', 'Tensor_Tensor', [R(3, 4), P(3, 4)], seed=12)
C('poisson', 'default', [P(3, 4) * 3], seed=13)
C('uniform_', 'default', [R(3, 4)], {'from': -1.0, 'to': 2.0}, seed=14)
C('normal_', 'default', [R(20)], {'mean': 1.0, 'std': 0.5}, seed=15)

# ---- misc, scalars and dtype conversions
C('_to_copy', 'default', [R(3, 4)], {'dtype': torch.float64})
C('_to_copy', 'default', [R(3, 4) * 100], {'dtype': torch.int32}, id='_to_copy.int32')
C('_to_copy', 'default', [R(3, 4)], {'dtype': torch.float16}, id='_to_copy.f16')
C('_to_copy', 'default', [R(3, 4)], {'dtype': torch.bfloat16}, id='_to_copy.bf16')
C('_to_copy', 'default', [I(3, 4, dtype='uint8')], {'dtype': torch.bool}, id='_to_copy.bool')
C('is_floating_point', 'default', [R(2)])
C('is_nonzero', 'default', [V([0.5])])
C('size', 'int', [R(3, 4), 1])
C('stride', 'int', [R(3, 4), 0])
C('_local_scalar_dense', 'default', [V([2.5])])
C('result_type', 'Tensor', [I(3), R(3)])
C('can_cast', 'default', [torch.float32, torch.int32])
C('promote_types', 'default', [torch.int32, torch.float16])
C('fill_', 'Scalar', [R(3, 4), 2.0])
C('zero_', 'default', [R(3, 4)])
C('copy_', 'default', [R(3, 4), R(4)])
C('lerp_', 'Scalar', [R(3, 4), R(3, 4), 0.5])
C('cumsum_', 'default', [R(3, 4), 1])
C('tril_', 'default', [R(3, 4)])
C('fmod', 'Scalar', [R(3, 4), 0.7])
C('remainder', 'Scalar', [R(3, 4), 0.7])
C('eq', 'Scalar', [I(3, 4, hi=3), 1])
C('gt', 'Scalar', [R(3, 4), 0.0])
C('rsub', 'Tensor', [R(3, 4), R(3, 4)], {'alpha': 2})
C('rsub', 'Scalar', [R(3, 4), 1.0])
C('sum', 'default', [I(3, 4, dtype='int32')], id='sum.int32')
C('sum', 'default', [B(3, 4)], id='sum.bool')
C('bitwise_and', 'Tensor', [B(3, 4), B(3, 4)], id='bitwise_and.bool')
C('logical_and', 'default', [I(3, 4, hi=2, dtype='uint8'), B(3, 4)], id='logical_and.uint8')
C('mul', 'Tensor', [I(3, 4, dtype='int16'), I(3, 4, dtype='int8')], id='mul.promote')
C('add', 'Tensor', [R(3, dtype='float16'), R(3, dtype='float64')], id='add.promote')  # float64 result: default 1e-10

# ---- complex numbers and FFT (complex tensors travel as interleaved real/imaginary pairs)
def Z(*shape, dtype='complex64'):
    part = 'float32' if dtype == 'complex64' else 'float64'
    return torch.complex(R(*shape, dtype=part), R(*shape, dtype=part))
C('complex', 'default', [R(3), R(3)])
C('polar', 'default', [P(3), R(3)])
C('view_as_real', 'default', [Z(3)])
C('view_as_complex', 'default', [R(3, 2)])
C('view_as_real_copy', 'default', [Z(2, 2)])
C('view_as_complex_copy', 'default', [R(2, 2)])
C('real', 'default', [Z(3)])
C('imag', 'default', [Z(3)])
C('angle', 'default', [Z(3, 2)], id='angle.complex')
C('abs', 'default', [Z(3, 2, dtype='complex128')], id='abs.complex128')
C('conj', 'default', [Z(4)])
C('conj_physical', 'default', [Z(4)], id='conj_physical.complex')
C('resolve_conj', 'default', [Z(4)])
C('resolve_neg', 'default', [Z(4)])
C('is_complex', 'default', [Z(2)])
C('isreal', 'default', [torch.complex(R(4), V([0.0, 1.0, 0.0, 2.0]))])
C('mul', 'Tensor', [Z(3), Z(3)], id='mul.complex')
C('matmul', 'default', [Z(2, 3, dtype='complex128'), Z(3, 2, dtype='complex128')], id='matmul.complex128')
C('exp', 'default', [Z(3)], id='exp.complex')
C('sgn', 'default', [Z(3)], id='sgn.complex')
C('fft_fft', 'default', [R(8)])
C('fft_fft', 'default', [Z(6)], {'n': 8, 'norm': 'ortho'}, id='fft_fft.complex.n')
C('fft_ifft', 'default', [Z(8)])
C('fft_rfft', 'default', [R(8)])
C('fft_irfft', 'default', [Z(5)])
C('fft_hfft', 'default', [Z(5)])
C('fft_ihfft', 'default', [R(8)])
C('fft_fft2', 'default', [R(4, 6)])
C('fft_ifft2', 'default', [Z(4, 6)])
C('fft_rfft2', 'default', [R(4, 6)])
C('fft_irfft2', 'default', [Z(4, 4)])
C('fft_hfft2', 'default', [Z(4, 4)])
C('fft_ihfft2', 'default', [R(4, 6)])
C('fft_fftn', 'default', [R(2, 4, 6)], {'dim': [1, 2]})
C('fft_ifftn', 'default', [Z(2, 4, 6)])
C('fft_rfftn', 'default', [R(2, 4, 6)])
C('fft_irfftn', 'default', [Z(2, 4, 4)], {'s': [4, 6]})
C('fft_hfftn', 'default', [Z(2, 4, 4)])
C('fft_ihfftn', 'default', [R(2, 4, 6)])
C('fft_fftshift', 'default', [R(3, 5)])
C('fft_ifftshift', 'default', [R(3, 5)], {'dim': [1]})
C('fft_fftfreq', 'default', [7], {'d': 0.5})
C('fft_rfftfreq', 'default', [8])
C('fft_fft', 'default', [R(8, dtype='float64')], id='fft_fft.float64')
C('stft', 'default', [R(32), 8], {'hop_length': 4, 'window': torch.hann_window(8), 'return_complex': True})
C('istft', 'default', [torch.stft(R(32), 8, hop_length=2, window=torch.hann_window(8), return_complex=True), 8],
  {'hop_length': 2, 'window': torch.hann_window(8)})
C('_fft_r2c', 'default', [R(3, 8), [1], 0, True])
C('_fft_c2c', 'default', [Z(3, 8), [1], 0, False])
C('_fft_c2r', 'default', [Z(3, 5), [1], 0, 8])
C('linalg_eig', 'default', [V([[2.0, 0.0], [0.0, 3.0]], 'float64')])
C('linalg_eigvals', 'default', [V([[2.0, 1.0], [0.0, 3.0]], 'float64')])

# ---- in-place forms, scatter/index writes, linear algebra and backward kernels (shapes the schema alone does not give)
C('linalg_lstsq', 'default', [R(5, 3, dtype='float64'), R(5, 2, dtype='float64')], {'driver': 'gelsd'})
C('addbmm_', 'default', [R(3, 5), R(2, 3, 4), R(2, 4, 5)], {'beta': 0.5})
C('addmv_', 'default', [R(3), R(3, 4), R(4)])
C('addr_', 'default', [R(3, 4), R(3), R(4)], {'alpha': 2})
C('baddbmm_', 'default', [R(2, 3, 5), R(2, 3, 4), R(2, 4, 5)])
C('clip_', 'default', [R(3, 4)], {'min': -0.5, 'max': 0.5})
C('index_add_', 'default', [R(4, 3), 0, V([0, 2, 2], 'int64'), R(3, 3)], {'alpha': 2})
C('index_copy_', 'default', [R(4, 3), 0, V([3, 1], 'int64'), R(2, 3)])
C('index_reduce', 'default', [R(4, 3), 0, V([0, 2, 2], 'int64'), R(3, 3), 'prod'])
C('index_reduce_', 'default', [R(4, 3), 0, V([0, 2, 2], 'int64'), R(3, 3), 'amax'], {'include_self': False})
C('scatter_add_', 'default', [R(3, 4), 1, I(3, 5, hi=4), R(3, 5)])
C('scatter_reduce_', 'two', [R(3, 4), 1, I(3, 5, hi=4), R(3, 5), 'mean'])
C('scatter_', 'value_reduce', [R(3, 4), 1, V([[0], [2], [3]], 'int64'), 2.5], {'reduce': 'multiply'})
C('select_scatter', 'default', [R(3, 4), R(4), 0, 1])
C('diagonal_scatter', 'default', [R(3, 4), R(3)], {'offset': 1})
C('as_strided_scatter', 'default', [R(3, 4), R(2, 2), [2, 2], [4, 1]], {'storage_offset': 1})
C('conv_tbc', 'default', [R(5, 2, 3), R(3, 3, 4), R(4)], {'pad': 1})
C('_convolution_mode', 'default', [R(1, 2, 5, 5), R(3, 2, 3, 3), R(3), [1, 1], 'same', [1, 1], 1])
C('_convolution', 'default', [R(1, 2, 5, 5), R(3, 2, 3, 3), R(3), [1, 1], [1, 1], [1, 1], False, [0, 0], 1, False, False, True, True])
C('thnn_conv2d', 'default', [R(1, 2, 5, 5), R(3, 2, 3, 3), [3, 3]])
C('slow_conv_dilated2d', 'default', [R(1, 2, 6, 6), R(3, 2, 3, 3), [3, 3]], {'dilation': [2, 2]})
C('slow_conv_transpose2d', 'default', [R(1, 2, 4, 4), R(2, 3, 3, 3), [3, 3]], {'stride': [2, 2]})
C('slow_conv_dilated3d', 'default', [R(1, 1, 5, 5, 5), R(2, 1, 2, 2, 2), [2, 2, 2]])
C('slow_conv_transpose3d', 'default', [R(1, 2, 3, 3, 3), R(2, 1, 2, 2, 2), [2, 2, 2]])
C('slow_conv3d_forward', 'default', [R(1, 1, 4, 4, 4), R(2, 1, 2, 2, 2), [2, 2, 2], None, [1, 1, 1], [0, 0, 0]])
C('_slow_conv2d_forward', 'default', [R(1, 2, 5, 5), R(3, 2, 3, 3), [3, 3], None, [1, 1], [0, 0]])
C('max_unpool3d', 'default', [R(1, 1, 1, 1, 2), V([[[[[0, 7]]]]], 'int64'), [2, 2, 2], [2, 2, 2], [0, 0, 0]])
C('_pad_enum', 'default', [R(1, 2, 4), [1, 2], 1])
C('lu_unpack', 'default', list(torch.linalg.lu_factor(R(3, 3, dtype='float64'))))
C('linalg_lu_solve', 'default', list(torch.linalg.lu_factor(R(3, 3, dtype='float64') + 3 * torch.eye(3, dtype=torch.float64))) + [R(3, 2, dtype='float64')])
C('lu_solve', 'default', [R(3, 2, dtype='float64')] + list(torch.linalg.lu_factor(R(3, 3, dtype='float64') + 3 * torch.eye(3, dtype=torch.float64))))
C('linalg_solve_triangular', 'default', [torch.triu(R(3, 3, dtype='float64')) + 3 * torch.eye(3, dtype=torch.float64), R(3, 2, dtype='float64')], {'upper': True})
C('linalg_householder_product', 'default', list(torch.geqrf(R(4, 3, dtype='float64'))))
C('orgqr', 'default', list(torch.geqrf(R(4, 3, dtype='float64'))))
C('ormqr', 'default', list(torch.geqrf(R(4, 3, dtype='float64'))) + [R(4, 2, dtype='float64')])
C('linalg_tensorinv', 'default', [R(4, 2, 2, dtype='float64') + torch.eye(4, dtype=torch.float64).reshape(4, 2, 2) * 3], {'ind': 1})
C('linalg_tensorsolve', 'default', [R(2, 3, 6, dtype='float64') + torch.eye(6, dtype=torch.float64).reshape(2, 3, 6) * 3, R(2, 3, dtype='float64')])
C('glu_backward', 'default', [R(3, 2), R(3, 4), 1])
C('prelu_backward', 'default', [R(2, 3, 4), R(2, 3, 4), R(3)])
C('trace_backward', 'default', [V(2.5), [3, 3]])
C('select_backward', 'default', [R(4), [3, 4], 0, 1])
C('slice_backward', 'default', [R(3, 2), [3, 4], 1, 1, 3, 1])
C('diagonal_backward', 'default', [R(3), [3, 4], 0, 0, 1])
C('unfold_backward', 'default', [R(2, 3, 2), [2, 4], 1, 2, 1])
C('index_select_backward', 'default', [R(3, 4), [5, 4], 0, V([0, 2, 2], 'int64')])
C('gather_backward', 'default', [R(3, 2), R(3, 4), 1, I(3, 2, hi=4), False])
C('embedding_dense_backward', 'default', [R(2, 2, 3), V([[0, 5], [2, 2]], 'int64'), 6, -1, False])
C('embedding_backward', 'default', [R(2, 2, 3), V([[0, 5], [2, 2]], 'int64'), 6, -1, False, False])
C('embedding_renorm_', 'default', [R(6, 3) * 3, V([0, 2], 'int64'), 1.0, 2.0])
C('upsample_nearest1d_backward', 'default', [R(1, 2, 8), [8], [1, 2, 4]])
C('upsample_nearest2d_backward', 'default', [R(1, 2, 6, 8), [6, 8], [1, 2, 3, 4]])
C('upsample_nearest3d_backward', 'default', [R(1, 1, 4, 4, 4), [4, 4, 4], [1, 1, 2, 2, 2]])
C('upsample_linear1d_backward', 'default', [R(1, 2, 8), [8], [1, 2, 4], False])
C('upsample_bilinear2d_backward', 'default', [R(1, 2, 6, 8), [6, 8], [1, 2, 3, 4], True])
C('upsample_bicubic2d_backward', 'default', [R(1, 2, 6, 8), [6, 8], [1, 2, 3, 4], False])
C('upsample_trilinear3d_backward', 'default', [R(1, 1, 4, 4, 4), [4, 4, 4], [1, 1, 2, 2, 2], False])
C('_upsample_nearest_exact1d_backward', 'default', [R(1, 2, 7), [7], [1, 2, 4]])
C('_upsample_nearest_exact2d_backward', 'default', [R(1, 2, 5, 7), [5, 7], [1, 2, 3, 4]])
C('_upsample_nearest_exact3d_backward', 'default', [R(1, 1, 3, 5, 3), [3, 5, 3], [1, 1, 2, 2, 2]])
C('_upsample_bilinear2d_aa_backward', 'default', [R(1, 2, 3, 5), [3, 5], [1, 2, 8, 8], False])
C('_upsample_bicubic2d_aa_backward', 'default', [R(1, 2, 3, 5), [3, 5], [1, 2, 8, 8], False])
C('reflection_pad1d_backward', 'default', [R(1, 2, 7), R(1, 2, 4), [2, 1]])
C('reflection_pad2d_backward', 'default', [R(1, 2, 5, 6), R(1, 2, 3, 4), [1, 1, 2, 0]])
C('reflection_pad3d_backward', 'default', [R(1, 1, 4, 5, 7), R(1, 1, 3, 3, 4), [1, 2, 1, 1, 1, 0]])
C('replication_pad1d_backward', 'default', [R(1, 2, 7), R(1, 2, 4), [1, 2]])
C('replication_pad2d_backward', 'default', [R(1, 2, 5, 6), R(1, 2, 3, 4), [1, 1, 2, 0]])
C('replication_pad3d_backward', 'default', [R(1, 1, 4, 5, 7), R(1, 1, 3, 3, 4), [1, 2, 1, 1, 1, 0]])
C('avg_pool2d_backward', 'default', [R(1, 2, 3, 3), R(1, 2, 6, 6), [2, 2], [2, 2], [0, 0], False, True, None])
C('avg_pool3d_backward', 'default', [R(1, 1, 2, 2, 2), R(1, 1, 4, 4, 4), [2, 2, 2], [2, 2, 2], [0, 0, 0], False, True, None])
_mp = torch.ops.aten.max_pool2d_with_indices.default(R(1, 2, 4, 4), [2, 2])
C('max_pool2d_with_indices_backward', 'default', [R(1, 2, 2, 2), R(1, 2, 4, 4), [2, 2], [2, 2], [0, 0], [1, 1], False, _mp[1]])
_ap = R(1, 2, 5, 4)
C('adaptive_max_pool2d_backward', 'default', [R(1, 2, 3, 2), _ap, torch.ops.aten.adaptive_max_pool2d.default(_ap, [3, 2])[1]])
_ap3 = R(1, 1, 4, 4, 4)
C('adaptive_max_pool3d_backward', 'default', [R(1, 1, 2, 2, 2), _ap3, torch.ops.aten.adaptive_max_pool3d.default(_ap3, [2, 2, 2])[1]])
C('nll_loss_forward', 'default', [torch.log_softmax(R(5, 4), 1), V([0, 3, 1, 1, 2], 'int64'), None, 1, -100])
C('nll_loss_backward', 'default', [V(1.0), torch.log_softmax(R(5, 4), 1), V([0, 3, 1, 1, 2], 'int64'), None, 1, -100, V(5.0)])
C('nll_loss2d_forward', 'default', [torch.log_softmax(R(2, 3, 2, 2), 1), I(2, 2, 2, hi=3), None, 1, -100])
C('nll_loss2d_backward', 'default', [V(1.0), torch.log_softmax(R(2, 3, 2, 2), 1), I(2, 2, 2, hi=3), None, 1, -100, V(8.0)])
C('multilabel_margin_loss_forward', 'default', [R(2, 4), V([[3, 0, -1, 1], [1, 2, 3, -1]], 'int64'), 1])
C('multi_margin_loss_backward', 'default', [V(1.0), R(3, 4), V([0, 2, 3], 'int64'), 1, 1.0])
C('batch_norm_update_stats', 'default', [R(4, 3, 5), R(3), P(3), 0.1])
C('native_layer_norm_backward', 'default', [R(2, 3, 4)] + [x for x in [R(2, 3, 4)]] + [[4]] + list(torch.ops.aten.native_layer_norm.default(R(2, 3, 4), [4], None, None, 1e-5)[1:]) + [R(4), R(4), [True, True, True]])
C('cummaxmin_backward', 'default', [R(3, 4), R(3, 4), torch.cummax(R(3, 4), 1)[1], 1])
C('value_selecting_reduction_backward', 'default', [R(3), 1, I(3, hi=4), [3, 4], False])
C('affine_grid_generator_backward', 'default', [R(1, 2, 3, 2), [1, 1, 2, 3], False])
C('grid_sampler_2d_backward', 'default', [R(1, 2, 3, 3), R(1, 2, 4, 5), U(1, 3, 3, 2), 0, 0, False, [True, True]])
C('grid_sampler_3d_backward', 'default', [R(1, 2, 2, 2, 2), R(1, 2, 3, 4, 5), U(1, 2, 2, 2, 3), 0, 0, False, [True, True]])
C('_grid_sampler_2d_cpu_fallback', 'default', [R(1, 2, 4, 5), U(1, 3, 3, 2), 0, 0, False])
C('_grid_sampler_2d_cpu_fallback_backward', 'default', [R(1, 2, 3, 3), R(1, 2, 4, 5), U(1, 3, 3, 2), 0, 0, False])
C('_pack_padded_sequence', 'default', [R(4, 2, 3), V([4, 2], 'int64'), False])
C('unflatten_dense_tensors', 'default', [R(7), [R(3), R(2, 2)]])
C('_reshape_from_tensor', 'default', [R(3, 4), V([2, 6], 'int64')])
C('_test_optional_intlist', 'default', [I(3, dtype='int32'), [1, 2, 3]])
C('_test_optional_floatlist', 'default', [R(3), [0.5, 1.5, 2.5]])
C('_test_optional_filled_intlist', 'default', [I(2, dtype='int32'), [1, 2]])
C('_transform_bias_rescale_qkv', 'default', [R(2, 3, 12), R(12), 2])
C('_embedding_bag', 'default', [R(6, 3), V([0, 1, 2, 5, 4], 'int64'), V([0, 2], 'int64')])
C('_embedding_bag_forward_only', 'default', [R(6, 3), V([0, 1, 2, 5, 4], 'int64'), V([0, 2], 'int64')], {'mode': 1})
C('_index_put_impl', 'default', [R(4, 5), [V([1, 2], 'int64'), V([0, 4], 'int64')], V([7.0, 8.0])])
C('_index_put_impl_', 'default', [R(4, 5), [V([1, 2], 'int64')], V([7.0])], {'accumulate': True})
C('item', 'default', [V([2.5])])
C('segment_reduce', 'default', [R(6), 'sum'], {'lengths': V([2, 3, 1], 'int64')})

# ---- ops that return uninitialized memory: only dtype and shape can be compared
C('empty', 'memory_format', [[2, 3]], {'dtype': torch.float64}, meta_only=True)
C('empty_like', 'default', [R(2, 3)], meta_only=True)
C('empty_strided', 'default', [[2, 3], [3, 1]], meta_only=True)
C('new_empty', 'default', [I(2), [4, 1]], meta_only=True)
C('new_empty_strided', 'default', [R(2), [2, 2], [2, 1]], meta_only=True)
C('resize_', 'default', [R(2, 3), [3, 3]], meta_only=True)
C('resize_as_', 'default', [R(2, 3), R(4, 1)], meta_only=True)

# ---- every other generated operator, with arguments made from its schema (ops_auto.py)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ops_auto
TABLES = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'src', 'generated', 'tables.ts')
tables = {m.group(1): [o['sig'] for o in json.loads(m.group(2))]
          for m in re.finditer(r'^export const O_(\w+): Overload\[\] = (\[.*\]);$', open(TABLES).read(), re.M)}
progress = open('/tmp/ops_auto_progress.txt', 'w')
def log(s):
    progress.write(s + '\n')
    progress.flush()
n_auto = ops_auto.auto_cases(tables, {c['op'] for c in cases}, C, R, P, I, B, log, rs.seed)
print(f'{n_auto} operators covered by schema-made cases')

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump({'torch': torch.__version__, 'cases': cases}, f, separators=(',', ':'))
ops = {c['op'] for c in cases}
print(f'{len(cases)} cases, {len(ops)} distinct operators of {len(tables)} generated -> {OUT}')
