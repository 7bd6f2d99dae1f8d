// Writes src/generated/{tables,ops,methods}.ts and docs/generated-ops.md from the operator
// schemas registered in the built addon's libtorch. Run: npm run generate -w @monai-ts/torch
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native, type OpSchema, type OpArgSchema } from '../src/native.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'src', 'generated');

// Tensor members written by hand (tensor.ts, api.ts): no generated method may take these names.
const HANDWRITTEN_METHODS = new Set([
  'shape', 'dtype', 'device', 'ndim', 'dim', 'size', 'numel', 'stride', 'requiresGrad', 'requiresGrad_', 'grad',
  'isLeaf', 'gradFn', 'retainGrad', 'retainsGrad', 'backward', 'item', 'data', 'toTypedArray', 'is', 'share',
  'dispose', 'isDisposed', 'handle', 'to', 'toArray', 'toString', 'at', 'assign', 'cpu', 'cuda', 'float',
  'double', 'long', 'int', 'bool', 'half', 'bfloat16', 'byte', 'char', 'short', 'type', 'constructor', 'isCuda',
  'isCpu', 'tolist', 'valueOf', 'outputNr', '_version', 'isSameSize', 'alias', 'storageOffset', 'withData',
]);
// Functions written by hand in api.ts.
const HANDWRITTEN_FUNCTIONS = new Set(['tensor', 'fromTypedArray', 'tidy', 'keep', 'dispose', 'memory', 'manualSeed', 'emptyCache']);
const JS_RESERVED = new Set(['var', 'delete', 'new', 'in', 'instanceof', 'typeof', 'void', 'with', 'default', 'import', 'export', 'function']);

const CODE: Record<string, string> = {
  Tensor: 'T', 'Tensor[]': 'L', 'Tensor?[]': 'l', int: 'i', SymInt: 'i', 'int[]': 'I', 'SymInt[]': 'I', float: 'f',
  'float[]': 'F', bool: 'b', 'bool[]': 'B', Scalar: 's', str: 'S', ScalarType: 'd', Layout: 'y', Device: 'v',
  MemoryFormat: 'm', Generator: 'g',
};
const TS: Record<string, string> = {
  T: 'Tensor', L: 'Tensor[]', l: '(Tensor | null)[]', i: 'number', I: 'number | number[]', f: 'number',
  F: 'number | number[]', b: 'boolean', B: 'boolean[]', s: 'number | boolean', S: 'string', d: 'DType', y: 'Layout',
  v: 'Device', m: 'MemoryFormat', g: 'Generator',
};

function baseType(t: string): { code: string; nullable: boolean } | null {
  let s = t.replace(/\(.*?\)/g, '');
  let nullable = false;
  if (s.endsWith('?')) {
    nullable = true;
    s = s.slice(0, -1);
  }
  s = s.replace(/\[\d+\]$/, '[]');
  const code = CODE[s];
  return code ? { code, nullable } : null;
}

function camel(name: string): string {
  const lead = /^_*/.exec(name)![0];
  const trail = /_*$/.exec(name.slice(lead.length))![0];
  const core = name.slice(lead.length, name.length - trail.length);
  return lead + core.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) + trail;
}

interface Gen {
  ov: Record<string, unknown>;
  pos: { name: string; code: string; nullable: boolean }[];
  opts: { name: string; code: string }[];
  ret: string;
  isMethod: boolean;
  dp: string[];
}

const skipped: { op: string; why: string }[] = [];

function tsArg(code: string, nullable: boolean, first: boolean): string {
  let t = TS[code];
  if (code === 'T' && !first) t = 'Tensor | number';
  if (nullable) t += ' | null';
  return t;
}

