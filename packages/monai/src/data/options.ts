/** Option-object checking with "did you mean" hints (DESIGN.md: unknown keys throw). */

import { didYouMean } from '@monai-ts/torch';

export { didYouMean, checkOptions } from '@monai-ts/torch';

/** Throws when `value` is not one of `choices`, with a hint. */
export function checkChoice<T extends string>(owner: string, what: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  const hint = didYouMean(value, choices);
  throw new TypeError(`${owner}: unknown ${what} '${value}'${hint ? ` (did you mean '${hint}'?)` : ''}; expected one of ${choices.join(', ')}`);
}
