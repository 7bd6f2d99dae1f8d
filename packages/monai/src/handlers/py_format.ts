// How Python, numpy and torch print numbers, so that files the savers write (metrics.csv, *_raw.csv,
// predictions.csv) have MONAI's bytes: Python's repr of a float, numpy's str of a float32, format(x, '.4f')
// (round-half-even on exact ties, where JS's toFixed rounds half up) and torch's str of a tensor.
import type { Tensor } from '@monai-ts/torch';
import { Tensor as TensorClass } from '@monai-ts/torch';
import { tensorValues } from '../metrics/utils.js';

/** Shortest digits and decimal exponent of a finite non-zero |x| that read back to x (in float32 when `f32`). */
function shortestDigits(x: number, f32: boolean): { digits: string; exp: number } {
  let s = x.toExponential();
  if (f32) {
    for (let p = 0; p <= 8; p++) {
      const c = x.toExponential(p);
      if (Math.fround(Number(c)) === x) {
        s = c;
        break;
      }
    }
  }
  const [mant, e] = s.split('e');
  return { digits: mant.replace('.', '').replace(/0+$/, '') || '0', exp: Number(e) };
}

/** Python's float repr layout: positional for 1e-4 <= |x| < 1e16, else d.ddde±XX. */
function layout(x: number, f32: boolean): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0.0`;
  const { digits, exp } = shortestDigits(Math.abs(x), f32);
  // Python decides by the printed exponent, numpy's float32 str by the value itself (float32(1e-4) < 1e-4)
  const positional = f32 ? Math.abs(x) >= 1e-4 && Math.abs(x) < 1e16 : exp >= -4 && exp < 16;
  if (positional) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    return `${sign}${int}.${digits.slice(exp + 1) || '0'}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Python's repr(float(x)) (also str of a numpy float64). */
export function pyFloatRepr(x: number): string {
  return layout(x, false);
}

/** numpy's str(np.float32(x)): the shortest digits that identify the float32. */
export function npFloat32Str(x: number): string {
  return layout(Math.fround(x), true);
}

/** Python's format(x, `.${digits}f`): exact decimal rounding, ties to even; nan/inf as Python spells them. */
export function pyFixed(x: number, digits = 4): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Object.is(x, -0)) return `-${(0).toFixed(digits)}`;
  if (Math.abs(x) >= 1e21) return `${BigInt(x)}${digits ? `.${'0'.repeat(digits)}` : ''}`; // toFixed switches to exponents there
  const s = x.toFixed(digits);
  // toFixed rounds exact ties up (away from zero); a tie is exact only when the expansion ends in that 5
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 30));
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (!/^50*$/.test(tail)) return s;
  const lastKept = exact[exact.indexOf('.') + digits] ?? '0';
  const kept = digits === 0 ? exact.slice(0, exact.indexOf('.')) : exact.slice(0, exact.indexOf('.') + 1 + digits);
  if (Number(lastKept === '.' ? kept[kept.length - 1] : lastKept) % 2 === 0) return (x < 0 ? '-' : '') + kept; // keep the even digit
  return s;
}

/** Digits of |x| as numpy's dragon4 prints them with at most `maxFrac` fraction digits (positional) or `maxFrac` mantissa decimals (scientific). */
function capDigits(x: number, f32: boolean, maxFrac: number, scientific: boolean): { digits: string; exp: number } {
  const d = shortestDigits(x, f32);
  const frac = scientific ? d.digits.length - 1 : d.digits.length - 1 - d.exp;
  if (frac <= maxFrac) return d;
  const s = scientific ? x.toExponential(maxFrac) : x.toExponential(Math.max(0, d.exp + maxFrac));
  const [m, e] = s.split('e');
  return { digits: m.replace('.', '').replace(/0+$/, '') || '0', exp: Number(e) };
}

/**
 * numpy's str of a 1-D float array as MONAI's reports print a vector cell: '[ 3. 11. 10. 12.]' (numpy's
 * default print options: 8 digits, positional unless values are < 1e-4, >= 1e8 or spread over > 1000x;
 * no line wrapping, which vectors of a few values never need).
 */
