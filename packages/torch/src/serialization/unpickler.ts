// A restricted pickle virtual machine (protocols 0-5).
//
// It executes nothing: every GLOBAL / STACK_GLOBAL is resolved through a policy that only knows an
// allow-list, and REDUCE / NEWOBJ / BUILD are delegated to the same policy, which only implements
// the handful of constructors a PyTorch checkpoint needs. Anything else is refused with an error that
// names the global, before any of the pickle's payload is acted upon.

import { PyDict, PySet, PyTuple } from './pyvalues.js';

export class PickleError extends Error {
  override name = 'PickleError';
}

/** What the VM asks of its caller for the risky opcodes. */
export interface UnpicklePolicy {
  /** GLOBAL / STACK_GLOBAL / INST / OBJ class lookup. Must throw for anything not allowed. */
  findGlobal(module: string, name: string): unknown;
  /** REDUCE: `callable(*args)`. */
  reduce(callable: unknown, args: unknown[]): unknown;
  /** NEWOBJ / NEWOBJ_EX: `cls.__new__(cls, *args, **kwargs)`. */
  newObj(cls: unknown, args: unknown[], kwargs: PyDict | null): unknown;
  /** BUILD: `inst.__setstate__(state)`; returns the (possibly replaced) instance. */
  build(inst: unknown, state: unknown): unknown;
  /** BINPERSID / PERSID. */
  persistentLoad(pid: unknown): unknown;
}

const MARK = Symbol('mark');

const td = new TextDecoder('utf-8');
const tdLatin1 = new TextDecoder('latin1');

function decodeUtf8(b: Uint8Array): string {
  return td.decode(b);
}

/** Short strings: pure-ASCII ones are built directly (TextDecoder's per-call cost dominates). */
function decodeStr(data: Uint8Array, start: number, n: number): string {
  if (n <= 64) {
    let ascii = true;
    for (let i = start; i < start + n; i++) if (data[i]! >= 0x80) { ascii = false; break; }
    if (ascii) {
      let out = '';
      for (let i = start; i < start + n; i++) out += String.fromCharCode(data[i]!);
      return out;
    }
  }
  return decodeUtf8(data.subarray(start, start + n));
}

/** Two's-complement little-endian integer (pickle LONG1/LONG4) -> number when safe, else bigint. */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  if (b[b.length - 1]! & 0x80) v -= 1n << BigInt(8 * b.length);
  return normInt(v);
}

