/**
 * MONAI's CSVIterableDataset: rows of one or more CSV files as dictionaries, streamed in chunks of
 * `chunksize` rows (chunk i of every file read together and joined on their common columns, an inner join
 * as pandas.merge), with pandas' per-chunk type inference (numbers, booleans, strings; missing values NaN),
 * `colNames`, `colTypes` (fill defaults, then convert), `colGroups` (new columns holding lists of others),
 * and optionally a ShuffleBuffer of `bufferSize` rows (MONAI's seeds: each iteration adds 1 to `seed`, and
 * the buffer adds 1 again). Each iteration reopens the files (MONAI needs `reset()` for a second pass).
 */
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { type TransformLike, MAX_SEED } from '../transforms/transform.js';
import { RandomState } from '../utils/random_state.js';
import { IterableDataset } from './iterable_dataset.js';
import { checkOptions } from './options.js';

/** A cell after type inference. */
export type CsvValue = string | number | boolean;

export interface CSVIterableDatasetOptions {
  /** rows per chunk (default 1000) */
  chunksize?: number;
  /** rows in the shuffle buffer (default 2 x chunksize) */
  bufferSize?: number | null;
  /** columns to keep (default all) */
  colNames?: readonly string[] | null;
  /** per column: `type` ('int', 'float', 'str', 'bool') and `default` (fills missing values first) */
  colTypes?: Record<string, { type?: 'int' | 'float' | 'str' | 'bool'; default?: CsvValue | null } | null> | null;
  /** new columns holding the listed columns' values, e.g. { ehr: ['ehr_0', 'ehr_1'] } */
  colGroups?: Record<string, readonly string[]> | null;
  transform?: TransformLike | readonly TransformLike[] | null;
  /** draw rows from a buffer at random (default false) */
  shuffle?: boolean;
  seed?: number;
}

// pandas 1.5's default missing-value strings
const NA = new Set(['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'n/a', 'nan', 'null']);
const TRUE = new Set(['True', 'TRUE', 'true']);
const FALSE = new Set(['False', 'FALSE', 'false']);
const INT = /^[+-]?\d+$/;
const FLOAT = /^[+-]?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?|inf|infinity)$/i;

/** Rows of a CSV file as string arrays (quotes, doubled quotes and quoted newlines handled), read as a stream. */
async function* csvRows(file: string): AsyncGenerator<string[], void, undefined> {
  const decoder = new StringDecoder('utf8');
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let quoteSeen = false; // decided by the next character, which may be in the next chunk
  let afterQuote = false;
  let pendingCR = false;
  const stream = fs.createReadStream(file);
  try {
    for await (const buf of stream) {
      const text = decoder.write(buf as Buffer);
      const out: string[][] = [];
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (pendingCR) {
          pendingCR = false;
          if (c === '\n') continue;
        }
        if (quoted && quoteSeen) {
          // a quote inside a quoted field: doubled means a literal quote, else it closed the field
          quoteSeen = false;
          if (c === '"') {
            cell += '"';
            continue;
          }
          quoted = false;
          afterQuote = true;
        }
        if (quoted) {
          if (c === '"') quoteSeen = true;
          else cell += c;
        } else if (c === '"' && cell === '' && !afterQuote) quoted = true;
        else if (c === ',') {
          row.push(cell);
          cell = '';
          afterQuote = false;
        } else if (c === '\n' || c === '\r') {
          row.push(cell);
          out.push(row);
          row = [];
          cell = '';
          afterQuote = false;
          pendingCR = c === '\r';
        } else cell += c;
      }
      yield* out;
    }
    if (cell !== '' || row.length || quoteSeen || afterQuote) {
      row.push(cell);
      yield row;
    }
  } finally {
    stream.destroy();
  }
}

interface Column {
  kind: 'int' | 'float' | 'bool' | 'str';
  values: CsvValue[];
}

/** pandas' inference for one column of one chunk: numbers (NaN for missing), booleans (none missing), else strings. */
function inferColumn(raw: readonly string[]): Column {
  const present = raw.filter((v) => !NA.has(v));
  const missing = present.length < raw.length;
  if (present.length && present.every((v) => INT.test(v))) return { kind: missing ? 'float' : 'int', values: raw.map((v) => (NA.has(v) ? NaN : Number(v))) };
  if (present.length && present.every((v) => INT.test(v) || FLOAT.test(v))) return { kind: 'float', values: raw.map((v) => (NA.has(v) ? NaN : parseFloatLike(v))) };
  if (present.length && !missing && present.every((v) => TRUE.has(v) || FALSE.has(v))) return { kind: 'bool', values: raw.map((v) => TRUE.has(v)) };
  if (!present.length) return { kind: 'float', values: raw.map(() => NaN) };
  // object column: booleans with missing values stay booleans (pandas), anything else stays text
  const boolish = present.every((v) => TRUE.has(v) || FALSE.has(v));
  return { kind: 'str', values: raw.map((v) => (NA.has(v) ? NaN : boolish ? TRUE.has(v) : v)) };
}

