"""Generated cases for the operators the hand-written cases of ops.py do not reach: each overload the
generator bound (read from packages/torch/src/generated/tables.ts) is called with arguments built
from its schema: its required arguments only, from a few input profiles tried in order, the first
that PyTorch accepts with a deterministic, encodable result is kept.

Kept only when the same call twice after the same seed gives bit-identical results (so ops that
read uninitialized memory or depend on addresses drop out), every result is a dense CPU tensor of
a dtype the binding has (or a number, bool, dtype or list of those), and the op is not named in
SKIP below (with the reason)."""
import re
import zlib
import torch

# Ops that would pass the checks above but whose values are not a property of the op.
SKIP = {
    'empty': 'uninitialized memory', 'empty_like': 'uninitialized memory', 'empty_strided': 'uninitialized memory',
    'new_empty': 'uninitialized memory', 'new_empty_strided': 'uninitialized memory', 'resize': 'uninitialized memory',
    'resize_': 'uninitialized memory', 'resize_as': 'uninitialized memory', 'resize_as_': 'uninitialized memory',
    '_resize_output': 'uninitialized memory', '_resize_output_': 'uninitialized memory',
    'empty_quantized': 'quantized', 'from_file': 'reads a file', '_version': 'counts writes since creation',
    '_cudnn_init_dropout_state': 'CUDA only', 'set_data': 'replaces storage, no result',
    '_test_warn_in_autograd': 'test hook', 'lift': 'functionalization hook', 'lift_fresh': 'functionalization hook',
    '_efficientzerotensor': 'a ZeroTensor has no storage; its read (materialised as zeros) is tested in packages/torch/test/storageless.test.ts',
    '_ctc_loss': 'its log_alpha output leaves entries past the target length uninitialized',
    '_compute_linear_combination': 'with schema-made shapes its result holds uninitialized memory',
    'is_pinned': 'needs CUDA to answer', 'pin_memory': 'needs CUDA', '_pin_memory': 'needs CUDA',
}
# Calls that abort the Python process (a failed internal assert, a segfault) with schema-made arguments.
CRASH = {'_histogramdd_bin_edges', '_sobol_engine_initialize_state_', '_histogramdd_from_bin_cts', '_symeig_helper', '_thnn_differentiable_gru_cell_backward', 'histogramdd', 'lstm_cell', 'unfold_backward'}
# Whole families whose results need a backend this libtorch lacks or are not dense tensors.
SKIP_PREFIX = ('cudnn_', 'miopen_', 'mkldnn_', 'mps_', '_mps_', 'quantized_', 'fbgemm_', '_cudnn', '_cufft', '_nested',
               'nested_', 'sparse_', '_sparse', 'to_sparse', '_empty', 'q_', 'to_mkldnn', '_mkldnn', '_lstm_mps',
               '_triton', '_flash', '_validate_sparse', 'fake_quantize', '_fake_quantize', 'quantize_', 'dequantize',
               'int_repr', '_make_per', 'choose_qparams', '_choose_qparams', 'fused_moving', '_fused_moving')

DT_OK = {torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16, torch.int8,
         torch.uint8, torch.bool, torch.complex64, torch.complex128}


def parse_sig(sig):
    """'name.ov(Tensor self, int[2] k=1, *, bool b=False) -> Tensor' -> [(type, name, has_default, kwarg_only)]"""
    inner = sig[sig.index('(') + 1:sig.rindex(') ->')]
    parts, depth, cur = [], 0, ''
    for ch in inner:
        if ch in '([':
            depth += 1
        if ch in ')]':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    out, kw = [], False
    for p in parts:
        if p == '*':
            kw = True
            continue
        decl = p.split('=')[0].strip()
        typ, name = decl.rsplit(' ', 1)
        out.append((re.sub(r'\(.*?\)', '', typ), name, '=' in p, kw))
    return out


def make_profiles(R, P, I, B):
    """Input profiles: how a Tensor argument is made, plus int/int-list choices."""
    c64 = lambda *s: torch.complex(R(*s), R(*s))
    sq = lambda: (R(3, 3, dtype='float64') + 3 * torch.eye(3, dtype=torch.float64))
    return [
        dict(T=lambda: P(3, 4), i=1, I=[1], dim_list=[1]),
        dict(T=lambda: R(3, 4), i=1, I=[1], dim_list=[1]),
        dict(T=lambda: P(2, 3, 4, 4), i=1, I=[2, 2], dim_list=[1]),
        dict(T=lambda: P(2, 3, 4, 4, 4), i=1, I=[2, 2, 2], dim_list=[1]),
        dict(T=lambda: P(2, 3, 5), i=1, I=[2], dim_list=[1]),
        dict(T=sq, i=1, I=[1], dim_list=[1]),
        dict(T=lambda: P(4, dtype='float64'), i=0, I=[0], dim_list=[0]),
        dict(T=lambda: I(3, 4, lo=1, hi=9), i=1, I=[1], dim_list=[1]),
        dict(T=lambda: B(3, 4), i=1, I=[1], dim_list=[1]),
        dict(T=lambda: c64(3, 4), i=1, I=[1], dim_list=[1]),
        dict(T=lambda: R(3, 4), i=0, I=[], dim_list=[]),
    ]


