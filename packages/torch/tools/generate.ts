// Writes src/generated/{tables,ops,private_ops,ops_ns,methods}.ts and docs/generated-ops.md from the
// operator schemas in tools/schemas.json (a snapshot of what libtorch registers), so the generated
// code does not depend on the libtorch installed.
//   npm run generate -w @monai-ts/torch                      regenerate from the snapshot
//   npm run generate -w @monai-ts/torch -- --refresh-schemas  first re-dump the snapshot from the built addon
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type { OpSchema, OpArgSchema } from '../src/native.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'src');
const outDir = join(srcDir, 'generated');
const snapshotFile = join(root, 'tools', 'schemas.json');

interface Snapshot {
  libtorch: string;
  ops: OpSchema[];
}

if (process.argv.includes('--refresh-schemas')) {
  const { native } = await import('../src/native.js');
  const ops = native.listOps().filter((s) => s.name.startsWith('aten::'));
  // One schema per line, so a libtorch upgrade shows as a readable diff.
  const body = ops.map((s) => JSON.stringify(s)).join(',\n');
  writeFileSync(snapshotFile, `{"libtorch": ${JSON.stringify(String(native.config().libtorch))}, "ops": [\n${body}\n]}\n`);
  console.log(`wrote ${ops.length} schemas to ${snapshotFile}`);
}
const snapshot = JSON.parse(readFileSync(snapshotFile, 'utf8')) as Snapshot;

// ---------------------------------------------------------------------------------------------
// Names written by hand. Read from the sources (not listed here), so a generated op gets every
// name that nothing hand-written defines: Tensor members declared outside src/generated (the
// class in tensor.ts and the `declare module` blocks of tensor_api.ts and others), and the
// functions the package's barrel exports from hand-written modules.
function handwrittenNames(): { methods: Set<string>; functions: Set<string> } {
  const index = join(srcDir, 'index.ts');
  const program = ts.createProgram([index], {
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    customConditions: ['source'], noEmit: true, skipLibCheck: true, strict: true,
  });
  const checker = program.getTypeChecker();
  const generated = resolve(outDir) + sep;
  const handwritten = (sym: ts.Symbol) => (sym.declarations ?? []).some((d) => !resolve(d.getSourceFile().fileName).startsWith(generated));

  const methods = new Set<string>();
  const tensorFile = program.getSourceFile(join(srcDir, 'tensor.ts'));
  const cls = tensorFile?.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === 'Tensor');
  if (!cls?.name) throw new Error('generate: class Tensor not found in src/tensor.ts');
  const type = checker.getDeclaredTypeOfSymbol(checker.getSymbolAtLocation(cls.name)!);
  for (const p of checker.getPropertiesOfType(type)) if (handwritten(p)) methods.add(p.name);
  // Object.prototype's own names: a method there would shadow or break JS itself.
  for (const n of Object.getOwnPropertyNames(Object.prototype)) methods.add(n);

  const functions = new Set<string>();
  const mod = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  for (const e of checker.getExportsOfModule(mod)) {
    const target = e.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(e) : e;
    if (handwritten(target)) functions.add(e.name);
  }
  return { methods, functions };
}
const { methods: HANDWRITTEN_METHODS, functions: HANDWRITTEN_FUNCTIONS } = handwrittenNames();
const JS_RESERVED = new Set(['var', 'delete', 'new', 'in', 'instanceof', 'typeof', 'void', 'with', 'default', 'import', 'export', 'function']);