function convert(s: OpSchema): Gen | null {
  const full = `${s.name}${s.overload ? '.' + s.overload : ''}`;
  if (s.unsupported) {
    skipped.push({ op: full, why: s.unsupported });
    return null;
  }
  if (/(^|_)out$/.test(s.overload) || s.args.some((a) => a.kwargOnly && a.write)) {
    skipped.push({ op: full, why: 'out= variant (use the functional or in-place form)' });
    return null;
  }
  const pos: Gen['pos'] = [];
  const dp: string[] = [];
  const x: number[] = [];
  const k: Record<string, [number, string]> = {};
  const opts: Gen['opts'] = [];
  s.args.forEach((a: OpArgSchema, i: number) => {
    const b = baseType(a.type)!;
    // Required keyword-only arguments (round's decimals) are required too: positional or by name.
    if (!a.hasDefault && !(a.kwargOnly && b.nullable)) {
      pos.push({ name: a.name, code: b.code, nullable: b.nullable });
      x.push(i);
    } else {
      const key = camel(a.name);
      k[key] = [i, b.code];
      opts.push({ name: key, code: b.code });
      if (!a.kwargOnly) dp.push(key);
    }
  });
  let ret = '';
  const writeIdx = s.args.findIndex((a) => a.write);
  if (s.returns.length === 1 && s.returns[0].write && writeIdx >= 0) ret = `a${writeIdx}`;
  else
    for (const r of s.returns) {
      const t = r.type.replace(/\(.*?\)/g, '');
      ret += t === 'Tensor' || t === 'Tensor?' ? 'T' : t === 'Tensor[]' ? 'L' : t === 'ScalarType' ? 'd' : 'v';
    }
  const q = pos.map((p) => (p.nullable ? '1' : '0')).join('');
  const sig = s.schema.replace(/^aten::/, '');
  const ov: Record<string, unknown> = {
    op: s.name, o: s.overload, p: pos.map((p) => p.code).join(''), pn: pos.map((p) => camel(p.name)), x, k, n: s.args.length, r: ret, sig,
  };
  if (dp.length) ov.dp = dp;
  if (q.includes('1')) ov.q = q;
  const isMethod = s.args.length > 0 && s.args[0].name === 'self' && baseType(s.args[0].type)?.code === 'T' && !baseType(s.args[0].type)!.nullable;
  return { ov, pos, opts, ret, isMethod, dp };
}

function retType(ret: string): string {
  if (ret.startsWith('a')) return 'Tensor';
  if (ret === '') return 'void';
  const one = (c: string) => (c === 'T' ? 'Tensor' : c === 'L' ? 'Tensor[]' : c === 'd' ? 'DType' : 'any');
  if (ret.length === 1) return one(ret);
  return `[${[...ret].map(one).join(', ')}]`;
}

// Python's varargs form of a lone int-list argument after the leading Tensors (x.view(2, 3)).
function varargsForm(g: Gen, skip: number): string | null {
  const codes = g.pos.map((p) => p.code);
  const lead = codes.findIndex((c) => c !== 'T');
  if (lead < 0 || lead !== codes.length - 1 || codes[lead] !== 'I') return null;
  const params = g.pos.slice(skip, lead).map((p) => `${JS_RESERVED.has(p.name) ? '_' + p.name : p.name}: Tensor`);
  const o = g.opts.length ? optsType(g.opts).replace(/^options\?: /, '') : '';
  params.push(o ? `...${g.pos[lead].name}: number[] | [...number[], ${o}]` : `...${g.pos[lead].name}: number[]`);
  return params.join(', ');
}

// Python-style form: defaulted arguments given positionally. Each may instead be the options
// object for the arguments after it (torch.amax(x, 0, { keepdim: true })).
function positionalDefaults(g: Gen): string[] {
  const all = optsType(g.opts).replace(/^options\?: /, '');
  const out = g.dp.map((name) => {
    const o = g.opts.find((x) => x.name === name)!;
    return `${JS_RESERVED.has(name) ? '_' + name : name}?: ${tsArg(o.code, true, false)} | ${all}`;
  });
  out.push(`options?: ${all}`);
  return out;
}

