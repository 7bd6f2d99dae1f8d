// MONAI's CSVSaver (monai.data): caches one row of numbers per key (a file name, else a running index) and
// appends them to a CSV file on finalize, each value as Python prints a float64.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import { pyFloatRepr } from './py_format.js';
import { tensorValues } from '../metrics/utils.js';

export interface CSVSaverOptions {
  outputDir?: string;
  filename?: string;
  /** remove an existing file at construction (true) or append to it (false). Default true. */
  overwrite?: boolean;
  /** write after every saveBatch. Default false. */
  flush?: boolean;
  delimiter?: string;
}

type Row = Tensor | number | number[];

function rowValues(owner: string, data: Row): number[] {
  if (data instanceof Tensor) return tensorValues(data);
  if (typeof data === 'number') return [data];
  if (Array.isArray(data) && data.every((x) => typeof x === 'number')) return [...data];
  throw new TypeError(`${owner}: data must be a tensor, a number or a list of numbers, found ${typeof data}`);
}

export class CSVSaver {
  readonly filepath: string;
  readonly outputDir: string;
  readonly flush: boolean;
  readonly delimiter: string;
  private cache = new Map<string, number[]>();
  private dataIndex = 0;

  constructor(options: CSVSaverOptions = {}) {
    checkOptions('CSVSaver', options, ['outputDir', 'filename', 'overwrite', 'flush', 'delimiter']);
    this.outputDir = options.outputDir ?? './';
    const filename = options.filename ?? 'predictions.csv';
    if (typeof filename !== 'string' || !filename.endsWith('.csv')) process.emitWarning(`CSVSaver: the file name '${String(filename)}' does not end with '.csv'`);
    this.filepath = path.join(this.outputDir, filename);
    if ((options.overwrite ?? true) && fs.existsSync(this.filepath)) fs.rmSync(this.filepath);
    this.flush = options.flush ?? false;
    this.delimiter = options.delimiter ?? ',';
  }

  /** Caches one row under metaData.filename_or_obj, or under the running index. */
  save(data: Row, metaData?: Record<string, unknown> | null): void {
    const key = metaData ? String(metaData.filename_or_obj) : String(this.dataIndex);
    this.dataIndex++;
    this.cache.set(key, rowValues('CSVSaver.save', data));
  }

  /** Caches every item of a batch (first dimension), metaData holding a list per key. */
  saveBatch(batch: Tensor | Row[], metaData?: Record<string, unknown[]> | null): void {
    const n = batch instanceof Tensor ? batch.shape[0] : batch.length;
    for (let i = 0; i < n; i++) {
      const item = batch instanceof Tensor ? batch.select(0, i) : batch[i];
      try {
        this.save(item, metaData ? Object.fromEntries(Object.entries(metaData).map(([k, v]) => [k, v[i]])) : null);
      } finally {
        if (batch instanceof Tensor) (item as Tensor).dispose();
      }
    }
    if (this.flush) this.finalize();
  }

  /** Appends the cached rows to the file and empties the cache. */
  finalize(): void {
    fs.mkdirSync(this.outputDir, { recursive: true });
    let text = '';
    for (const [k, v] of this.cache) text += `${k}${v.map((x) => this.delimiter + pyFloatRepr(x)).join('')}\n`;
    fs.appendFileSync(this.filepath, text);
    this.cache.clear();
  }

  getCache(): Map<string, number[]> {
    return this.cache;
  }

  resetCache(): void {
    this.cache.clear();
  }
}