// ---------------------------------------------------------------------------------------------
// Exclusions. Each rule says why its schemas get no binding; the first rule that matches names
// the reason in docs/generated-ops.md. (As tch-rs's gen.ml keeps its excluded list.)
const EXCLUDE: { why: string; test: (s: OpSchema, name: string) => boolean }[] = [
  // Python's operator aliases (__and__, __lshift__, __iand__...): the named op (bitwise_and...) is bound.
  { why: 'Python dunder alias of a named op', test: (_s, name) => name.startsWith('__') },
  // The native core cannot convert an argument or result of this type (Dimname, Storage, Stream,
  // QScheme, custom classes...); binding it would fail on every call.
  { why: 'argument or result type the native call cannot convert', test: (s) => s.unsupported !== '' },
  // out= variants write into a caller's tensor; the functional and in-place forms cover them, and
  // JS has no keyword arguments to keep `out` apart from the options.
  { why: 'out= variant (use the functional or in-place form)', test: (s) => /(^|_)out$/.test(s.overload) || s.args.some((a) => a.kwargOnly && a.write) },
];
function excludedWhy(s: OpSchema, name: string): string | null {
  for (const r of EXCLUDE) {
    if (!r.test(s, name)) continue;
    return r.why === EXCLUDE[1].why ? `${r.why}: ${s.unsupported}` : r.why;
  }
  return null;
}

// Private operators (leading underscore) and autograd's backward kernels are not part of the
// public torch namespace: they are exported under `torch.ops` only.
const isPrivate = (name: string) => name.startsWith('_') || /_backward(_|$)/.test(name);

// ---------------------------------------------------------------------------------------------
const CODE: Record<string, string> = {
  Tensor: 'T', 'Tensor[]': 'L', 'Tensor?[]': 'l', int: 'i', SymInt: 'i', 'int[]': 'I', 'SymInt[]': 'I', float: 'f',
  'float[]': 'F', bool: 'b', 'bool[]': 'B', Scalar: 's', str: 'S', ScalarType: 'd', Layout: 'y', Device: 'v',
  MemoryFormat: 'm', Generator: 'g',
};
// Argument types as declared. `strict` is what an overload takes at cost 0 (see dispatch.ts);
// the loose form adds what it converts at a cost (a number for a Tensor or a list).
const TS: Record<string, string> = {
  T: 'Tensor', L: 'Tensor[]', l: '(Tensor | null)[]', i: 'number', I: 'number[]', f: 'number',
  F: 'number[]', b: 'boolean', B: 'boolean[]', s: 'number | boolean', S: 'string', d: 'DType', y: 'Layout',
  v: 'Device', m: 'MemoryFormat', g: 'Generator',
};
const LOOSE: Record<string, string> = { T: 'Tensor | number', I: 'number | number[]', F: 'number | number[]' };

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

/**
 * The result types as the schema text spells them: the JIT type the native side reports for a
 * ScalarType result is plain `int`, which would lose the dtype.
 */
function returnTypes(s: OpSchema): string[] {
  const text = s.schema.slice(s.schema.lastIndexOf('->') + 2).trim();
  let inner = text;
  if (text.startsWith('(') && text.endsWith(')')) inner = text.slice(1, -1);
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of inner) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  const types = parts.map((p) => p.replace(/\([^()]*\)/g, '').trim().split(/\s+/)[0]);
  return types.length === s.returns.length ? types : s.returns.map((r) => r.type.replace(/\(.*?\)/g, ''));
}

const RET_TS: Record<string, string> = {
  Tensor: 'Tensor', 'Tensor?': 'Tensor | null', 'Tensor[]': 'Tensor[]', ScalarType: 'DType', int: 'number', SymInt: 'number',
  float: 'number', bool: 'boolean', Scalar: 'number | boolean', 'int[]': 'number[]', 'SymInt[]': 'number[]', 'float[]': 'number[]',
  str: 'string',
};

interface Gen {
  name: string;
  ov: Record<string, unknown>;
  pos: { name: string; code: string; nullable: boolean }[];
  opts: { name: string; code: string }[];
  ret: string;
  retTs: string;
  isMethod: boolean;
  dp: string[];
  va?: 'm' | 'f';
}

const skipped: { op: string; why: string }[] = [];