function parseFloatLike(v: string): number {
  const l = v.toLowerCase().replace(/^\+/, '');
  if (l === 'inf' || l === 'infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  return Number(v);
}

interface Table {
  names: string[];
  columns: Map<string, Column>;
  rows: number;
}

function toTable(header: string[], rows: string[][], file: string): Table {
  const columns = new Map<string, Column>();
  header.forEach((name, j) => columns.set(name, inferColumn(rows.map((r) => r[j] ?? ''))));
  for (const r of rows) if (r.length > header.length) throw new Error(`CSVIterableDataset: ${file} has a row with ${r.length} fields, its header ${header.length}`);
  return { names: header, columns, rows: rows.length };
}

/** pandas.merge(left, right) (inner join on the common columns; left order, then right order among matches). */
function merge(l: Table, r: Table): Table {
  const on = l.names.filter((n) => r.columns.has(n));
  if (!on.length) throw new Error(`CSVIterableDataset: the tables share no column to join on (${l.names.join(', ')} / ${r.names.join(', ')})`);
  const key = (t: Table, i: number) => JSON.stringify(on.map((n) => t.columns.get(n)!.values[i]));
  const index = new Map<string, number[]>();
  for (let j = 0; j < r.rows; j++) {
    const k = key(r, j);
    const list = index.get(k);
    if (list) list.push(j);
    else index.set(k, [j]);
  }
  const pairs: [number, number][] = [];
  for (let i = 0; i < l.rows; i++) for (const j of index.get(key(l, i)) ?? []) pairs.push([i, j]);
  const names = [...l.names, ...r.names.filter((n) => !on.includes(n))];
  const columns = new Map<string, Column>();
  for (const n of names) {
    const fromLeft = l.columns.has(n);
    const c = (fromLeft ? l : r).columns.get(n)!;
    columns.set(n, { kind: c.kind, values: pairs.map(([i, j]) => c.values[fromLeft ? i : j]) });
  }
  return { names, columns, rows: pairs.length };
}

/** Python's str() of a value of a column of `kind`. */
function pyStr(v: CsvValue, kind: Column['kind']): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (kind === 'int') return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const s = String(v);
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  return m ? `${m[1]}e${m[2]}${m[3].padStart(2, '0')}` : s;
}

function convert(v: CsvValue, kind: Column['kind'], type: 'int' | 'float' | 'str' | 'bool', col: string): CsvValue {
  switch (type) {
    case 'str':
      return pyStr(v, kind);
    case 'bool':
      return typeof v === 'string' ? v.length > 0 : typeof v === 'number' ? v !== 0 : v;
    case 'float': {
      const x = typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : parseFloatLike(v.trim());
      if (typeof v === 'string' && Number.isNaN(x) && !NA.has(v)) throw new TypeError(`CSVIterableDataset: column '${col}': cannot convert '${v}' to float`);
      return x;
    }
    case 'int': {
      const x = typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : INT.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isFinite(x)) throw new TypeError(`CSVIterableDataset: column '${col}': cannot convert ${typeof v === 'string' ? JSON.stringify(v) : String(v)} to int (missing values need a default)`);
      return Math.trunc(x);
    }
  }
}

/** Streams the rows of one or more CSV files as dictionaries (see the file comment). */
export class CSVIterableDataset extends IterableDataset<Record<string, unknown>> {
  readonly src: string[];
  readonly chunksize: number;
  readonly bufferSize: number;
  readonly colNames: string[] | null;
  readonly colTypes: CSVIterableDatasetOptions['colTypes'];
  readonly colGroups: Record<string, string[]> | null;
  readonly shuffle: boolean;
  seed: number;
  R: RandomState;