export function normInt(v: bigint): number | bigint {
  if (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  return v;
}

function opName(op: number): string {
  const c = op >= 0x20 && op < 0x7f ? ` '${String.fromCharCode(op)}'` : '';
  return `0x${op.toString(16).padStart(2, '0')}${c}`;
}

/**
 * Run the pickle in `data` starting at `start`. Returns the value and the offset just after STOP
 * (the legacy .pt format stores several pickles back to back).
 */
export function unpickle(
  data: Uint8Array,
  policy: UnpicklePolicy,
  start = 0,
): { value: unknown; end: number } {
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let pos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail = (msg: string): never => {
    throw new PickleError(`${msg} (at byte ${pos})`);
  };
  const need = (n: number): void => {
    if (n < 0 || pos + n > data.length) {
      fail(`truncated pickle: needed ${n} more bytes, ${data.length - pos} left`);
    }
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const b = data.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const u8 = (): number => {
    need(1);
    return data[pos++]!;
  };
  const u16 = (): number => {
    need(2);
    const v = dv.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = dv.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = dv.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = dv.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(data.length)) fail(`length ${v} exceeds the data`);
    return Number(v);
  };
  const readline = (): string => {
    const nl = data.indexOf(0x0a, pos);
    if (nl < 0) fail('truncated pickle: missing newline');
    let s = '';
    if (nl - pos <= 256) for (let i = pos; i < nl; i++) s += String.fromCharCode(data[i]!);
    else s = tdLatin1.decode(data.subarray(pos, nl));
    pos = nl + 1;
    return s;
  };
  const str = (n: number): string => {
    need(n);
    const v = decodeStr(data, pos, n);
    pos += n;
    return v;
  };
  // NB: always `push(x)`, never `push(f())`: f may swap `stack` (popMark) before the call.
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('corrupt pickle: stack underflow');
    const v = stack.pop();
    if (v === MARK) fail('corrupt pickle: unexpected MARK on the stack');
    return v;
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('corrupt pickle: stack underflow');
    const v = stack[stack.length - 1];
    if (v === MARK) fail('corrupt pickle: unexpected MARK on the stack');
    return v;
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('corrupt pickle: no MARK to pop to');
    stack = prev!;
    return items;
  };
  const memoGet = (i: number): unknown => {
    if (!memo.has(i)) fail(`corrupt pickle: memo key ${i} not found`);
    return memo.get(i);
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (items.length % 2 !== 0) fail('corrupt pickle: odd number of items for SETITEMS');
    if (!(target instanceof PyDict)) fail(`SETITEM(S) on a ${describe(target)}, only dicts are supported`);
    for (let i = 0; i < items.length; i += 2) (target as PyDict).set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]): void => {
    if (!Array.isArray(target)) fail(`APPEND(S) on a ${describe(target)}, only lists are supported`);
    for (const it of items) (target as unknown[]).push(it);
  };
  const parseTextInt = (s: string): number | bigint | boolean => {
    const t = s.trim();
    if (t === '01') return true;
    if (t === '00') return false;
    const m = /^[+-]?\d+L?$/.exec(t);
    if (!m) fail(`corrupt pickle: bad integer literal ${JSON.stringify(s)}`);
    return normInt(BigInt(t.replace(/L$/, '')));
  };
  const parsePyStringLiteral = (s: string): string => {
    // protocol 0 STRING: a Python repr, quoted with ' or ".
    const q = s[0];
    if (s.length < 2 || (q !== "'" && q !== '"') || s[s.length - 1] !== q) {
      fail('corrupt pickle: STRING argument is not quoted');
    }
    return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|[\\'"nrt0])/g, (_m, e: string) => {
      if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
      return ({ n: '\n', r: '\r', t: '\t', '0': '\0' } as Record<string, string>)[e] ?? e;
    });
  };

  for (;;) {
    if (pos >= data.length) fail('truncated pickle: reached the end without STOP');
    const op = data[pos++]!;
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol (> 5)');
        break;
      case 0x95: // FRAME
        u64();
        break;
      case 0x2e: { // STOP
        const value = pop();
        return { value, end: pos };
      }
      // --- marks and stack
      case 0x28: // MARK
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        if (stack.length && stack[stack.length - 1] === MARK) stack.pop();
        else pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        push(top());
        break;
      // --- memo
      case 0x70: { // PUT
        const i = Number(readline());
        if (!Number.isInteger(i) || i < 0) fail('corrupt pickle: bad PUT index');
        memo.set(i, top());
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x67: // GET
        push(memoGet(Number(readline())));
        break;
      case 0x68: // BINGET
        push(memoGet(u8()));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(u32()));
        break;
      // --- simple values
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4b: // BININT1
        push(u8());
        break;
      case 0x4d: // BININT2
        push(u16());
        break;
      case 0x4a: // BININT
        push(i32());
        break;
      case 0x8a: // LONG1
        push(decodeLong(take(u8())));
        break;
      case 0x8b: { // LONG4
        const n = i32();
        if (n < 0) fail('corrupt pickle: negative LONG4 length');
        push(decodeLong(take(n)));
        break;
      }
      case 0x49: // INT (text)
        push(parseTextInt(readline()));
        break;
      case 0x4c: // LONG (text)
        push(parseTextInt(readline()));
        break;
      case 0x47: { // BINFLOAT (big-endian double)
        need(8);
        push(dv.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x46: { // FLOAT (text)
        const s = readline().trim();
        const v = s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s);
        if (Number.isNaN(v) && s !== 'nan') fail(`corrupt pickle: bad float literal ${JSON.stringify(s)}`);
        push(v);
        break;
      }
      // --- strings and bytes
      case 0x58: // BINUNICODE
        push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(str(u8()));
        break;
      case 0x8d: // BINUNICODE8
        push(str(u64()));
        break;
      case 0x56: // UNICODE (raw-unicode-escape text)
        push(readline().replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a?: string, b?: string) =>
          String.fromCodePoint(parseInt((a ?? b)!, 16))));
        break;
      case 0x55: // SHORT_BINSTRING (py2 str)
        push(decodePy2Str(take(u8())));
        break;
      case 0x54: { // BINSTRING
        const n = i32();
        if (n < 0) fail('corrupt pickle: negative BINSTRING length');
        push(decodePy2Str(take(n)));
        break;
      }
      case 0x53: // STRING (text)
        push(parsePyStringLiteral(readline()));
        break;
      case 0x43: // SHORT_BINBYTES
        push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
        push(take(u64()).slice());
        break;
      case 0x96: // BYTEARRAY8
        push(take(u64()).slice());
        break;
      case 0x97: // NEXT_BUFFER
        fail('out-of-band pickle buffers (NEXT_BUFFER) are not supported');
        break;
      case 0x98: // READONLY_BUFFER
        break;
      // --- containers
      case 0x29: // EMPTY_TUPLE
        push(new PyTuple([]));
        break;
      case 0x85: // TUPLE1
        push(new PyTuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        const a = pop();
        push(new PyTuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        push(new PyTuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        push(new PyTuple(popMark()));
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark());
        break;
      case 0x61: { // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new PyDict());
        break;
      case 0x64: { // DICT
        const d = new PyDict();
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        push(new PySet());
        break;
      case 0x90: { // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof PySet) || s.frozen) fail(`ADDITEMS on a ${describe(s)}`);
        (s as PySet).items.push(...items);
        break;
      }
      case 0x91: { // FROZENSET
        const s = new PySet(true);
        s.items.push(...popMark());
        push(s);
        break;
      }
      // --- the risky ones: all go through the policy
      case 0x63: { // GLOBAL
        const module = readline();
        const name = readline();
        push(policy.findGlobal(module, name));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('corrupt pickle: STACK_GLOBAL needs two strings');
        push(policy.findGlobal(module as string, name as string));
        break;
      }
      case 0x69: { // INST: module\nname\n, args from mark
        const module = readline();
        const name = readline();
        const cls = policy.findGlobal(module, name);
        push(policy.newObj(cls, popMark(), null));
        break;
      }
      case 0x6f: { // OBJ: cls, args from mark
        const items = popMark();
        if (items.length === 0) fail('corrupt pickle: OBJ without a class');
        push(policy.newObj(items[0], items.slice(1), null));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const fn = pop();
        if (!(args instanceof PyTuple)) fail(`REDUCE arguments must be a tuple, got ${describe(args)}`);
        push(policy.reduce(fn, (args as PyTuple).items));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = pop();
        const cls = pop();
        if (!(args instanceof PyTuple)) fail(`NEWOBJ arguments must be a tuple, got ${describe(args)}`);
        push(policy.newObj(cls, (args as PyTuple).items, null));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        const kwargs = pop();
        const args = pop();
        const cls = pop();
        if (!(args instanceof PyTuple) || !(kwargs instanceof PyDict)) fail('corrupt pickle: bad NEWOBJ_EX arguments');
        push(policy.newObj(cls, (args as PyTuple).items, kwargs as PyDict));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const inst = pop();
        push(policy.build(inst, state));
        break;
      }
      case 0x51: // BINPERSID
        push(policy.persistentLoad(pop()));
        break;
      case 0x50: // PERSID
        push(policy.persistentLoad(readline()));
        break;
      case 0x82: case 0x83: case 0x84: // EXT1/2/4
        fail('pickle extension registry codes (EXT1/EXT2/EXT4) are not supported');
        break;
      default:
        fail(`unknown pickle opcode ${opName(op)}`);
    }
  }
}

function decodePy2Str(b: Uint8Array): string {
  // Python 2 `str`: torch.load decodes with utf-8 by default; fall back to latin1.
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(b);
  } catch {
    return tdLatin1.decode(b);
  }
}

export function describe(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PySet) return 'set';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