function tsArg(code: string, nullable: boolean, loose: boolean): string {
  let t = (loose && LOOSE[code]) || TS[code];
  if (nullable) t += ' | null';
  return t;
}

function convert(s: OpSchema, name: string): Gen | null {
  const full = `${s.name}${s.overload ? '.' + s.overload : ''}`;
  const why = excludedWhy(s, name);
  if (why) {
    skipped.push({ op: full, why });
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
  let retTs: string;
  const writeIdx = s.args.findIndex((a) => a.write);
  const rtypes = returnTypes(s);
  if (s.returns.length === 1 && s.returns[0].write && writeIdx >= 0) {
    ret = `a${writeIdx}`;
    retTs = 'Tensor';
  } else {
    for (const t of rtypes) ret += t === 'Tensor' || t === 'Tensor?' ? 'T' : t === 'Tensor[]' ? 'L' : t === 'ScalarType' ? 'd' : 'v';
    const one = rtypes.map((t) => RET_TS[t] ?? 'unknown');
    retTs = one.length === 0 ? 'void' : one.length === 1 ? one[0] : `[${one.join(', ')}]`;
  }
  const q = pos.map((p) => (p.nullable ? '1' : '0')).join('');
  const sig = s.schema.replace(/^aten::/, '');
  const isMethod = s.args.length > 0 && s.args[0].name === 'self' && baseType(s.args[0].type)?.code === 'T' && !baseType(s.args[0].type)!.nullable;
  const ov: Record<string, unknown> = {
    op: s.name, o: s.overload, p: pos.map((p) => p.code).join(''), pn: pos.map((p) => camel(p.name)), x, k, n: s.args.length, r: ret, sig,
  };
  if (dp.length) ov.dp = dp;
  if (q.includes('1')) ov.q = q;
  // Python's varargs sizes (python_arg_parser: allow_varargs_intlist): when a signature's only
  // positional argument (self aside, for a method) is an int list, the ints may come one by one:
  // x.view(2, 3), torch.zeros(2, 3), but not torch.flip(x, 0, 1) (two positional arguments there).
  const positional = s.args.filter((a) => !a.kwargOnly);
  const listCode = (a: OpArgSchema | undefined) => (a ? baseType(a.type)?.code : undefined);
  let va: Gen['va'];
  if (isMethod && positional.length === 2 && positional[0] === s.args[0] && listCode(positional[1]) === 'I' && pos.length === 2) va = 'm';
  else if (!isMethod && positional.length === 1 && listCode(positional[0]) === 'I' && pos.length === 1 && pos[0].code === 'I') va = 'f';
  if (va) ov.va = va;
  // Python's factories take requires_grad beside the TensorOptions (dtype, layout, device,
  // pin_memory); so do the *_like and new_* methods. It is set on the result.
  const hasTensorOptions = ['dtype', 'layout', 'device', 'pinMemory'].every((key) => key in k);
  if (hasTensorOptions && (!isMethod || /^new_|_like$/.test(name))) {
    ov.rg = 1;
    opts.push({ name: 'requiresGrad', code: 'b' });
  }
  return { name, ov, pos, opts, ret, retTs, isMethod, dp, va };
}

function optsType(opts: Gen['opts']): string {
  if (!opts.length) return '';
  return `{ ${opts.map((o) => `${o.name}?: ${tsArg(o.code, o.name !== 'requiresGrad', true)}`).join('; ')} }`;
}

const paramName = (n: string) => (JS_RESERVED.has(n) ? '_' + n : n);

/**
 * The declared call forms of one overload, with `skip` leading arguments dropped (1 for the
 * method form: self). Strict forms come first (what the overload takes at cost 0), then the
 * loose ones, so that TypeScript's first-match overload choice follows the runtime's lowest-cost
 * choice: torch.max(x, 1) is max.dim's [values, indices], not max.other's Tensor.
 */
function forms(g: Gen, skip: number, loose: boolean): string[] {
  // The first argument (self, mostly) is declared as a Tensor only, as before: a number there is legal but rare.
  const params = g.pos.slice(skip).map((p, i) => `${paramName(p.name)}: ${tsArg(p.code, p.nullable, loose && skip + i > 0)}`);
  const o = optsType(g.opts);
  const out = [[...params, ...(o ? [`options?: ${o}`] : [])].join(', ')];
  // Python-style form: defaulted arguments given positionally. Each may instead be the options
  // object for the arguments after it (torch.amax(x, 0, { keepdim: true })).
  if (g.dp.length) {
    const dps = g.dp.map((name) => {
      const opt = g.opts.find((x) => x.name === name)!;
      return `${paramName(name)}?: ${tsArg(opt.code, true, loose)} | ${o}`;
    });
    out.push([...params, ...dps, `options?: ${o}`].join(', '));
  }
  if (g.va && (skip === 1) === (g.va === 'm')) {
    const list = g.pos[g.pos.length - 1].name;
    out.push(o ? `...${paramName(list)}: number[] | [...number[], ${o}]` : `...${paramName(list)}: number[]`);
  }
  return out;
}

function declarations(gens: Gen[], skip: number, emit: (params: string, ret: string) => string): string {
  const seen = new Set<string>();
  let s = '';
  for (const loose of [false, true])
    for (const g of gens)
      for (const params of forms(g, skip, loose)) {
        const rt = skip === 1 && g.ret.startsWith('a') ? 'this' : g.retTs;
        const line = emit(params, rt);
        if (!seen.has(line)) s += line;
        seen.add(line);
      }
  return s;
}

// ---------------------------------------------------------------------------------------------
const all = snapshot.ops.filter((s) => s.name.startsWith('aten::'));
all.sort((a, b) => (a.name === b.name ? (a.overload === '' ? -1 : b.overload === '' ? 1 : 0) : a.name < b.name ? -1 : 1));
const byName = new Map<string, Gen[]>();
for (const s of all) {
  const name = s.name.slice('aten::'.length);
  const g = convert(s, name);
  if (!g) continue;
  if (!byName.has(name)) byName.set(name, []);
  byName.get(name)!.push(g);
}

const header = '// generated by tools/generate.ts from the libtorch ' + snapshot.libtorch + ' schemas in tools/schemas.json - do not edit\n/* eslint-disable */\n';
const opsHead = header + "import type { Tensor } from '../tensor.js';\nimport type { DType, Device, Layout, MemoryFormat } from '../dtype.js';\nimport type { Generator } from '../generator.js';\nimport { call } from '../dispatch.js';\nimport * as T from './tables.js';\n\n";
let tables = header + "import type { Overload } from '../dispatch.js';\n\n";
let ops = opsHead;
let privateOps = opsHead;
let methods = header + "import { Tensor } from '../tensor.js';\nimport type { DType, Device, Layout, MemoryFormat } from '../dtype.js';\nimport type { Generator } from '../generator.js';\nimport { call, callRest, methodTable } from '../dispatch.js';\nimport * as T from './tables.js';\n\ndeclare module '../tensor.js' {\n  interface Tensor {\n";
let methodImpl = '';
const renamed: string[] = [];
const privateRenamed: string[] = [];
const privateNames: string[] = [];
let nFunctions = 0;
let nMethods = 0;
for (const [name, gens] of byName) {
  const js = camel(name);
  const tname = `O_${name}`;
  tables += `export const ${tname}: Overload[] = ${JSON.stringify(gens.map((g) => g.ov))};\n`;
  const priv = isPrivate(name);
  if (!HANDWRITTEN_FUNCTIONS.has(js)) {
    const fname = JS_RESERVED.has(js) ? `${js}_fn` : js;
    let code = `const F_${name} = T.${tname};\n`;
    code += declarations(gens, 0, (params, rt) => `export function ${fname}(${params}): ${rt};\n`);
    code += `export function ${fname}(...a: any[]): any { return call(F_${name}, a); }\n`;
    if (priv) {
      privateOps += code;
      privateNames.push(js);
      if (fname !== js) privateRenamed.push(`${fname} as ${js}`);
    } else {
      ops += code;
      if (fname !== js) renamed.push(`${fname} as ${js}`);
    }
    nFunctions++;
  } else {
    skipped.push({ op: `aten::${name} (function)`, why: 'name taken by a hand-written function' });
  }
  // Tensor methods: Python's Tensor has no backward kernels.
  const mgens = /_backward(_|$)/.test(name) ? [] : gens.filter((g) => g.isMethod);
  if (mgens.length && !HANDWRITTEN_METHODS.has(js)) {
    methods += declarations(mgens, 1, (params, rt) => `    ${js}(${params}): ${rt};\n`);
    const mt = `M_${name}`;
    let table = mgens.length === gens.length ? `T.${tname}` : `T.${tname}.filter((o) => o.x[0] === 0 && o.p[0] === 'T')`;
    // Varargs packing applies to the method form only: such tables are marked as methods'.
    if (mgens.some((g) => g.va === 'm')) table = `methodTable(${table})`;
    methodImpl += `const ${mt} = ${table};\n`;
    // Fixed arity (the most arguments any overload takes): an array literal, no rest/unshift on
    // the common path. More arguments than that (varargs sizes, or a mistake) go to callRest,
    // which keeps them all, so choose() packs them or reports them; none is dropped.
    const arity = Math.max(...mgens.map((g) => g.pos.length - 1 + g.dp.length + 1));
    const params = Array.from({ length: arity }, (_, i) => `a${i}`);
    let pick = `[this${params.map((p) => `, ${p}`).join('')}]`;
    for (let k = arity - 1; k >= 0; k--) pick = `n === ${k} ? [this${params.slice(0, k).map((p) => `, ${p}`).join('')}] : ${pick}`;
    methodImpl += `P.${js} = function (this: Tensor, ${params.map((p) => `${p}?: any`).join(', ')}) { const n = arguments.length; return n > ${arity} ? callRest(${mt}, this, ...arguments) : call(${mt}, ${pick}); };\n`;
    nMethods++;
  } else if (mgens.length) {
    skipped.push({ op: `aten::${name} (method)`, why: 'name taken by a hand-written Tensor member' });
  }
}
if (renamed.length) ops += `export { ${renamed.join(', ')} };\n`;
if (privateRenamed.length) privateOps += `export { ${privateRenamed.join(', ')} };\n`;
methods += '  }\n}\n\nconst P = Tensor.prototype as any;\n' + methodImpl;
const opsNs = `${header}// torch.ops: every generated function, the private (_-prefixed) ones and backward kernels included.\nexport * from './ops.js';\nexport * from './private_ops.js';\n`;

mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'tables.ts'), tables);
writeFileSync(join(outDir, 'ops.ts'), ops);
writeFileSync(join(outDir, 'private_ops.ts'), privateOps);
writeFileSync(join(outDir, 'ops_ns.ts'), opsNs);
writeFileSync(join(outDir, 'methods.ts'), methods);
const doc = `# Generated operators

Generated by \`packages/torch/tools/generate.ts\` from the libtorch ${snapshot.libtorch} operator schemas
snapshotted in \`packages/torch/tools/schemas.json\` (\`npm run generate\` regenerates from the snapshot;
\`npm run generate -w @monai-ts/torch -- --refresh-schemas\` first re-dumps it from the built addon).
${nFunctions} functions (${nFunctions - privateNames.length} in the \`torch\` namespace, ${privateNames.length} only under
\`torch.ops\`) and ${nMethods} Tensor methods; ${skipped.length} schemas or names skipped.

## Calling convention and overload choice

- Required arguments are positional in schema order; arguments with defaults and keyword-only
  arguments go in a trailing options object with camelCase keys (\`align_corners\` -> \`alignCorners\`).
  As in Python, defaulted arguments that are not keyword-only may also be given positionally
  (\`torch.arange(0, 1, 0.25)\`), and required ones by name in the options object (\`x.sum({ dim: [1] })\`).
- Varargs sizes follow Python's rule: where a signature's only positional argument (self aside, for a
  method) is an int list, the ints may be given one by one, any number of them: \`x.view(2, 3, 4)\`,
  \`x.permute(2, 0, 1)\`, \`torch.zeros(2, 3, { dtype: 'float64' })\`; not \`torch.flip(x, 0, 1)\` (two positional
  arguments there, as in Python). A call with more arguments than any overload takes throws.
- Factories (ops with \`dtype\`, \`layout\`, \`device\`, \`pinMemory\`, and the \`*_like\`/\`new_*\` methods)
  also take \`requiresGrad\`, as Python's do: \`torch.randn(3, { requiresGrad: true })\`.
- An unknown option key throws a TypeError naming the op and the key, with a "did you mean" suggestion.
- \`Tensor?\` accepts \`null\`; \`int[]\` accepts a number (repeated for fixed-size lists such as \`int[3]\`);
  \`Scalar\` is a number or boolean; \`ScalarType\` is a dtype name (\`'float32'\`), also as a result
  (\`torch.resultType\`, \`torch.promoteTypes\`); \`Device\` is \`'cpu'\` or \`'cuda:N'\`;
  \`Generator\` is a \`torch.Generator\` or null (the default generator).
- A number where a Tensor is expected becomes a wrapped scalar, which takes part in type promotion as a
  Python scalar does. JS has one number type: an integral value is an int, so \`x.mul(2)\` on an int
  tensor stays int (Python's \`x * 2.0\` would give float; use \`x.mul(2.5)\` or cast first).
- Overloads: among those whose positional count, argument kinds and option names fit, the lowest cost
  wins (a number for a Tensor costs 1, a single number for a list costs 1, all else 0); ties go to the
  overload listed first: the unnamed overload, then the dispatcher's registration order. The
  declarations list each op's cost-0 forms before the converting ones, so TypeScript's choice and
  result type agree with the runtime's: \`torch.max(x, 1)\` is typed \`[Tensor, Tensor]\`.
- Ops returning several results return an array typed as a tuple (\`const [values, indices] = x.sort()\`).
- In-place ops (\`add_\`) and ops that return an argument return that same JS object.
- Names: snake_case becomes camelCase, leading and trailing underscores kept (\`_log_softmax\` ->
  \`_logSoftmax\`, \`index_put_\` -> \`indexPut_\`). \`var\` is exported as \`var\` through an alias.
- Private operators (leading underscore) and backward kernels (\`*_backward\`) are exported under
  \`torch.ops\` only (\`torch.ops._logSoftmax\`, \`torch.ops.convolutionBackward\`); \`torch.ops\` also holds every
  public function. Tensor methods keep the \`_\`-prefixed ops (as Python's Tensor does), not backward kernels.
- Names defined by hand (Tensor members declared outside \`src/generated\`, functions exported from
  hand-written modules) are read from the sources when generating and never overwritten.

## Exclusion rules

${EXCLUDE.map((r) => `- ${r.why}`).join('\n')}
- name taken by a hand-written function or Tensor member (the hand-written one is kept)

## Skipped

| schema | why |
| --- | --- |
${skipped.map((s) => `| \`${s.op}\` | ${s.why.replace(/\|/g, '\\|')} |`).join('\n')}
`;
writeFileSync(join(root, '..', '..', 'docs', 'generated-ops.md'), doc);
console.log(`generated ${nFunctions} functions (${privateNames.length} under torch.ops only), ${nMethods} methods; skipped ${skipped.length}`);
