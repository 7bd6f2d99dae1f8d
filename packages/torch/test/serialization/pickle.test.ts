// The restricted unpickler: refusal of unknown globals, opcode coverage, pickle writer round trips.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '../../src/index.js';
import { load, loadRaw, saveToBuffer, tuple, isTuple, PickleError, UnsafeGlobalError } from '../../src/serialization/index.js';
import { unpickle, type UnpicklePolicy } from '../../src/serialization/unpickler.js';
import { Pickler } from '../../src/serialization/pickler.js';
import { ZipWriter } from '../../src/serialization/zip.js';
import { PyDict, PyTuple } from '../../src/serialization/pyvalues.js';

const start = torch.memory().liveTensors;
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'monai-ts-pickle-'));
const marker = path.join(tmp, 'pwned');

/** Wrap a pickle into a torch.save-style zip archive. */
function zipWith(pkl: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const z = new ZipWriter((c) => parts.push(c));
  z.add('archive/data.pkl', pkl);
  z.add('archive/version', latin1('3\n'));
  z.finish();
  return Buffer.concat(parts);
}

const MALICIOUS: [string, Uint8Array, string][] = [
  // protocol 0: os.system('touch marker')
  ['GLOBAL os.system (protocol 0)', latin1(`cos\nsystem\n(S'touch ${marker}'\ntR.`), 'os.system'],
  // protocol 2, as pickle.dumps would write posix.system
  ['GLOBAL posix.system (protocol 2)', latin1(`\x80\x02cposix\nsystem\nq\x00X\x05\x00\x00\x00touchq\x01\x85q\x02Rq\x03.`), 'posix.system'],
  // protocol 4 STACK_GLOBAL builtins.eval
  ['STACK_GLOBAL builtins.eval (protocol 4)', latin1(`\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x08builtins\x94\x8c\x04eval\x94\x93\x94\x8c\x041+1\x94\x85\x94R\x94.`), 'builtins.eval'],
  // INST subprocess.Popen
  ['INST subprocess.Popen', latin1(`(S'touch'\nisubprocess\nPopen\n.`), 'subprocess.Popen'],
  // copyreg._reconstructor (how plain Python objects are pickled)
  ['copyreg._reconstructor', latin1(`\x80\x02ccopyreg\n_reconstructor\nq\x00.`), 'copyreg._reconstructor'],
  // a global nested inside an otherwise valid dict
  ['global nested in a dict', latin1(`\x80\x02}q\x00X\x01\x00\x00\x00aq\x01cos\nsystem\nq\x02s.`), 'os.system'],
  // names of Object.prototype members: the dtype and storage-class tables must not "contain" them
  ['GLOBAL torch.constructor', latin1(`\x80\x02ctorch\nconstructor\nq\x00.`), 'torch.constructor'],
  ['GLOBAL torch.toString', latin1(`\x80\x02ctorch\ntoString\nq\x00.`), 'torch.toString'],
];

for (const [name, pkl, global] of MALICIOUS) {
  test(`refuses ${name} without running anything`, () => {
    // As a legacy-format body and inside a zip archive.
    assert.throws(() => loadRaw(pkl), (e: Error) => e instanceof UnsafeGlobalError && e.message.includes(`'${global}'`) && /Nothing was executed/.test(e.message));
    const p = path.join(tmp, 'evil.pt');
    fs.writeFileSync(p, zipWith(pkl));
    assert.throws(() => load(p), (e: Error) => e instanceof UnsafeGlobalError && e.message.includes(p) && e.message.includes(global));
    assert.equal(fs.existsSync(marker), false);
  });
}

test('the VM stops at the refused global: nothing after it reaches the policy', () => {
  const calls: string[] = [];
  const policy: UnpicklePolicy = {
    findGlobal(m, n) { calls.push(`global ${m}.${n}`); throw new Error(`refused ${m}.${n}`); },
    reduce() { calls.push('reduce'); return null; },
    newObj() { calls.push('newObj'); return null; },
    build() { calls.push('build'); return null; },
    persistentLoad() { calls.push('persid'); return null; },
  };
  assert.throws(() => unpickle(MALICIOUS[0]![1], policy), /refused os.system/);
  assert.deepEqual(calls, ['global os.system']);
});

test('allowed globals cannot be abused: calling a storage class, BUILD on a list, whole-module pickles', () => {
  // torch.FloatStorage is allowed as a storage type but is not callable.
  assert.throws(() => loadRaw(latin1(`\x80\x02ctorch\nFloatStorage\n)R.`)), /not callable/);
  assert.throws(() => loadRaw(latin1(`\x80\x02]}b.`)), /BUILD .*not allowed on a list/);
  assert.throws(() => loadRaw(zipWith(latin1(`\x80\x02(X\x06\x00\x00\x00moduleNNNtQ.`))), /whole pickled module/);
  assert.throws(() => loadRaw(zipWith(latin1(`\x80\x02(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ.`))), /storage record 'archive\/data\/0' is missing/);
  assert.throws(() => loadRaw(latin1(`\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(K\x01K\x00)tR.`)), /needs 6 arguments/);
});

