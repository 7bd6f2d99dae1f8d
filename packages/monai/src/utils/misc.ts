/**
 * Global determinism (MONAI's monai/utils/misc.py `set_determinism` / `get_seed`): seeds torch's default
 * generators and records the seed that `Compose` hands to its random children on construction.
 */
import * as torch from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';

/** numpy's uint32 maximum, MONAI's default determinism seed (NP_MAX). */
export const NP_MAX = 4294967295;

let globalSeed: number | null = null;
let deterministicAlgorithms: boolean | null = null;

/** The seed of the latest `setDeterminism` call (null when none, or after `setDeterminism({ seed: null })`). */
export function getSeed(): number | null {
  return globalSeed;
}

/** Whether `setDeterminism` last asked for deterministic algorithms (null: never set). */
export function getDeterministicAlgorithms(): boolean | null {
  return deterministicAlgorithms;
}

export interface SetDeterminismOptions {
  /** seed (taken mod 2**32); null turns determinism off and seeds torch from entropy. Default 2**32 - 1 as MONAI. */
  seed?: number | bigint | null;
  /** ask for deterministic algorithms (recorded; libtorch's CPU kernels used here are deterministic) */
  useDeterministicAlgorithms?: boolean | null;
  /** functions called with the seed (MONAI's additional_settings) */
  additionalSettings?: ((seed: number | null) => unknown) | readonly ((seed: number | null) => unknown)[] | null;
}

/**
 * MONAI's set_determinism: `torch.manualSeed(seed mod 2**32)` and a global seed that every `Compose`
 * built afterwards uses to seed its random children, so pipelines built after this call draw the
 * same parameters as MONAI's after `set_determinism(seed)`.
 */
export function setDeterminism(options: SetDeterminismOptions = {}): void {
  checkOptions('setDeterminism', options, ['seed', 'useDeterministicAlgorithms', 'additionalSettings']);
  const { seed = NP_MAX, useDeterministicAlgorithms = null, additionalSettings = null } = options;
  let s: number | null;
  if (seed === null) {
    s = null;
    const words = new Uint32Array(1);
    crypto.getRandomValues(words);
    torch.manualSeed(words[0]);
  } else {
    if (typeof seed === 'bigint') s = Number(((seed % 4294967296n) + 4294967296n) % 4294967296n);
    else if (Number.isSafeInteger(seed)) s = ((seed % 4294967296) + 4294967296) % 4294967296;
    else throw new TypeError(`setDeterminism: seed must be an integer or null, got ${String(seed)}`);
    torch.manualSeed(s);
  }
  globalSeed = s;
  if (additionalSettings !== null) {
    const fns = typeof additionalSettings === 'function' ? [additionalSettings] : additionalSettings;
    for (const [i, f] of fns.entries()) {
      if (typeof f !== 'function') throw new TypeError(`setDeterminism: additionalSettings[${i}] must be a function, got ${typeof f}`);
      f(s);
    }
  }
  if (useDeterministicAlgorithms !== null) {
    if (typeof useDeterministicAlgorithms !== 'boolean') throw new TypeError(`setDeterminism: useDeterministicAlgorithms must be a boolean or null, got ${String(useDeterministicAlgorithms)}`);
    deterministicAlgorithms = useDeterministicAlgorithms;
  }
}