def arg_value(typ, name, prof, R):
    """A value for a required argument, or raise KeyError when none is made for this type."""
    base = typ.rstrip('?')
    nullable = typ.endswith('?')
    if base == 'Tensor':
        return prof['T']()
    if base == 'Tensor[]':
        return [prof['T'](), prof['T']()]
    if base in ('int', 'SymInt'):
        return prof['i']
    m = re.match(r'^(?:int|SymInt)\[(\d*)\]$', base)
    if m:
        n = int(m.group(1)) if m.group(1) else None
        if 'dim' in name:
            return prof['dim_list']
        if name in ('size', 'shape', 'sizes'):
            return [3, 4]
        v = prof['I']
        if n is not None and len(v) != n:
            v = (v * n)[:n] if v else [1] * n
        return v
    if base == 'float':
        return 0.5
    if base == 'float[]':
        return [0.5]
    if base == 'bool':
        return False
    if base.startswith('bool['):
        return [True] * int(base[5:-1])
    if base == 'Scalar':
        return 2
    if base == 'ScalarType':
        return torch.float64
    if nullable:
        return None
    raise KeyError(typ)


def encodable(x):
    if isinstance(x, torch.Tensor):
        return x.layout == torch.strided and x.dtype in DT_OK and not x.is_quantized and x.device.type == 'cpu' \
            and not x.is_conj() and not x.is_neg() and x.numel() <= 4096
    if isinstance(x, (list, tuple)):
        return all(encodable(v) for v in x)
    return x is None or isinstance(x, (bool, int, float, torch.dtype))


def same(a, b):
    if isinstance(a, torch.Tensor):
        if not isinstance(b, torch.Tensor) or a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.is_complex():
            a, b = torch.view_as_real(a.resolve_conj()), torch.view_as_real(b.resolve_conj())
        if a.dtype.is_floating_point:
            return bool(torch.equal(torch.nan_to_num(a, 1.5), torch.nan_to_num(b, 1.5)) and torch.equal(a.isnan(), b.isnan()))
        return bool(torch.equal(a, b))
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and a != a:
        return isinstance(b, float) and b != b
    return a == b


def roundtrips(x):
    """The result has plain readable data (not a functorch wrapper or a zero-strided view of nothing)."""
    if isinstance(x, torch.Tensor):
        x.detach().resolve_conj().contiguous().numpy() if x.dtype not in (torch.bfloat16,) else x.float().numpy()
        return True
    if isinstance(x, (list, tuple)):
        return all(roundtrips(v) for v in x)
    return True


def clone_args(args):
    return [a.clone() if isinstance(a, torch.Tensor) else ([b.clone() if isinstance(b, torch.Tensor) else b for b in a]
            if isinstance(a, list) else a) for a in args]


def try_overload(op, ov_name, sig, profiles, R):
    try:
        fn = getattr(getattr(torch.ops.aten, op), ov_name or 'default')
    except Exception:
        return None
    params = parse_sig(sig)
    # Same rule as the generator: required = no default, unless keyword-only and nullable.
    req = [(t, n) for t, n, d, kw in params if not d and not (kw and t.endswith('?'))]
    for prof in profiles:
        try:
            args = [arg_value(t, n, prof, R) for t, n in req]
        except KeyError:
            return None
        try:
            torch.manual_seed(0)
            out1 = fn(*clone_args(args))
            torch.manual_seed(0)
            out2 = fn(*clone_args(args))
        except Exception:
            continue
        try:
            ok = encodable(args) and encodable(out1) and same(out1, out2) and roundtrips(out1)
        except Exception:  # e.g. a functorch batched tensor, which has no plain data
            ok = False
        if not ok:
            continue
        return args, out1
    return None


def auto_cases(tables, covered, C, R, P, I, B, log, reseed):
    """Adds a case (through C) for each operator in tables (name -> list of signatures) not in covered."""
    profiles = make_profiles(R, P, I, B)
    added = 0
    for op, sigs in tables.items():
        if op in covered or op in SKIP or op in CRASH or op.startswith(SKIP_PREFIX):
            continue
        for sig in sigs:
            head = sig[:sig.index('(')]
            ov = head.split('.', 1)[1] if '.' in head else ''
            log(op + '.' + ov)
            reseed(zlib.crc32(op.encode()))  # each op's inputs independent of which attempts failed before it
            got = try_overload(op, ov, sig, profiles, R)
            if got is None:
                continue
            args, _ = got
            C(op, ov or 'default', args, seed=0, id=f'{op}.{ov or "default"}#auto')
            added += 1
            break
    return added
