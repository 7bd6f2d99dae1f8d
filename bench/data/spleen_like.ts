// Spleen-sized CT-like volumes for the cache-build bench: 512x512x90 int16 (air, a body ellipse with
// soft-tissue noise, a bright spine, a "spleen" blob) and a uint8 label of the blob, written once as
// .nii.gz with an LPS-style anisotropic affine like Task09_Spleen (x and y flipped, 0.79 x 0.79 x 5 mm),
// so Orientationd to RAS flips two axes and Spacingd to (1.5, 1.5, 2) shrinks x/y and stretches z.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { writeNifti } from '../../packages/monai/src/data/formats/nifti.js';

export const SHAPE = [512, 512, 90] as const; // x, y, z
const SPACING = [0.79, 0.79, 5.0];

/** The affine of volume k (the origin moves a little per volume, as in real series). */
export function spleenAffine(k: number): Float64Array {
  // prettier-ignore
  return new Float64Array([
    -SPACING[0], 0, 0, 200 + k,
    0, -SPACING[1], 0, 180 - k,
    0, 0, SPACING[2], -380 + 3 * k,
    0, 0, 0, 1,
  ]);
}

/** The bench folder (BENCH_DIR, default <tmp>/monai-ts-bench/spleen-like-v1); the volumes are written when missing. */
export function spleenLikeFiles(count = 6): { image: string; label: string }[] {
  const dir = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'monai-ts-bench', 'spleen-like-v1');
  fs.mkdirSync(dir, { recursive: true });
  const files = Array.from({ length: count }, (_, k) => ({ image: path.join(dir, `img_${k}.nii.gz`), label: path.join(dir, `label_${k}.nii.gz`) }));
  files.forEach((f, k) => {
    if (!fs.existsSync(f.image) || !fs.existsSync(f.label)) writeVolume(f.image, f.label, k);
  });
  return files;
}

function writeVolume(imageFile: string, labelFile: string, k: number): void {
  const [X, Y, Z] = SHAPE;
  torch.tidy(() => {
    const gen = new torch.Generator().manualSeed(1000 + k);
    // [Z, Y, X] C-contiguous = x fastest, NIfTI's order
    const z = torch.arange(Z, { dtype: 'float32' }).view([Z, 1, 1]).div(Z);
    const y = torch.arange(Y, { dtype: 'float32' }).view([1, Y, 1]).div(Y).sub(0.5);
    const x = torch.arange(X, { dtype: 'float32' }).view([1, 1, X]).div(X).sub(0.5);
    const body = x.square().div(0.42 ** 2).add(y.square().div(0.3 ** 2)).le(1);
    const spine = x.square().add(y.sub(0.18).square()).le(0.04 ** 2);
    const cx = 0.15 + 0.01 * k;
    const spleen = x.sub(cx).square().div(0.08 ** 2).add(y.add(0.05).square().div(0.06 ** 2)).add(z.sub(0.55).square().div(0.2 ** 2)).le(1);
    const noise = torch.randn([Z, Y, X], { generator: gen }).mul(20);
    let hu = torch.full([Z, Y, X], -1000, { dtype: 'float32' });
    hu = torch.where(body, noise.add(30), hu);
    hu = torch.where(spine.expand([Z, Y, X]), noise.add(700), hu);
    hu = torch.where(spleen, noise.add(55), hu);
    const img = hu.round().to({ dtype: 'int16' }).contiguous();
    const label = spleen.to({ dtype: 'uint8' }).contiguous();
    const affine = spleenAffine(k);
    img.withData((d) => writeNifti(imageFile, { shape: [X, Y, Z], element: 'int16', data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength), affine }));
    label.withData((d) => writeNifti(labelFile, { shape: [X, Y, Z], element: 'uint8', data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength), affine }));
  });
}
