/** Option-object checking with "did you mean" hints (DESIGN.md: unknown keys throw). */

function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  const d = Array.from({ length: m + 1 }, (_, i) => [i, ...Array(n).fill(0)]);
  for (let j = 1; j <= n; j++) d[0][j] = j;
  for (let i = 1; i <= m; i++)
    for (let j = 1; j <= n; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[m][n];
}

/** The closest candidate to `word` (case-insensitive, snake_case tolerated), or null when none is near. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = norm(c) === norm(word) ? 0 : distance(norm(word), norm(c));
    if (dd < bestD) {
      bestD = dd;
      best = c;
    }
  }
  if (best === null) return null;
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/** Throws a TypeError naming `owner` when `options` has a key not in `allowed`. */
export function checkOptions(owner: string, options: object | undefined | null, allowed: readonly string[]): void {
  if (!options) return;
  for (const k of Object.keys(options)) {
    if (allowed.includes(k)) continue;
    const hint = didYouMean(k, allowed);
    throw new TypeError(
      `${owner}: unknown option '${k}'${hint ? ` (did you mean '${hint}'?)` : ''}; valid options: ${allowed.join(', ')}`,
    );
  }
}

/** Throws when `value` is not one of `choices`, with a hint. */
export function checkChoice<T extends string>(owner: string, what: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  const hint = didYouMean(value, choices);
  throw new TypeError(`${owner}: unknown ${what} '${value}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${choices.join(', ')}`);
}
