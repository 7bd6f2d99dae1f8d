// MONAI's handlers/utils.py: output/batch extractors (fromEngine, ignoreData), early-stop score functions,
// writeMetricsReports (metrics.csv, <name>_raw.csv, <name>_summary.csv), and the gathers across ranks
// (MONAI's evenly_divisible_all_gather / string_list_all_gather) that metric handlers and savers use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Tensor, type DType } from '@monai-ts/torch';
import type { Engine } from '../engines/engine.js';
import { nanPercentile, nanStats, rowNanMean, type Precision } from './nan_stats.js';
import { npArrayStr, npFloat32Str, pyFixed, pyStr } from './py_format.js';
import { tensorValues } from '../metrics/utils.js';

// ---------------------------------------------------------------- extractors

/**
 * A function that picks `keys` out of a dict, or out of every dict of a decollated list (one list per key;
 * with `first`, the value of the first item only). One key gives the value itself, several a list.
 */
export function fromEngine(keys: string | string[], first = false): (data: unknown) => unknown {
  // anything else than a dict or a list of dicts gives null, as MONAI's None
  const ks = typeof keys === 'string' ? [keys] : keys;
  if (!Array.isArray(ks) || ks.some((k) => typeof k !== 'string')) throw new TypeError(`fromEngine: keys must be a string or a list of strings, found ${JSON.stringify(keys)}`);
  const pick = (d: Record<string, unknown>, k: string): unknown => {
    if (!(k in d)) throw new Error(`fromEngine: key '${k}' is absent (keys: ${Object.keys(d).join(', ')})`);
    return d[k];
  };
  const isDict = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor);
  return (data: unknown) => {
    if (isDict(data)) return ks.map((k) => pick(data, k));
    if (Array.isArray(data) && data.length && isDict(data[0])) {
      const ret = ks.map((k) => (first ? pick(data[0] as Record<string, unknown>, k) : data.map((d) => pick(d as Record<string, unknown>, k))));
      return ret.length > 1 ? ret : ret[0];
    }
    return null;
  };
}

/** Always null: an outputTransform that logs nothing per iteration. */
export function ignoreData(_x?: unknown): null {
  return null;
}

/** An EarlyStopHandler score function reading state.metrics[metricName]. */
export function stoppingFnFromMetric(metricName: string): (engine: Engine) => number {
  return (engine) => {
    const v = engine.state.metrics[metricName];
    if (typeof v !== 'number') throw new TypeError(`stoppingFnFromMetric: state.metrics['${metricName}'] must be a number, found ${v === undefined ? 'nothing' : typeof v}`);
    return v;
  };
}

/** An EarlyStopHandler score function: minus the loss in state.output (a number or a 0-d tensor). */
export function stoppingFnFromLoss(): (engine: Engine) => number {
  return (engine) => {
    const out = engine.state.output;
    if (typeof out === 'number') return -out;
    if (out instanceof Tensor && out.numel() === 1) return -out.item();
    throw new TypeError(`stoppingFnFromLoss: state.output must be the loss (a number or a one-element tensor), found ${out instanceof Tensor ? `a tensor [${out.shape}]` : typeof out}`);
  };
}

/** The items' file names as MONAI writes them (f"{meta.get('filename_or_obj')}": 'None' when absent). */
export function metaFilenames(meta: unknown[]): string[] {
  return meta.map((m) => {
    const d = m instanceof Tensor && 'meta' in m ? (m as unknown as { meta: Record<string, unknown> }).meta : m;
    const v = d !== null && typeof d === 'object' && !(d instanceof Tensor) ? (d as Record<string, unknown>).filename_or_obj : undefined;
    return typeof v === 'string' ? v : pyStr(v);
  });
}

// ---------------------------------------------------------------- across ranks

/** What the gathers need of torch.distributed (PyTorch's signatures in camelCase). */
export interface DistributedLike {
  isInitialized(): boolean;
  getWorldSize(): number;
  getRank(): number;
  /** PyTorch's all_gather(tensor_list, tensor): fills `out` (worldSize tensors shaped as `t`) with every rank's `t`. */
  allGather(out: Tensor[], t: Tensor): unknown;
}

/** torch.distributed when it exists and a process group is initialized, else null. */
export function activeDistributed(dist?: DistributedLike | null): DistributedLike | null {
  const d = dist === undefined ? ((torch as unknown as { distributed?: DistributedLike }).distributed ?? null) : dist;
  if (!d || typeof d.isInitialized !== 'function' || !d.isInitialized()) return null;
  return d;
}

