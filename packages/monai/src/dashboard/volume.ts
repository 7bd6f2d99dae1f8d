/**
 * Validation volumes for the dashboard's slice viewer: the image quantised to 8 bits, the label and the
 * prediction as 8-bit class indices, downsampled (nearest) so that no axis exceeds `maxSize`. Everything
 * runs in libtorch ops; only the final bytes (at most maxSize^3 each) are copied out.
 */
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';

export interface VolumeSnapshot {
  /** spatial shape [x, y, z] of the arrays (x fastest-varying last in memory: index = (i*y + j)*z + k) */
  shape: [number, number, number];
  /** voxel spacing of the snapshot (after downsampling), for the viewer's aspect ratio */
  spacing: [number, number, number];
  image: Uint8Array;
  label: Uint8Array | null;
  pred: Uint8Array | null;
  /** what produced it: e.g. epoch and case name */
  title: string;
}

function checkVolume(t: Tensor, what: string): void {
  if (t.dim() !== 4) throw new RangeError(`dashboard: ${what} must be channel-first 3D, [C, x, y, z], found shape [${t.shape.join(', ')}]`);
}

/** [C, x, y, z] -> [x, y, z] class indices: argmax over channels when C > 1, else the rounded values. */
function toClasses(t: Tensor): Tensor {
  return t.shape[0] > 1 ? t.argmax({ dim: 0 }) : t.select(0, 0).round();
}

/** `t` ([x, y, z]) resampled (nearest) to `size`. */
function resize(t: Tensor, size: number[]): Tensor {
  if (size.every((s, i) => s === t.shape[i])) return t;
  return torch.nn.functional.interpolate(t.unsqueeze(0).unsqueeze(0).float(), { size, mode: 'nearest' }).squeeze(0).squeeze(0);
}

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.contiguous().to({ dtype: 'uint8', device: 'cpu' }).toTypedArray() as Uint8Array);
}

/**
 * A snapshot of one item: `image` [C, x, y, z] (channel 0 shown, scaled between its 0.5 and 99.5
 * percentiles), `label` and `pred` [C, x, y, z] (one-hot or index maps).
 */
export function volumeSnapshot(
  image: Tensor,
  options: { label?: Tensor | null; pred?: Tensor | null; spacing?: readonly number[]; maxSize?: number; title?: string } = {},
): VolumeSnapshot {
  checkVolume(image, 'image');
  const spatial = image.shape.slice(1);
  for (const [what, t] of [['label', options.label], ['pred', options.pred]] as const) {
    if (!t) continue;
    checkVolume(t, what);
    if (t.shape.slice(1).some((s, i) => s !== spatial[i])) throw new RangeError(`dashboard: ${what} spatial shape [${t.shape.slice(1).join(', ')}] differs from the image's [${spatial.join(', ')}]`);
  }
  const maxSize = options.maxSize ?? 128;
  if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > 250) throw new RangeError(`dashboard: maxSize must be an integer in [1, 250], got ${maxSize}`);
  const scale = Math.min(1, maxSize / Math.max(...spatial));
  const size = spatial.map((s) => Math.max(1, Math.round(s * scale)));
  const sp = options.spacing ?? [1, 1, 1];
  const spacing = sp.map((s, i) => (s * spatial[i]) / size[i]) as [number, number, number];
  return torch.tidy(() => {
    const img = resize(image.detach().select(0, 0).float(), size);
    // a robust window (CT HU and [0, 1] intensities both display well); at most maxSize^3 values,
    // within quantile's 16M limit for maxSize <= 250
    const q = torch.quantile(img.flatten(), torch.tensor([0.005, 0.995]));
    const [lo, hi] = q.toArray() as number[];
    const scaled = img.sub(lo).div(hi > lo ? hi - lo : 1).clamp({ min: 0, max: 1 }).mul(255).round();
    const cls = (t: Tensor | null | undefined) => (t ? bytesOf(resize(toClasses(t.detach()), size).clamp({ min: 0, max: 255 })) : null);
    return {
      shape: size as [number, number, number],
      spacing,
      image: bytesOf(scaled),
      label: cls(options.label),
      pred: cls(options.pred),
      title: options.title ?? '',
    };
  });
}

/** The wire form: a little-endian u32 header length, the JSON header, then image, label and pred bytes. */
export function encodeSnapshot(v: VolumeSnapshot): Buffer {
  const header = Buffer.from(JSON.stringify({ shape: v.shape, spacing: v.spacing, title: v.title, label: v.label !== null, pred: v.pred !== null }));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(header.length, 0);
  return Buffer.concat([len, header, v.image, ...(v.label ? [v.label] : []), ...(v.pred ? [v.pred] : [])]);
}
