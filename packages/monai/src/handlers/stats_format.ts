// Formatting of logged values as MONAI's StatsHandler prints them: MONAI's is_scalar, Python's str of
// a value (integers plain, floats as Python's repr) and key_var_format strings ("{}: {:.4f} ").
import { Tensor } from '@monai-ts/torch';
import { pyFixed, pyFloatRepr, torchTensorStr } from './py_format.js';

/** Whether v is a scalar as MONAI's is_scalar: a number or a 0-d tensor. */
export function isScalar(v: unknown): v is number | bigint | Tensor {
  return typeof v === 'number' || typeof v === 'bigint' || (v instanceof Tensor && v.dim() === 0);
}

/** The number of a scalar (a 0-d tensor's item). */
export function scalarValue(v: number | bigint | Tensor): number {
  return v instanceof Tensor ? v.item() : Number(v);
}

/** Python's str of a logged value: an integer-valued number as an int, other numbers as Python's float repr. */
export function valueStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (v instanceof Tensor) return torchTensorStr(v);
  if (Array.isArray(v)) return `[${v.map(valueStr).join(', ')}]`;
  return String(v);
}

/** A Python format string of two fields (key, value) as MONAI's key_var_format, or a function. */
export type KeyVarFormat = string | ((key: string, value: number) => string);

/**
 * Formats (key, value) with a Python format string: fields {} (str), {:.Nf}, {:.Ne}, {:.N%}, {:d} and
 * {:s}; {{ and }} are braces. Anything else throws, naming the field.
 */
export function formatKeyVar(fmt: KeyVarFormat, key: string, value: number): string {
  if (typeof fmt === 'function') return fmt(key, value);
  const args: unknown[] = [key, value];
  let i = 0;
  return fmt.replace(/\{\{|\}\}|\{(![sr])?(?::([^}]*))?\}/g, (m: string, conv: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    if (i >= args.length) throw new Error(`keyVarFormat '${fmt}': expected two fields (key, value), found more`);
    const a = args[i++];
    if (conv || !spec) return typeof a === 'number' ? pyFloatRepr(a) : String(a);
    const f = /^\.(\d+)([fFeE%])$/.exec(spec);
    if (typeof a === 'number' && f) {
      const d = Number(f[1]);
      if (f[2] === 'f' || f[2] === 'F') return pyFixed(a, d);
      if (f[2] === '%') return `${pyFixed(a * 100, d)}%`;
      if (!Number.isFinite(a)) return pyFixed(a, d);
      const [mant, e] = a.toExponential(d).split('e');
      const ex = Number(e);
      return `${mant}${f[2]}${ex < 0 ? '-' : '+'}${String(Math.abs(ex)).padStart(2, '0')}`;
    }
    if (spec === 'd' && typeof a === 'number' && Number.isInteger(a)) return String(a);
    if (spec === 's' && typeof a === 'string') return a;
    throw new Error(`keyVarFormat '${fmt}': unsupported field '{:${spec}}' for a ${typeof a} (supported: {}, {:.Nf}, {:.Ne}, {:.N%}, {:d}, {:s}; or give a function)`);
  });
}
