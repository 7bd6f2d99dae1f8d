// Collectives of JS values. Each value travels as its JSON text (UTF-8 bytes in a uint8 tensor, with
// a length exchanged first), so they work between Node ranks only: Python ranks send pickles, which
// this does not read. Values must survive JSON.stringify (no BigInt, functions, cycles; undefined in
// arrays becomes null, Map and Set become {}).
import * as torch from '../core.js';
import type { Tensor } from '../tensor.js';
import { allGather, broadcast, gather } from './collectives.js';
import { ProcessGroup, resolveGroup } from './group.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

function encode(obj: unknown, what: string): Uint8Array {
  let s: string | undefined;
  try {
    s = JSON.stringify(obj);
  } catch (e) {
    throw new TypeError(`${what}: the value cannot be sent as JSON (${(e as Error).message})`);
  }
  return enc.encode(s === undefined ? 'null' : s);
}

function decode(bytes: Uint8Array): unknown {
  return JSON.parse(dec.decode(bytes));
}

function dispose(...ts: Tensor[]): void {
  for (const t of ts) t.dispose();
}

function lengths(n: number, g: ProcessGroup): number[] {
  const mine = torch.tensor([n], { dtype: 'int64' });
  const all = Array.from({ length: g.size() }, () => torch.zeros([1], { dtype: 'int64' }));
  try {
    allGather(all, mine, { group: g });
    return all.map((t) => Number(t.item()));
  } finally {
    dispose(mine, ...all);
  }
}

function padded(bytes: Uint8Array, size: number): Tensor {
  const buf = new Uint8Array(Math.max(size, 1));
  buf.set(bytes);
  return torch.fromTypedArray(buf, [buf.length], 'uint8');
}

/** Fills objectList (length: the group size) with every rank's obj, on every rank, and returns it. */
export function allGatherObject(objectList: unknown[], obj: unknown, options: { group?: ProcessGroup } = {}): unknown[] {
  const g = resolveGroup(options.group, 'allGatherObject');
  if (!g.isMember) return objectList;
  if (!Array.isArray(objectList)) throw new TypeError('allGatherObject: objectList must be an array (it receives one value per rank)');
  const bytes = encode(obj, 'allGatherObject');
  const sizes = lengths(bytes.length, g);
  const max = Math.max(...sizes, 1);
  const mine = padded(bytes, max);
  const all = sizes.map(() => torch.zeros([max], { dtype: 'uint8' }));
  try {
    allGather(all, mine, { group: g });
    objectList.length = g.size();
    all.forEach((t, i) => (objectList[i] = decode((t.data() as Uint8Array).subarray(0, sizes[i]))));
    return objectList;
  } finally {
    dispose(mine, ...all);
  }
}

/** On every rank, replaces objectList's items by src's (the lists must have the same length everywhere). */
export function broadcastObjectList(objectList: unknown[], src = 0, options: { group?: ProcessGroup } = {}): unknown[] {
  const g = resolveGroup(options.group, 'broadcastObjectList');
  if (!g.isMember) return objectList;
  if (!Array.isArray(objectList)) throw new TypeError('broadcastObjectList: objectList must be an array');
  const n = objectList.length;
  const isSrc = g.globalRank(g.rank()) === src;
  g.groupRank(src, 'broadcastObjectList src');
  const parts = isSrc ? objectList.map((o) => encode(o, 'broadcastObjectList')) : [];
  const lengthsIn = isSrc ? BigInt64Array.from(parts, (p) => BigInt(p.length)) : new BigInt64Array(n);
  const sizes = torch.fromTypedArray(lengthsIn, [n], 'int64');
  let payload: Tensor | null = null;
  try {
    broadcast(sizes, src, { group: g });
    const lens = Array.from(sizes.data() as BigInt64Array, Number);
    const total = lens.reduce((a, b) => a + b, 0);
    const buf = new Uint8Array(Math.max(total, 1));
    if (isSrc) {
      let off = 0;
      for (const p of parts) {
        buf.set(p, off);
        off += p.length;
      }
    }
    payload = torch.fromTypedArray(buf, [buf.length], 'uint8');
    broadcast(payload, src, { group: g });
    if (!isSrc) {
      const got = payload.data() as Uint8Array;
      let off = 0;
      lens.forEach((len, i) => {
        objectList[i] = decode(got.subarray(off, off + len));
        off += len;
      });
    }
    return objectList;
  } finally {
    dispose(sizes, ...(payload ? [payload] : []));
  }
}

/**
 * Gathers every rank's obj into objectGatherList on dst (which must pass a list; the others pass
 * null). Returns the list on dst, null elsewhere.
 */
export function gatherObject(obj: unknown, objectGatherList: unknown[] | null, dst = 0, options: { group?: ProcessGroup } = {}): unknown[] | null {
  const g = resolveGroup(options.group, 'gatherObject');
  if (!g.isMember) return null;
  const root = g.groupRank(dst, 'gatherObject dst');
  const isDst = g.rank() === root;
  if (isDst && !Array.isArray(objectGatherList)) throw new TypeError(`gatherObject: objectGatherList must be an array on the destination rank ${dst}`);
  const bytes = encode(obj, 'gatherObject');
  const sizes = lengths(bytes.length, g);
  const max = Math.max(...sizes, 1);
  const mine = padded(bytes, max);
  const all = isDst ? sizes.map(() => torch.zeros([max], { dtype: 'uint8' })) : [];
  try {
    gather(mine, { gatherList: isDst ? all : null, dst, group: g });
    if (!isDst) return null;
    objectGatherList!.length = g.size();
    all.forEach((t, i) => (objectGatherList![i] = decode((t.data() as Uint8Array).subarray(0, sizes[i]))));
    return objectGatherList;
  } finally {
    dispose(mine, ...all);
  }
}