function optsType(opts: Gen['opts']): string {
  if (!opts.length) return '';
  return `options?: { ${opts.map((o) => `${JSON.stringify(o.name).replace(/"/g, '')}?: ${tsArg(o.code, true, false)}`).join('; ')} }`;
}

const all = native.listOps().filter((s) => s.name.startsWith('aten::'));
all.sort((a, b) => (a.name === b.name ? (a.overload === '' ? -1 : b.overload === '' ? 1 : 0) : a.name < b.name ? -1 : 1));
const byName = new Map<string, Gen[]>();
for (const s of all) {
  const name = s.name.slice('aten::'.length);
  if (name.startsWith('__')) {
    skipped.push({ op: s.name, why: 'Python dunder alias of a named op' });
    continue;
  }
  const g = convert(s);
  if (!g) continue;
  if (!byName.has(name)) byName.set(name, []);
  byName.get(name)!.push(g);
}

const header = '// generated by tools/generate.ts from libtorch ' + String(native.config().libtorch) + ' - do not edit\n/* eslint-disable */\n';
let tables = header + "import type { Overload } from '../dispatch.js';\n\n";
let ops = header + "import type { Tensor } from '../tensor.js';\nimport type { DType, Device, Layout, MemoryFormat } from '../dtype.js';\nimport type { Generator } from '../generator.js';\nimport { call } from '../dispatch.js';\nimport * as T from './tables.js';\n\n";
let methods = header + "import { Tensor } from '../tensor.js';\nimport type { DType, Device, Layout, MemoryFormat } from '../dtype.js';\nimport type { Generator } from '../generator.js';\nimport { call } from '../dispatch.js';\nimport * as T from './tables.js';\n\ndeclare module '../tensor.js' {\n  interface Tensor {\n";
let methodImpl = '';
const exportsRenamed: string[] = [];
let nFunctions = 0;
let nMethods = 0;
for (const [name, gens] of byName) {
  const js = camel(name);
  const tname = `O_${name}`;
  tables += `export const ${tname}: Overload[] = ${JSON.stringify(gens.map((g) => g.ov))};\n`;
  if (!HANDWRITTEN_FUNCTIONS.has(js)) {
    const fname = JS_RESERVED.has(js) ? `${js}_fn` : js;
    ops += `const F_${name} = T.${tname};\n`;
    for (const g of gens) {
      const params = g.pos.map((p, i) => `${JSON.stringify(p.name) === `"${p.name}"` && !JS_RESERVED.has(p.name) ? p.name : '_' + p.name}: ${tsArg(p.code, p.nullable, i === 0)}`);
      const o = optsType(g.opts);
      ops += `export function ${fname}(${[...params, ...(o ? [o] : [])].join(', ')}): ${retType(g.ret)};\n`;
      if (g.dp.length) ops += `export function ${fname}(${[...params, ...positionalDefaults(g)].join(', ')}): ${retType(g.ret)};\n`;
      const va = varargsForm(g, 0);
      if (va) ops += `export function ${fname}(${va}): ${retType(g.ret)};\n`;
    }
    ops += `export function ${fname}(...a: any[]): any { return call(F_${name}, a); }\n`;
    if (fname !== js) exportsRenamed.push(`${fname} as ${js}`);
    nFunctions++;
  }
  const mgens = gens.filter((g) => g.isMethod);
  if (mgens.length && !HANDWRITTEN_METHODS.has(js)) {
    for (const g of mgens) {
      const params = g.pos.slice(1).map((p) => `${JS_RESERVED.has(p.name) ? '_' + p.name : p.name}: ${tsArg(p.code, p.nullable, false)}`);
      const o = optsType(g.opts);
      const rt = g.ret.startsWith('a') ? 'this' : retType(g.ret);
      methods += `    ${js}(${[...params, ...(o ? [o] : [])].join(', ')}): ${rt};\n`;
      if (g.dp.length) methods += `    ${js}(${[...params, ...positionalDefaults(g)].join(', ')}): ${rt};\n`;
      const va = varargsForm(g, 1);
      if (va) methods += `    ${js}(${va}): ${rt};\n`;
    }
    const mt = `M_${name}`;
    methodImpl += mgens.length === gens.length ? `const M_${name} = T.${tname};\n` : `const M_${name} = T.${tname}.filter((o) => o.x[0] === 0 && o.p[0] === 'T');\n`;
    // Fixed arity (the most arguments any overload takes): an array literal, no rest/unshift.
    const arity = Math.max(...mgens.map((g) => g.pos.length - 1 + g.dp.length + 1));
    const params = Array.from({ length: arity }, (_, i) => `a${i}`);
    // An array of exactly the arguments given, so that call() has nothing to trim.
    let pick = `[this${params.map((p) => `, ${p}`).join('')}]`;
    for (let k = arity - 1; k >= 0; k--) pick = `n === ${k} ? [this${params.slice(0, k).map((p) => `, ${p}`).join('')}] : ${pick}`;
    methodImpl += `P.${js} = function (this: Tensor, ${params.map((p) => `${p}?: any`).join(', ')}) { const n = arguments.length; return call(${mt}, ${pick}); };\n`;
    nMethods++;
  } else if (mgens.length) {
    skipped.push({ op: `aten::${name} (method)`, why: 'name taken by a hand-written Tensor member' });
  }
}
if (exportsRenamed.length) ops += `export { ${exportsRenamed.join(', ')} };\n`;
methods += '  }\n}\n\nconst P = Tensor.prototype as any;\n' + methodImpl;

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'tables.ts'), tables);
writeFileSync(join(outDir, 'ops.ts'), ops);
writeFileSync(join(outDir, 'methods.ts'), methods);
const doc = `# Generated operators

Generated by \`packages/torch/tools/generate.ts\` from the schemas registered in libtorch ${String(native.config().libtorch)}
(\`npm run generate\` regenerates). ${nFunctions} functions and ${nMethods} Tensor methods; ${skipped.length} schemas skipped.

## Calling convention and overload choice

- Required arguments are positional in schema order; arguments with defaults and keyword-only
  arguments go in a trailing options object with camelCase keys (\`align_corners\` -> \`alignCorners\`).
  As in Python, defaulted arguments that are not keyword-only may also be given positionally
  (\`torch.arange(0, 1, 0.25)\`), required ones by name in the options object (\`x.sum({ dim: [1] })\`),
  and a lone int-list argument as varargs (\`x.view(2, 3)\`, \`torch.zeros(2, 3)\`; tried only when no
  overload fits the arguments as given).
- \`Tensor?\` accepts \`null\`; \`int[]\` accepts a number (repeated for fixed-size lists such as \`int[3]\`);
  \`Scalar\` is a number or boolean; \`ScalarType\` is a dtype name (\`'float32'\`); \`Device\` is \`'cpu'\` or \`'cuda:N'\`;
  \`Generator\` is a \`torch.Generator\` or null (the default generator).
- A number where a Tensor is expected becomes a wrapped scalar, which takes part in type promotion as a
  Python scalar does. JS has one number type: an integral value is an int, so \`x.mul(2)\` on an int
  tensor stays int (Python's \`x * 2.0\` would give float; use \`x.mul(2.5)\` or cast first).
- Overloads: among those whose positional count, argument kinds and option names fit, the lowest cost
  wins (a number for a Tensor costs 1, a single number for a list costs 1, all else 0); ties go to the
  overload listed first: the unnamed overload, then the dispatcher's registration order.
- In-place ops (\`add_\`) and ops that return an argument return that same JS object.
- Names: snake_case becomes camelCase, leading and trailing underscores kept (\`_log_softmax\` ->
  \`_logSoftmax\`, \`index_put_\` -> \`indexPut_\`). \`var\` is exported as \`var\` through an alias.

## Skipped

| schema | why |
| --- | --- |
${skipped.map((s) => `| \`${s.op}\` | ${s.why.replace(/\|/g, '\\|')} |`).join('\n')}
`;
writeFileSync(join(root, '..', '..', 'docs', 'generated-ops.md'), doc);
console.log(`generated ${nFunctions} functions, ${nMethods} methods; skipped ${skipped.length}`);
