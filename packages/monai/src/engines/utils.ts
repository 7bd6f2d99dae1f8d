// MONAI's engines/utils.py: batch preparation, the keys workflows use, applying post-transforms to an
// iteration's batch and output, and the default best-metric comparison.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { applyTransform, type TransformLike } from '../transforms/transform.js';

/** Keys of a workflow's batch and output dicts (MONAI's CommonKeys). */
export const CommonKeys = { IMAGE: 'image', LABEL: 'label', PRED: 'pred', LOSS: 'loss', METADATA: 'metadata' } as const;
/** Keys of a GAN trainer's output (MONAI's GanKeys). */
export const GanKeys = { REALS: 'reals', FAKES: 'fakes', LATENTS: 'latents', GLOSS: 'g_loss', DLOSS: 'd_loss' } as const;

export type Device = string | null;
/** What a prepareBatch returns: (inputs, targets) or (inputs, targets, args, kwargs) for the inferer. */
export type PreparedBatch = [Tensor, Tensor | null] | [Tensor, Tensor | null, unknown[], Record<string, unknown>] | Tensor;
export type PrepareBatchFn = (batchdata: unknown, device: Device, nonBlocking: boolean) => PreparedBatch;

const to = (t: Tensor, device: Device): Tensor => (device === null || t.device === device ? t : t.to(device));

/** MONAI's default_prepare_batch: a dict's image and label (or reals for GANs), a tensor, or a pair. */
export function defaultPrepareBatch(batchdata: unknown, device: Device = null, _nonBlocking = false): PreparedBatch {
  if (batchdata instanceof Tensor) return [to(batchdata, device), null];
  if (Array.isArray(batchdata)) {
    if (batchdata.length === 2 && batchdata[0] instanceof Tensor && batchdata[1] instanceof Tensor) return [to(batchdata[0], device), to(batchdata[1], device)];
    throw new TypeError(`defaultPrepareBatch: expected a tensor, a pair of tensors or a dict with 'image', found an array of ${batchdata.length}`);
  }
  if (batchdata === null || typeof batchdata !== 'object') throw new TypeError(`defaultPrepareBatch: expected a tensor, a pair of tensors or a dict with 'image', found ${batchdata === null ? 'null' : typeof batchdata}`);
  const d = batchdata as Record<string, unknown>;
  if (d[CommonKeys.LABEL] instanceof Tensor) return [to(d[CommonKeys.IMAGE] as Tensor, device), to(d[CommonKeys.LABEL] as Tensor, device)];
  if (GanKeys.REALS in d) return to(d[GanKeys.REALS] as Tensor, device);
  if (!(d[CommonKeys.IMAGE] instanceof Tensor)) throw new TypeError(`defaultPrepareBatch: the batch dict has no tensor under 'image' (keys: ${Object.keys(d).join(', ')})`);
  return [to(d[CommonKeys.IMAGE] as Tensor, device), null];
}

/** A callable batch preparation (MONAI's PrepareBatch). */
export abstract class PrepareBatch {
  abstract call(batchdata: unknown, device: Device, nonBlocking: boolean): PreparedBatch;
}

export class PrepareBatchDefault extends PrepareBatch {
  call(batchdata: unknown, device: Device = null, nonBlocking = false): PreparedBatch {
    return defaultPrepareBatch(batchdata, device, nonBlocking);
  }
}

/** Also passes batch entries to the network: a key or keys as positional args, or {argName: key} as kwargs. */
export class PrepareBatchExtraInput extends PrepareBatch {
  constructor(readonly extraKeys: string | string[] | Record<string, string>) {
    super();
  }
  call(batchdata: unknown, device: Device = null, nonBlocking = false): PreparedBatch {
    const [image, label] = defaultPrepareBatch(batchdata, device, nonBlocking) as [Tensor, Tensor | null];
    const d = batchdata as Record<string, unknown>;
    const get = (k: string): unknown => {
      if (!(k in d)) throw new Error(`PrepareBatchExtraInput: the batch has no key '${k}' (keys: ${Object.keys(d).join(', ')})`);
      return d[k] instanceof Tensor ? to(d[k] as Tensor, device) : d[k];
    };
    const args: unknown[] = [];
    const kwargs: Record<string, unknown> = {};
    if (typeof this.extraKeys === 'string' || Array.isArray(this.extraKeys)) {
      for (const k of typeof this.extraKeys === 'string' ? [this.extraKeys] : this.extraKeys) args.push(get(k));
    } else {
      for (const [name, k] of Object.entries(this.extraKeys)) kwargs[name] = get(k);
    }
    return [image, label, args, kwargs];
  }
}

/** A prepareBatch given as a function or a PrepareBatch object, as a function. */
export function asPrepareBatchFn(p: PrepareBatchFn | PrepareBatch): PrepareBatchFn {
  return p instanceof PrepareBatch ? (b, d, n) => p.call(b, d, n) : p;
}

/**
 * MONAI's engine_apply_transform: with dict batch and output, the transform sees both merged and each
 * result key goes back where it came from (new keys to the output); otherwise it transforms the output.
 */
export function engineApplyTransform(batch: unknown, output: unknown, transform: TransformLike): [unknown, unknown] {
  const isDict = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor);
  if (isDict(batch) && isDict(output)) {
    const res = applyTransform(transform, { ...batch, ...output });
    if (!isDict(res)) throw new TypeError('engineApplyTransform: with dict batch and output the transform must return a dict');
    for (const [k, v] of Object.entries(res)) {
      if (k in output || !(k in batch)) output[k] = v;
      else batch[k] = v;
    }
    return [batch, output];
  }
  return [batch, applyTransform(transform, output)];
}

/** The default "is the current metric better": greater is better. */
export function defaultMetricCmpFn(current: number, prevBest: number): boolean {
  return current > prevBest;
}

/** MONAI's default_make_latent: standard-normal latents [numLatents, latentSize] on `device` (GanTrainer's default). */
export function defaultMakeLatent(numLatents: number, latentSize: number, device: Device = null, _nonBlocking = false): Tensor {
  for (const [name, v] of [['numLatents', numLatents], ['latentSize', latentSize]] as const)
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`defaultMakeLatent: ${name} must be a non-negative integer, found ${v}`);
  const z = torch.randn([numLatents, latentSize]);
  if (device === null || z.device === device) return z;
  try {
    return z.to(device);
  } finally {
    z.dispose();
  }
}

/**
 * MONAI's get_devices_spec: `null` asks for every CUDA device (an error when there is none), an empty
 * list means the CPU, any other list is returned as given.
 */
export function getDevicesSpec(devices: readonly string[] | null = null): string[] {
  if (devices === null) {
    const n = torch.cuda.isAvailable() ? torch.cuda.deviceCount() : 0;
    if (n === 0) throw new Error('getDevicesSpec: no GPU devices available (devices=null asks for all CUDA devices; pass [] for the CPU)');
    return Array.from({ length: n }, (_, i) => `cuda:${i}`);
  }
  if (!Array.isArray(devices) || devices.some((d) => typeof d !== 'string')) throw new TypeError(`getDevicesSpec: devices must be null or a list of device strings, found ${JSON.stringify(devices)}`);
  return devices.length === 0 ? ['cpu'] : [...devices];
}
