// saveCheckpoint / loadCheckpoint: training state in one .pt file (zip format, so PyTorch reads it).

import * as torch from '../core.js';
import { load, save, SerializationError } from './torch_io.js';

/** Anything with PyTorch's state-dict protocol (modules, optimizers, schedulers, grad scalers). */
export interface Stateful {
  stateDict(): unknown;
  loadStateDict(stateDict: any, options?: any): unknown;
}

function isStateful(x: unknown): x is Stateful {
  return x !== null && typeof x === 'object' && typeof (x as Stateful).stateDict === 'function';
}

/**
 * Save `{model, optimizer, scheduler, scaler, epoch, ...}` to `path` atomically: every value with a
 * `stateDict()` is stored as its state dict, everything else (tensors, numbers, strings, plain
 * objects, arrays) as it is. Tensors made by `stateDict()` calls are released afterwards; the
 * objects' own tensors are untouched.
 */
export function saveCheckpoint(path: string, items: Record<string, unknown>): void {
  if (items === null || typeof items !== 'object') throw new TypeError('saveCheckpoint: items must be an object');
  torch.tidy(() => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(items)) {
      if (v === undefined) continue;
      out[k] = isStateful(v) ? v.stateDict() : v;
    }
    save(out, path);
    return undefined;
  });
}

export interface LoadCheckpointOptions {
  /** Passed to each target's `loadStateDict(sd, { strict })` (modules). */
  strict?: boolean;
  /** Move loaded tensors to this device before handing them over. */
  device?: string;
}

/**
 * Load a checkpoint written by `saveCheckpoint` (or by `torch.save` of a dict in Python) and restore
 * each object in `targets` from the entry of the same name with `loadStateDict`. Returns the other
 * entries (epoch, plain values, ...); tensors among them belong to the caller.
 *
 * The state dicts handed to `loadStateDict` are released after the call, as PyTorch's
 * `load_state_dict` copies what it needs: implementations must copy, not keep, the tensors they get.
 */
export function loadCheckpoint(
  path: string,
  targets: Record<string, Stateful | null | undefined> = {},
  options: LoadCheckpointOptions = {},
): Record<string, unknown> {
  const ckpt = load(path, { device: options.device });
  if (ckpt === null || typeof ckpt !== 'object' || Array.isArray(ckpt) || ckpt instanceof Map) {
    torch.dispose(ckpt);
    throw new SerializationError(`'${path}'`, 'is not a checkpoint: expected a dict with string keys at the top level');
  }
  const rest: Record<string, unknown> = { ...(ckpt as Record<string, unknown>) };
  try {
    for (const [k, target] of Object.entries(targets)) {
      if (!target) continue;
      if (!(k in rest)) {
        throw new SerializationError(`'${path}'`, `checkpoint has no entry '${k}' (it has: ${Object.keys(ckpt).join(', ') || 'nothing'})`);
      }
      if (typeof target.loadStateDict !== 'function') throw new TypeError(`loadCheckpoint: targets.${k} has no loadStateDict()`);
      const sd = rest[k];
      delete rest[k];
      try {
        if (options.strict !== undefined) target.loadStateDict(sd, { strict: options.strict });
        else target.loadStateDict(sd);
      } catch (err) {
        throw new Error(`loadCheckpoint '${path}': restoring '${k}' failed: ${(err as Error).message}`, { cause: err });
      } finally {
        torch.dispose(sd);
      }
    }
  } catch (err) {
    torch.dispose(rest);
    throw err;
  }
  return rest;
}