  constructor(src: string | readonly string[], options: CSVIterableDatasetOptions = {}) {
    super([], options.transform ?? null);
    checkOptions('CSVIterableDataset', options, ['chunksize', 'bufferSize', 'colNames', 'colTypes', 'colGroups', 'transform', 'shuffle', 'seed']);
    const files = typeof src === 'string' ? [src] : [...(src ?? [])];
    if (!files.length || files.some((f) => typeof f !== 'string')) throw new TypeError(`CSVIterableDataset: src must be a CSV file path or a non-empty list of them, got ${JSON.stringify(src)}`);
    this.src = files;
    const { chunksize = 1000, bufferSize = null, colNames = null, colTypes = null, colGroups = null, shuffle = false, seed = 0 } = options;
    if (!Number.isInteger(chunksize) || chunksize < 1) throw new RangeError(`CSVIterableDataset: chunksize must be a positive integer, got ${String(chunksize)}`);
    this.chunksize = chunksize;
    this.bufferSize = bufferSize ?? 2 * chunksize;
    if (!Number.isInteger(this.bufferSize) || this.bufferSize < 1) throw new RangeError(`CSVIterableDataset: bufferSize must be a positive integer, got ${String(bufferSize)}`);
    this.colNames = colNames ? [...colNames] : null;
    for (const [k, v] of Object.entries(colTypes ?? {})) {
      if (v && v.type !== undefined && !['int', 'float', 'str', 'bool'].includes(v.type)) throw new TypeError(`CSVIterableDataset: colTypes.${k}.type must be 'int', 'float', 'str' or 'bool', got ${JSON.stringify(v.type)}`);
    }
    this.colTypes = colTypes;
    this.colGroups = colGroups ? Object.fromEntries(Object.entries(colGroups).map(([k, v]) => [k, [...v]])) : null;
    this.shuffle = shuffle;
    this.seed = seed;
    this.R = new RandomState(0);
  }

  override startEpoch(): void {
    if (!this.shuffle) return;
    this.seed += 1; // MONAI: the dataset's seed, then the ShuffleBuffer's own + 1
    this.R = new RandomState((((this.seed + 1) % MAX_SEED) + MAX_SEED) % MAX_SEED);
  }

  /** Chunk i of every file, joined, as records. */
  private async *records(): AsyncGenerator<Record<string, unknown>, void, undefined> {
    const readers = this.src.map((f) => {
      if (!fs.existsSync(f)) throw new Error(`CSVIterableDataset: no such file ${f}`);
      return { file: f, rows: csvRows(f), header: null as string[] | null };
    });
    try {
      for (;;) {
        const tables: Table[] = [];
        for (const r of readers) {
          if (!r.header) {
            const h = await r.rows.next();
            if (h.done) return;
            r.header = h.value;
          }
          const rows: string[][] = [];
          while (rows.length < this.chunksize) {
            const x = await r.rows.next();
            if (x.done) break;
            if (x.value.length === 1 && x.value[0] === '') continue; // blank line (pandas skips them)
            rows.push(x.value);
          }
          if (!rows.length) return; // zip stops at the shortest file
          tables.push(toTable(r.header, rows, r.file));
        }
        yield* this.toRecords(tables.reduce(merge));
      }
    } finally {
      for (const r of readers) await r.rows.return(undefined);
    }
  }

  private toRecords(t: Table): Record<string, unknown>[] {
    const names = this.colNames ?? t.names;
    for (const n of [...names, ...Object.values(this.colGroups ?? {}).flat()]) if (!t.columns.has(n)) throw new Error(`CSVIterableDataset: no column '${n}' (columns: ${t.names.join(', ')})`);
    const cols = names.map((n) => {
      const c = t.columns.get(n)!;
      const spec = this.colTypes?.[n] ?? null;
      let values = c.values;
      if (spec && spec.default !== undefined && spec.default !== null) values = values.map((v) => (typeof v === 'number' && Number.isNaN(v) ? (spec.default as CsvValue) : v));
      if (spec && spec.type) values = values.map((v) => convert(v, c.kind, spec.type!, n));
      return values;
    });
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < t.rows; i++) {
      const rec: Record<string, unknown> = {};
      names.forEach((n, j) => (rec[n] = cols[j][i]));
      for (const [g, members] of Object.entries(this.colGroups ?? {})) rec[g] = members.map((m) => t.columns.get(m)!.values[i]);
      out.push(rec);
    }
    return out;
  }

  protected override async *items(): AsyncGenerator<[unknown, number], void, undefined> {
    let p = 0;
    if (!this.shuffle) {
      for await (const r of this.records()) yield [r, p++];
      return;
    }
    const buffer: unknown[] = [];
    const pop = (): unknown => {
      const i = this.R.randint(buffer.length);
      const out = buffer[i];
      buffer[i] = buffer[buffer.length - 1];
      buffer.pop();
      return out;
    };
    for await (const r of this.records()) {
      if (buffer.length >= this.bufferSize) yield [pop(), p++];
      buffer.push(r);
    }
    while (buffer.length) yield [pop(), p++];
  }
}
