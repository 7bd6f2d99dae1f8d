/**
 * numpy's default `argsort` (kind 'quicksort' = introsort: median-of-3 quicksort, insertion sort on
 * partitions of up to 16 elements, heapsort past the depth limit), step for step, so ties come out in numpy's order (numpy 1.24, Debian 12's; numpy >= 1.25 on AVX-512 CPUs sorts 64-bit
 * values with x86-simd-sort, whose tie order differs).
 * MONAI picks "the largest components" with `np.argsort(bincount)[::-1]`; with equal sizes the winner
 * is whatever numpy's unstable sort leaves last, and matching MONAI means matching that order.
 * Used on short arrays (one entry per component or label), never per voxel.
 */
const SMALL_QUICKSORT = 15;

export function numpyArgsort(v: ArrayLike<number>): Int32Array {
  const n = v.length;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n < 2) return idx;
  const swap = (a: number, b: number) => {
    const t = idx[a];
    idx[a] = idx[b];
    idx[b] = t;
  };
  const stack: number[] = [];
  const depths: number[] = [];
  let pl = 0;
  let pr = n - 1;
  let cdepth = msb(n) * 2;
  for (;;) {
    if (cdepth < 0) {
      heapsort(v, idx, pl, pr - pl + 1);
    } else {
      while (pr - pl > SMALL_QUICKSORT) {
        const pm = pl + ((pr - pl) >> 1);
        if (v[idx[pm]] < v[idx[pl]]) swap(pm, pl);
        if (v[idx[pr]] < v[idx[pm]]) swap(pr, pm);
        if (v[idx[pm]] < v[idx[pl]]) swap(pm, pl);
        const vp = v[idx[pm]];
        let pi = pl;
        let pj = pr - 1;
        swap(pm, pj);
        for (;;) {
          do ++pi;
          while (v[idx[pi]] < vp);
          do --pj;
          while (vp < v[idx[pj]]);
          if (pi >= pj) break;
          swap(pi, pj);
        }
        swap(pi, pr - 1);
        if (pi - pl < pr - pi) {
          stack.push(pi + 1, pr);
          pr = pi - 1;
        } else {
          stack.push(pl, pi - 1);
          pl = pi + 1;
        }
        depths.push(--cdepth);
      }
      for (let pi = pl + 1; pi <= pr; ++pi) {
        const vi = idx[pi];
        const vp = v[vi];
        let pj = pi;
        while (pj > pl && vp < v[idx[pj - 1]]) {
          idx[pj] = idx[pj - 1];
          pj--;
        }
        idx[pj] = vi;
      }
    }
    if (stack.length === 0) break;
    pr = stack.pop()!;
    pl = stack.pop()!;
    cdepth = depths.pop()!;
  }
  return idx;
}

function msb(n: number): number {
  let d = 0;
  while (n > 1) {
    n = Math.floor(n / 2);
    d++;
  }
  return d;
}

/** numpy's aheapsort on idx[off .. off+n). */
function heapsort(v: ArrayLike<number>, idx: Int32Array, off: number, n: number): void {
  const a = (k: number) => off + k - 1; // 1-based heap positions
  for (let l = n >> 1; l > 0; --l) {
    const tmp = idx[a(l)];
    let i = l;
    let j = l << 1;
    while (j <= n) {
      if (j < n && v[idx[a(j)]] < v[idx[a(j + 1)]]) j += 1;
      if (v[tmp] < v[idx[a(j)]]) {
        idx[a(i)] = idx[a(j)];
        i = j;
        j += j;
      } else break;
    }
    idx[a(i)] = tmp;
  }
  for (; n > 1; ) {
    const tmp = idx[a(n)];
    idx[a(n)] = idx[a(1)];
    n -= 1;
    let i = 1;
    let j = 2;
    while (j <= n) {
      if (j < n && v[idx[a(j)]] < v[idx[a(j + 1)]]) j++;
      if (v[tmp] < v[idx[a(j)]]) {
        idx[a(i)] = idx[a(j)];
        i = j;
        j += j;
      } else break;
    }
    idx[a(i)] = tmp;
  }
}