/** This process's rank and the world size (0 and 1 without a process group). */
export function rankAndWorldSize(dist?: DistributedLike | null): { rank: number; worldSize: number } {
  const d = activeDistributed(dist);
  return d ? { rank: d.getRank(), worldSize: d.getWorldSize() } : { rank: 0, worldSize: 1 };
}

/**
 * Gathers `data` (first dimension: items) from every rank in rank order, though ranks hold different
 * numbers of items: lengths are gathered first, each rank pads to the longest, and padding is cut off again.
 * One process: `data` itself (concat) or [data]. Otherwise new tensors owned by the caller.
 */
export function evenlyDivisibleAllGather(data: Tensor, concat: true, dist?: DistributedLike | null): Tensor;
export function evenlyDivisibleAllGather(data: Tensor, concat: false, dist?: DistributedLike | null): Tensor[];
export function evenlyDivisibleAllGather(data: Tensor, concat?: boolean, dist?: DistributedLike | null): Tensor | Tensor[];
export function evenlyDivisibleAllGather(data: Tensor, concat = true, dist?: DistributedLike | null): Tensor | Tensor[] {
  if (!(data instanceof Tensor)) throw new TypeError(`evenlyDivisibleAllGather: data must be a Tensor, found ${typeof data}`);
  const d = activeDistributed(dist);
  const ws = d ? d.getWorldSize() : 1;
  if (!d || ws <= 1) return concat ? data : [data];
  return torch.tidy(() => {
    const x = data.dim() === 0 ? data.unsqueeze(0) : data;
    const n = x.shape[0];
    const lenOut = Array.from({ length: ws }, () => torch.zeros([1], { dtype: 'int64', device: x.device }));
    d.allGather(lenOut, torch.tensor([n], { dtype: 'int64', device: x.device }));
    const lengths = lenOut.map((t) => Number(t.item()));
    const maxLen = Math.max(...lengths);
    const padded = n < maxLen ? torch.cat([x, torch.zeros([maxLen - n, ...x.shape.slice(1)], { dtype: x.dtype, device: x.device })], 0) : x.contiguous();
    const out = Array.from({ length: ws }, () => torch.empty([maxLen, ...x.shape.slice(1)], { dtype: x.dtype, device: x.device }));
    d.allGather(out, padded);
    const parts = out.map((t, r) => t.narrow(0, 0, lengths[r]));
    return concat ? torch.cat(parts, 0) : parts.map((p) => p.clone());
  }) as Tensor | Tensor[];
}

/** Gathers every rank's list of strings into one list in rank order (UTF-8 bytes through evenlyDivisibleAllGather). */
export function stringListAllGather(strings: string[], delimiter = '\t', dist?: DistributedLike | null): string[] {
  const d = activeDistributed(dist);
  if (!d || d.getWorldSize() <= 1) return [...strings];
  const bytes = torch.tensor(Array.from(Buffer.from(strings.join(delimiter), 'utf8')), { dtype: 'uint8' });
  const parts = evenlyDivisibleAllGather(bytes, false, d);
  bytes.dispose();
  const out: string[] = [];
  for (const p of parts) {
    // a rank without strings sends nothing (MONAI would add one empty name for it)
    if (p.numel() > 0) out.push(...Buffer.from(tensorValues(p)).toString('utf8').split(delimiter));
  }
  torch.dispose(parts);
  return out;
}

const GATHERED = Symbol('monai-ts.gatherBuffersAcrossRanks');

/**
 * Makes a metric's getBuffer return the buffers of all ranks (concatenated in rank order), so that its
 * aggregate() and the handler's metricDetails cover the whole data set, as MONAI's Cumulative does.
 * Ranks first exchange what their buffers look like, so a rank that saw no item still takes part (with
 * empty buffers) instead of leaving the others waiting, and mismatched buffers fail on every rank.
 */