export function npArrayStr(values: number[], f32 = true): string {
  const vals = f32 ? values.map(Math.fround) : values;
  const finite = vals.filter(Number.isFinite);
  const nz = finite.filter((v) => v !== 0).map(Math.abs);
  const sci = nz.length > 0 && (Math.max(...nz) >= 1e8 || Math.min(...nz) < 1e-4 || Math.max(...nz) / Math.min(...nz) > 1000);
  let padLeft = 0;
  let padRight = 0;
  let fmt: (v: number) => string = () => '';
  const sign = (v: number): string => (v < 0 || Object.is(v, -0) ? '-' : '');
  if (finite.length && !sci) {
    const parts = finite.map((v) => {
      const { digits, exp } = v === 0 ? { digits: '0', exp: 0 } : capDigits(Math.abs(v), f32, 8, false);
      const int = exp >= 0 ? digits.slice(0, exp + 1).padEnd(exp + 1, '0') : '0';
      const frac = exp >= 0 ? digits.slice(exp + 1) : '0'.repeat(-exp - 1) + digits;
      return [sign(v) + int, frac.replace(/0+$/, '')];
    });
    padLeft = Math.max(...parts.map((p) => p[0].length));
    padRight = Math.max(...parts.map((p) => p[1].length));
    const byValue = new Map(finite.map((v, i) => [v, parts[i]]));
    fmt = (v) => {
      const [i, f] = byValue.get(v)!;
      return `${i.padStart(padLeft)}.${f.padEnd(padRight)}`;
    };
  } else if (finite.length) {
    const parts = finite.map((v) => {
      const { digits, exp } = v === 0 ? { digits: '0', exp: 0 } : capDigits(Math.abs(v), f32, 8, true);
      return { int: sign(v) + digits[0], frac: digits.slice(1), exp };
    });
    const prec = Math.max(...parts.map((p) => p.frac.length));
    const expSize = Math.max(2, ...parts.map((p) => String(Math.abs(p.exp)).length));
    padLeft = Math.max(...parts.map((p) => p.int.length));
    const byValue = new Map(finite.map((v, i) => [v, parts[i]]));
    fmt = (v) => {
      const p = byValue.get(v)!;
      return `${p.int.padStart(padLeft)}.${p.frac.padEnd(prec, '0')}e${p.exp < 0 ? '-' : '+'}${String(Math.abs(p.exp)).padStart(expSize, '0')}`;
    };
  }
  if (finite.length !== vals.length) {
    const inf = vals.some((v) => v === -Infinity) ? 4 : 3;
    padLeft = Math.max(padLeft, 3 - (padRight + 1), inf - (padRight + 1));
  }
  const cell = (v: number): string => {
    if (Number.isFinite(v)) return fmt(v);
    const r = Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
    return r.padStart(padLeft + padRight + 1);
  };
  return `[${vals.map(cell).join(' ')}]`;
}

/** torch's str(tensor) for small tensors (no summarisation): 'tensor([0.5000, 0.2500])'. */
export function torchTensorStr(t: Tensor): string {
  const floating = ['float32', 'float64', 'float16', 'bfloat16'].includes(t.dtype);
  const values = tensorValues(t);
  const fmt = elementFormatter(values, floating, t.dtype === 'bool');
  const prefix = 'tensor(';
  const width = fmt.width + 2;
  const shape = t.shape;
  let k = 0;
  const build = (dim: number, indent: number): string => {
    if (dim === shape.length) return fmt.format(values[k++]);
    if (dim === shape.length - 1) {
      const items = Array.from({ length: shape[dim] }, () => fmt.format(values[k++]));
      const perLine = Math.max(Math.floor((80 - indent) / width), 1);
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(indent + 1)}`)}]`;
    }
    const rows = Array.from({ length: shape[dim] }, () => build(dim + 1, indent + 1));
    const sep = `,${'\n'.repeat(shape.length - dim - 1)}${' '.repeat(indent + 1)}`;
    return `[${rows.join(sep)}]`;
  };
  const body = build(0, prefix.length);
  const suffix = t.dtype === 'float32' || t.dtype === 'int64' || t.dtype === 'bool' ? '' : `, dtype=torch.${t.dtype}`;
  return `${prefix}${body}${suffix})`;
}

function elementFormatter(values: number[], floating: boolean, bool: boolean): { width: number; format(v: number): string } {
  if (bool) {
    const width = values.some((v) => !v) ? 5 : 4;
    return { width, format: (v) => (v ? 'True' : 'False').padStart(width) };
  }
  if (!floating) {
    const width = Math.max(1, ...values.map((v) => String(v).length));
    return { width, format: (v) => String(v).padStart(width) };
  }
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  let intMode = true;
  let sci = false;
  let width = 1;
  const sciStr = (v: number): string => {
    if (!Number.isFinite(v)) return pyFixed(v);
    const [m, e] = v.toExponential(4).split('e');
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  };
  if (finite.length) {
    const lo = Math.min(...finite);
    const hi = Math.max(...finite);
    intMode = values.every((v) => !Number.isFinite(v) || v === Math.ceil(v));
    sci = hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4);
    const strs = values.filter((v) => Number.isFinite(v) && v !== 0).map((v) => (sci ? sciStr(v) : intMode ? `${pyFixed(v, 0)}.` : pyFixed(v, 4)));
    width = Math.max(...strs.map((s) => s.length));
  }
  const format = (v: number): string => {
    let s: string;
    if (sci) s = sciStr(v);
    else if (intMode) s = pyFixed(v, 0) + (Number.isFinite(v) ? '.' : '');
    else s = pyFixed(v, 4);
    return s.padStart(width);
  };
  return { width, format };
}

/** Python's str() of a value as MONAI writes it into metrics.csv: floats, strings, lists, dicts, tensors. */
export function pyStr(v: unknown): string {
  if (typeof v === 'number') return pyFloatRepr(v);
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v === null || v === undefined) return 'None';
  if (v instanceof TensorClass) return torchTensorStr(v);
  const inner = (x: unknown): string => (typeof x === 'string' ? `'${x}'` : pyStr(x));
  if (Array.isArray(v)) return `[${v.map(inner).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `'${k}': ${inner(x)}`).join(', ')}}`;
  return String(v);
}
