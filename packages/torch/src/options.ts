// Option-object checking with "did you mean" hints, shared by every layer of monai-ts
// (DESIGN.md: unknown option keys and enum strings throw with a suggestion).

function distance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}

/** The closest candidate to `word` (case-insensitive, snake_case tolerated), or null when none is near. */
export function didYouMean(word: string, candidates: readonly string[]): string | null {
  const norm = (s: string) => s.replace(/_/g, '').toLowerCase();
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = norm(c) === norm(word) ? 0 : distance(norm(word), norm(c));
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/** " (did you mean 'x'?)" or the empty string. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const hint = didYouMean(word, candidates);
  return hint === null ? '' : ` (did you mean '${hint}'?)`;
}

/**
 * `value` when it is one of `choices`; otherwise a TypeError naming `owner` and the option `what`,
 * with a hint: "interpolate: mode must be one of 'nearest', 'bilinear', found 'bilinar' (did you mean 'bilinear'?)".
 */
export function checkChoice<T extends string>(owner: string, what: string, value: unknown, choices: readonly T[]): T {
  if ((choices as readonly unknown[]).includes(value)) return value as T;
  const list = choices.map((c) => `'${c}'`).join(', ');
  throw new TypeError(`${owner}: ${what} must be one of ${list}, found '${String(value)}'${suggestion(String(value), choices)}`);
}

/**
 * Throws a TypeError naming `owner` when `options` has a key outside `allowed`, or lacks one of
 * `required`. With required keys, a missing options object is an error too.
 */
export function checkOptions(owner: string, options: object | undefined | null, allowed: readonly string[], required: readonly string[] = []): void {
  if (options === undefined || options === null) {
    if (required.length) throw new TypeError(`${owner}: expected an options object with ${required.join(', ')}`);
    return;
  }
  if (typeof options !== 'object') throw new TypeError(`${owner}: expected an options object, found ${typeof options}`);
  for (const k of Object.keys(options)) {
    if (!allowed.includes(k)) throw new TypeError(`${owner}: unknown option '${k}'${suggestion(k, allowed)}; valid options: ${allowed.join(', ')}`);
  }
  for (const k of required) {
    if ((options as Record<string, unknown>)[k] === undefined) throw new TypeError(`${owner}: missing required option '${k}'`);
  }
}