test('truncated and corrupt pickles give errors, never hangs or crashes', () => {
  const good = saveToBuffer({ a: [1, 2.5, 'x', null, true], b: tuple(3, 4), c: new Map([[1, 2n ** 80n]]) });
  // Every prefix of data.pkl (inside a valid zip) must fail cleanly.
  const parsed = loadRaw(good);
  assert.equal(parsed.c.get(1), 2n ** 80n);
  const pkl = new Pickler();
  pkl.save({ a: [1, 2.5, 'x', null, true], b: tuple(3, 4) });
  const bytes = pkl.finish();
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => loadRaw(zipWith(bytes.subarray(0, n))), (e: Error) => e instanceof PickleError || /truncated|corrupt|not a/.test(e.message), `prefix ${n}`);
  }
  assert.throws(() => loadRaw(zipWith(latin1('\x80\x02\xff.'))), /unknown pickle opcode 0xff/);
  assert.throws(() => loadRaw(zipWith(latin1('\x80\x02h\x05.'))), /memo key 5 not found/);
  assert.throws(() => loadRaw(zipWith(latin1('\x80\x02t.'))), /no MARK/);
});

test('opcode coverage: protocols 0-5 values', () => {
  const policy: UnpicklePolicy = {
    findGlobal: () => { throw new Error('no'); }, reduce: () => null, newObj: () => null, build: (i) => i, persistentLoad: () => null,
  };
  const run = (s: string | Uint8Array) => unpickle(typeof s === 'string' ? latin1(s) : s, policy).value;
  // protocol 0 text opcodes
  assert.equal(run('I42\n.'), 42);
  assert.equal(run('I01\n.'), true);
  assert.equal(run('L123456789012345678901234567890L\n.'), 123456789012345678901234567890n);
  assert.equal(run('F2.5\n.'), 2.5);
  assert.equal(run("S'a\\nb'\n."), 'a\nb');
  assert.equal(run('Vcaf\\u00e9\n.'), 'café');
  const l = run('(lp0\nI1\naI2\na.') as unknown[];
  assert.deepEqual(l, [1, 2]);
  const d = run("(dp0\nS'k'\np1\nI7\ns.") as PyDict;
  assert.equal(d.map.get('k'), 7);
  // protocol 2+: LONG1 negatives, BINFLOAT, short/long unicode, bytes, sets, frozensets, memoize, frames
  assert.equal(run('\x80\x02\x8a\x01\xff.'), -1);
  assert.equal(run('\x80\x02\x8a\x00.'), 0);
  assert.equal(run('\x80\x02J\xfe\xff\xff\xff.'), -2);
  assert.equal(run('\x80\x02G\xbf\xf8\x00\x00\x00\x00\x00\x00.'), -1.5);
  assert.equal(run('\x80\x04\x8c\x03abc\x94.'), 'abc');
  assert.deepEqual(run('\x80\x03C\x02\x01\x02.'), new Uint8Array([1, 2]));
  assert.deepEqual(run('\x80\x05\x96\x01\x00\x00\x00\x00\x00\x00\x00\x07.'), new Uint8Array([7]));
  const t = run('\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01K\x02\x86\x94h\x00\x86.') as PyTuple;
  assert.ok(t instanceof PyTuple && t.items[0] === t.items[1]);
  assert.throws(() => run('\x80\x05\x97.'), /out-of-band/);
});

test('writer round trip: nesting, tuples, Maps, ints, bigints, floats, strings, bytes, shared and cyclic lists', () => {
  const shared = [1, 2];
  const cyc: unknown[] = ['self'];
  cyc.push(cyc);
  const value = {
    ints: [0, 1, 255, 256, 65535, 65536, -1, -2147483648, 2147483647, 2147483648, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER],
    big: [2n ** 64n, -(2n ** 64n), 2n ** 200n],
    floats: [0.5, -0, NaN, Infinity, -Infinity, 1e300, 5e-324],
    str: ['', 'ascii', 'héllo ✓ 😀', '\u0000\n'],
    none: null, t: true, f: false,
    tup: tuple<unknown>(1, tuple(), tuple('a'), tuple(1, 2, 3, 4)),
    map: new Map<unknown, unknown>([[1, 'one'], [-5, 'neg'], ['s', 'str'], [tuple(1, 2), 'tuplekey']]),
    bytes: new Uint8Array([0, 255, 10]),
    shared: [shared, shared],
    cyc,
    many: Array.from({ length: 2500 }, (_, i) => i),
    proto: JSON.parse('{"__proto__": 5}'),
  };
  const back = loadRaw(saveToBuffer(value));
  assert.deepEqual(back.ints, value.ints);
  assert.deepEqual(back.big, value.big);
  assert.ok(Object.is(back.floats[1], -0) && Number.isNaN(back.floats[2]));
  assert.deepEqual(back.floats.slice(3), value.floats.slice(3));
  assert.deepEqual(back.str, value.str);
  assert.equal(back.none, null);
  assert.equal(back.t, true);
  assert.ok(isTuple(back.tup) && isTuple(back.tup[1]) && back.tup[3].length === 4);
  assert.ok(back.map instanceof Map && back.map.get(-5) === 'neg');
  assert.deepEqual([...back.map.keys()].slice(0, 3), [1, -5, 's']);
  assert.deepEqual(back.bytes, value.bytes);
  assert.equal(back.shared[0], back.shared[1]);
  assert.equal(back.cyc[1], back.cyc);
  assert.deepEqual(back.many, value.many);
  assert.equal(Object.getOwnPropertyDescriptor(back.proto, '__proto__')?.value, 5);
  assert.throws(() => saveToBuffer({ f: () => 1 }), /cannot save a function at <root>.f/);
  assert.throws(() => saveToBuffer({ d: new Date() }), /cannot save a Date at <root>.d/);
});

after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(torch.memory().liveTensors, start, 'live tensors back to the start value');
});