export function gatherBuffersAcrossRanks<M extends { getBuffer(): Tensor | Tensor[] | null }>(metric: M, dist?: DistributedLike | null): M {
  const marked = metric as M & { [GATHERED]?: true };
  if (marked[GATHERED]) return metric; // gathering twice would repeat every rank's items
  marked[GATHERED] = true;
  const own = metric.getBuffer.bind(metric);
  const owner = metric.constructor?.name ?? 'metric';
  metric.getBuffer = (() => {
    const local = own();
    const d = activeDistributed(dist);
    if (!d || d.getWorldSize() <= 1) return local;
    const list = local === null ? null : Array.isArray(local) ? local : [local];
    const desc = list === null ? null : list.map((t) => ({ shape: t.shape.slice(1), dtype: t.dtype }));
    const all = stringListAllGather([JSON.stringify(desc)], '\n', d).map((x) => JSON.parse(x) as typeof desc);
    const ref = all.find((x) => x !== null) ?? null;
    if (ref === null) return null;
    const key = JSON.stringify(ref);
    const bad = all.findIndex((x) => x !== null && JSON.stringify(x) !== key);
    if (bad >= 0) {
      torch.dispose(list ?? []);
      throw new Error(`${owner}: the ranks' metric buffers differ (rank ${all.findIndex((x) => x !== null)}: ${key}, rank ${bad}: ${JSON.stringify(all[bad])}); every rank must compute the metric on items of the same shape`);
    }
    const mine = list ?? ref.map((r) => torch.empty([0, ...r.shape], { dtype: r.dtype as DType }));
    const gathered = mine.map((t) => {
      const g = evenlyDivisibleAllGather(t, true, d);
      if (g !== t) t.dispose();
      return g;
    });
    return gathered.length === 1 ? gathered[0] : gathered;
  }) as M['getBuffer'];
  return metric;
}

// ---------------------------------------------------------------- reports

export const SUMMARY_OPS = ['mean', 'median', 'max', 'min', '90percentile', 'std', 'notnans'] as const;

export interface WriteMetricsReportsOptions {
  saveDir: string;
  /** names of the images of metricDetails' rows (null: row numbers) */
  images?: string[] | null;
  metrics?: Record<string, unknown> | null;
  metricDetails?: Record<string, Tensor | number[][] | number[]> | null;
  /** null: no summary; '*': all of SUMMARY_OPS; or a list of them ('<int>percentile' with any 0-100) */
  summaryOps?: string | string[] | null;
  deli?: string;
  outputType?: string;
  classLabels?: string[] | null;
}

function checkSummaryOp(op: string): void {
  const m = /^(\d+)percentile$/.exec(op);
  if (m) {
    if (Number(m[1]) > 100) throw new RangeError(`writeMetricsReports: percentile must be within [0, 100], found '${op}'`);
    return;
  }
  if (!(SUMMARY_OPS as readonly string[]).includes(op)) throw new Error(`writeMetricsReports: unsupported summary op '${op}', expected one of ${SUMMARY_OPS.join(', ')}, '<int>percentile' or '*'`);
}

/**
 * A <name>_raw.csv of details [N, C, K] (a confusion matrix per item and class): each cell is the K values
 * as numpy prints an array, and the 'mean' column their nanmean over the classes (float32 as numpy sums it).
 */
function writeVectorRaw(file: string, v: Tensor, images: string[] | null, classLabels: string[] | null, deli: string): void {
  const [n, c, k] = v.shape;
  const f32 = v.dtype !== 'float64';
  const r = f32 ? Math.fround : (x: number) => x;
  if (classLabels && classLabels.length !== c) throw new RangeError(`writeMetricsReports: ${classLabels.length} classLabels for ${c} classes in ${path.basename(file)}`);
  const flat = tensorValues(v);
  const lines = [`filename${deli}${[...(classLabels ?? Array.from({ length: c }, (_, i) => `class${i}`)), 'mean'].join(deli)}\n`];
  for (let i = 0; i < n; i++) {
    const cells = Array.from({ length: c }, (_, j) => flat.slice((i * c + j) * k, (i * c + j + 1) * k));
    const mean = Array.from({ length: k }, (_, q) => {
      let sum = 0;
      let cnt = 0;
      for (const cell of cells) if (!Number.isNaN(cell[q])) (sum = r(sum + r(cell[q]))), cnt++;
      return r(sum / cnt);
    });
    lines.push(`${images ? images[i] : String(i)}${deli}${[...cells, mean].map((x) => npArrayStr(x, f32)).join(deli)}\n`);
  }
  fs.writeFileSync(file, lines.join(''));
}

