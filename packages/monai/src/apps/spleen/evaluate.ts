// Scores predicted masks against labels, case by case: Dice and the 95th-percentile Hausdorff distance
// (in mm, from the label's voxel spacing) of the foreground, written as CSV with a summary.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import type { MetaTensor } from '../../data/meta_tensor.js';
import { LoadImage } from '../../transforms/io/array.js';
import { computeHausdorffDistance } from '../../metrics/hausdorff_distance.js';

const IMAGE_EXT = /\.(nii|nii\.gz)$/i;
const stem = (f: string): string => path.basename(f).replace(IMAGE_EXT, '');

export interface CaseScore {
  case: string;
  pred: string;
  label: string;
  dice: number;
  /** mm; NaN when the prediction or the label is empty */
  hd95: number;
}

export interface EvaluationSummary {
  cases: CaseScore[];
  /** mean, std, min, max of each metric over the cases (NaN values left out) */
  summary: Record<'dice' | 'hd95', { mean: number; std: number; min: number; max: number; n: number }>;
  csv: string | null;
}

/** Pairs each label with the prediction of the same name, or with <name>_seg (what inference writes). */
export function pairPredictions(predDir: string, labelDir: string): { pred: string; label: string; case: string }[] {
  for (const [what, d] of [['pred', predDir], ['label', labelDir]] as const) {
    if (!fs.existsSync(d)) throw new Error(`${what} ${d}: no such folder`);
    if (!fs.statSync(d).isDirectory()) throw new Error(`${what} ${d}: expected a folder of .nii/.nii.gz files, found a file`);
  }
  const preds = new Map(fs.readdirSync(predDir).filter((f) => IMAGE_EXT.test(f)).map((f) => [stem(f), path.join(predDir, f)]));
  const labels = fs.readdirSync(labelDir).filter((f) => IMAGE_EXT.test(f) && !f.startsWith('.')).sort();
  if (!labels.length) throw new Error(`label ${labelDir}: the folder has no .nii or .nii.gz files`);
  const pairs: { pred: string; label: string; case: string }[] = [];
  const missing: string[] = [];
  for (const l of labels) {
    const s = stem(l);
    const p = preds.get(s) ?? preds.get(`${s}_seg`);
    if (p) pairs.push({ pred: p, label: path.join(labelDir, l), case: s });
    else missing.push(s);
  }
  if (!pairs.length) throw new Error(`pred ${predDir}: no prediction matches a label of ${labelDir} (looked for <name>.nii[.gz] or <name>_seg.nii[.gz], e.g. ${stem(labels[0])}_seg.nii.gz)`);
  if (missing.length) process.emitWarning(`evaluate: no prediction for ${missing.length} label(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  return pairs;
}

/** Dice and HD95 of one pair of masks (foreground = value > 0). */
export function scoreCase(predFile: string, labelFile: string): { dice: number; hd95: number } {
  const load = new LoadImage({ imageOnly: true });
  const p = load.call(predFile) as MetaTensor;
  const l = load.call(labelFile) as MetaTensor;
  try {
    if (p.shape.join('x') !== l.shape.join('x')) throw new Error(`pred ${predFile}: shape ${p.shape.join('x')} differs from its label's ${l.shape.join('x')} (${labelFile})`);
    // voxel size of each array axis: the affine's column norms (the label is read without a channel axis)
    const a = l.affine;
    const spacing = [0, 1, 2].slice(0, l.dim()).map((j) => Math.hypot(a[j], a[4 + j], a[8 + j]));
    return torch.tidy(() => {
      const pf = p.gt(0);
      const lf = l.gt(0);
      const inter = pf.logicalAnd(lf).sum().item();
      const total = pf.sum().item() + lf.sum().item();
      const dice = total === 0 ? 1 : (2 * inter) / total;
      const onehot = (m: Tensor): Tensor => torch.stack([m.logicalNot(), m]).unsqueeze(0).float();
      const hd = computeHausdorffDistance(onehot(pf), onehot(lf), { percentile: 95, spacing, warn: () => {} });
      return { dice, hd95: hd.item() };
    });
  } finally {
    p.dispose();
    l.dispose();
  }
}

function stats(values: number[]): { mean: number; std: number; min: number; max: number; n: number } {
  const v = values.filter((x) => Number.isFinite(x));
  if (!v.length) return { mean: NaN, std: NaN, min: NaN, max: NaN, n: 0 };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

/** Scores every prediction in predDir against labelDir; writes the CSV when csvFile is given. */
export function evaluateSegmentations(predDir: string, labelDir: string, csvFile: string | null = null, onCase?: (s: CaseScore) => void): EvaluationSummary {
  const cases: CaseScore[] = [];
  for (const pair of pairPredictions(predDir, labelDir)) {
    const s = { ...pair, ...scoreCase(pair.pred, pair.label) };
    cases.push(s);
    onCase?.(s);
  }
  const summary = { dice: stats(cases.map((c) => c.dice)), hd95: stats(cases.map((c) => c.hd95)) };
  if (csvFile) {
    const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(6) : 'nan');
    const rows = ['case,dice,hd95_mm,pred,label', ...cases.map((c) => [c.case, fmt(c.dice), fmt(c.hd95), JSON.stringify(c.pred), JSON.stringify(c.label)].join(','))];
    for (const k of ['mean', 'std', 'min', 'max'] as const) rows.push(`${k},${fmt(summary.dice[k])},${fmt(summary.hd95[k])},,`);
    fs.mkdirSync(path.dirname(path.resolve(csvFile)), { recursive: true });
    fs.writeFileSync(csvFile, rows.join('\n') + '\n');
  }
  return { cases, summary, csv: csvFile };
}
