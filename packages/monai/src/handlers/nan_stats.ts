// numpy's nan-aware statistics (nanmean, nanmedian, nanmax, nanmin, nanpercentile 'linear', nanstd) on
// the small arrays of a metrics report, with numpy's summation order (pairwise, blocks of 8) and, for
// float32 data, float32 rounding at each step, so the printed summaries equal MONAI's to the last digit.

/** The dtype numpy computes in: float32 details stay float32, everything else is float64. */
export type Precision = 'float32' | 'float64';

const rounder = (p: Precision): ((x: number) => number) => (p === 'float32' ? Math.fround : (x: number) => x);

/** numpy's pairwise summation (loops_utils.h: < 8 items in a row, then 8 accumulators, halves above 128). */
function pairwiseSum(a: number[], lo: number, n: number, r: (x: number) => number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res = r(res + a[lo + i]);
    return res;
  }
  if (n <= 128) {
    const acc = a.slice(lo, lo + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) acc[j] = r(acc[j] + a[lo + i + j]);
    let res = r(r(r(acc[0] + acc[1]) + r(acc[2] + acc[3])) + r(r(acc[4] + acc[5]) + r(acc[6] + acc[7])));
    for (; i < n; i++) res = r(res + a[lo + i]);
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return r(pairwiseSum(a, lo, n2, r) + pairwiseSum(a, lo + n2, n - n2, r));
}

/** np.sum of the values with NaN replaced by 0 (as nanmean/nanvar sum them). */
function nanSum(a: number[], p: Precision): number {
  const r = rounder(p);
  return r(0 + pairwiseSum(a.map((x) => (Number.isNaN(x) ? 0 : r(x))), 0, a.length, r));
}

/** np.nanmean of one row (NaN when every value is NaN). */
export function rowNanMean(a: number[], p: Precision): number {
  const cnt = a.filter((x) => !Number.isNaN(x)).length;
  return rounder(p)(nanSum(a, p) / cnt);
}

function nanStd(a: number[], p: Precision): number {
  const r = rounder(p);
  const cnt = a.filter((x) => !Number.isNaN(x)).length;
  if (cnt === 0) return NaN;
  const avg = r(nanSum(a, p) / cnt);
  const sq = a.map((x) => (Number.isNaN(x) ? 0 : r(r(x - avg) * r(x - avg))));
  const v = r(r(0 + pairwiseSum(sq, 0, sq.length, r)) / cnt);
  return r(Math.sqrt(v));
}

/** np.nanmedian: the middle value, or the mean of the two middle values computed in the data's dtype. */
function nanMedian(a: number[], p: Precision): number {
  const r = rounder(p);
  const s = a.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  if (!s.length) return NaN;
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : r(r(s[h - 1] + s[h]) / 2);
}

/** np.nanpercentile(a, q) with the 'linear' method: (n-1)q/100 between the neighbours, as numpy's _lerp. */
export function nanPercentile(a: number[], q: number, p: Precision): number {
  const s = a.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  const n = s.length;
  if (!n) return NaN;
  const vi = (n - 1) * (q / 100);
  let prev = Math.floor(vi);
  let next = prev + 1;
  if (vi >= n - 1) prev = next = n - 1;
  else if (vi < 0) prev = next = 0;
  const t = vi - (vi >= n - 1 ? -1 : prev);
  const lo = s[prev];
  const hi = s[next];
  const d = rounder(p)(hi - lo);
  return t >= 0.5 ? hi - d * (1 - t) : lo + d * t;
}

export interface NanStats {
  mean: number;
  median: number;
  max: number;
  min: number;
  std: number;
  notnans: number;
}

/** The summary statistics of one column of a metrics report. */
export function nanStats(a: number[], p: Precision): NanStats {
  const vals = a.filter((x) => !Number.isNaN(x));
  return {
    mean: rowNanMean(a, p),
    median: nanMedian(a, p),
    max: vals.length ? Math.max(...vals) : NaN,
    min: vals.length ? Math.min(...vals) : NaN,
    std: nanStd(a, p),
    notnans: vals.length,
  };
}