/** Rows [N][C] of a details value and how numpy would print its cells. */
function detailRows(name: string, v: Tensor | number[][] | number[]): { rows: number[][]; precision: Precision } {
  if (v instanceof Tensor) {
    const prec: Precision = v.dtype === 'float32' || v.dtype === 'float16' || v.dtype === 'bfloat16' ? 'float32' : 'float64';
    const flat = tensorValues(v);
    const shape = v.shape;
    const n = shape.length === 0 ? 1 : shape[0];
    const c = shape.length === 0 ? 1 : shape.length === 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
    if (shape.length > 2) throw new RangeError(`writeMetricsReports: metric details '${name}' must have at most 3 dimensions (items, classes[, values]), found [${shape}]`);
    return { rows: Array.from({ length: n }, (_, i) => flat.slice(i * c, (i + 1) * c)), precision: prec };
  }
  if (!Array.isArray(v)) throw new TypeError(`writeMetricsReports: metric details '${name}' must be a tensor or an array, found ${typeof v}`);
  const rows = v.map((r) => (Array.isArray(r) ? r.map(Number) : [Number(r)]));
  return { rows, precision: 'float64' };
}

/**
 * MONAI's write_metrics_reports: metrics.csv (a `name<deli>value` line per metric), and per metric details
 * `<name>_raw.csv` (a row per image with the classes and their nanmean) and, with summaryOps,
 * `<name>_summary.csv` (a row per class and for the mean: nan-aware statistics), formatted as numpy prints.
 * Unlike MONAI, every details file gets its own class labels (MONAI appends another 'mean' per file).
 */
export function writeMetricsReports(options: WriteMetricsReportsOptions): void {
  const { saveDir, images = null, metrics = null, metricDetails = null, summaryOps = null, deli = ',', outputType = 'csv', classLabels = null } = options;
  if (typeof saveDir !== 'string' || !saveDir) throw new TypeError(`writeMetricsReports: saveDir must be a non-empty path, found ${JSON.stringify(saveDir)}`);
  if (String(outputType).toLowerCase() !== 'csv') throw new Error(`writeMetricsReports: unsupported output type '${outputType}', expected 'csv'`);
  const ops = summaryOps === null ? null : typeof summaryOps === 'string' ? [summaryOps] : [...summaryOps];
  const allOps = ops === null ? null : ops.includes('*') ? [...SUMMARY_OPS] : ops;
  allOps?.forEach(checkSummaryOp);
  fs.mkdirSync(saveDir, { recursive: true });
  if (metrics && Object.keys(metrics).length) {
    fs.writeFileSync(path.join(saveDir, 'metrics.csv'), Object.entries(metrics).map(([k, v]) => `${k}${deli}${pyStr(v)}\n`).join(''));
  }
  if (!metricDetails) return;
  for (const [name, value] of Object.entries(metricDetails)) {
    if (value instanceof Tensor && value.dim() === 3) {
      if (allOps !== null) throw new Error(`writeMetricsReports: summaries of 3-D metric details ('${name}', [${value.shape}]) are not supported; give summaryOps null or leave '${name}' out of metricDetails`);
      writeVectorRaw(path.join(saveDir, `${name}_raw.csv`), value, images, classLabels, deli);
      continue;
    }
    const { rows, precision } = detailRows(name, value);
    const nCls = rows.length ? rows[0].length : 1;
    if (classLabels && classLabels.length !== nCls) throw new RangeError(`writeMetricsReports: ${classLabels.length} classLabels for ${nCls} classes in metric details '${name}'`);
    const labels = [...(classLabels ? classLabels.map(String) : Array.from({ length: nCls }, (_, i) => `class${i}`)), 'mean'];
    const full = rows.map((r) => [...r, rowNanMean(r, precision)]);
    const cell = precision === 'float32' ? npFloat32Str : (x: number) => pyFixed(x, 4);
    const lines = [`filename${deli}${labels.join(deli)}\n`];
    full.forEach((r, i) => lines.push(`${images ? images[i] : String(i)}${deli}${r.map(cell).join(deli)}\n`));
    fs.writeFileSync(path.join(saveDir, `${name}_raw.csv`), lines.join(''));
    if (allOps === null) continue;
    const summary = [`class${deli}${allOps.join(deli)}\n`];
    labels.forEach((label, c) => {
      const col = full.map((r) => r[c]);
      const stats = nanStats(col, precision);
      const vals = allOps.map((op) => {
        const pm = /^(\d+)percentile$/.exec(op);
        const v = pm ? nanPercentile(col, Number(pm[1]), precision) : stats[op as keyof typeof stats];
        return pyFixed(v, 4);
      });
      summary.push(`${label}${deli}${vals.join(deli)}\n`);
    });
    fs.writeFileSync(path.join(saveDir, `${name}_summary.csv`), summary.join(''));
  }
}
