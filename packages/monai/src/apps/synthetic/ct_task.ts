// A synthetic CT segmentation task in the Medical Segmentation Decathlon layout (dataset.json, imagesTr/,
// labelsTr/, imagesTs/, gzipped NIfTI), generated deterministically from a seed so the flagship recipe
// runs with nothing downloaded. Each case is a CT-like volume in Hounsfield units: air around a body
// ellipse with a fat rim, soft tissue, a spine and ribs in bone, a distractor organ, and the labelled
// organ, a smooth blob whose shape, size and position vary; anisotropic spacing and an LPS-style affine
// (negative x/y diagonal) as scanners write; Gaussian noise.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { writeNifti } from '../../data/formats/nifti.js';
import { RandomState } from '../../utils/random_state.js';

export interface SyntheticCtTaskOptions {
  /** folder to write the task into (created) */
  outputDir: string;
  /** labelled training cases (default 16) */
  numTraining?: number;
  /** unlabelled test cases in imagesTs/ (default 4) */
  numTest?: number;
  /** voxels per axis, x y z (default [96, 96, 40]) */
  size?: readonly number[];
  /** voxel spacing in mm (default [1.25, 1.25, 2.5]: thick axial slices as abdominal CT) */
  spacing?: readonly number[];
  /** seed of every random draw (default 0) */
  seed?: number;
  /** standard deviation of the Gaussian noise in HU (default 15) */
  noiseHu?: number;
  /** regenerate even when the stamp says the folder is current (default false) */
  force?: boolean;
}
const KEYS = ['outputDir', 'numTraining', 'numTest', 'size', 'spacing', 'seed', 'noiseHu', 'force'];

export interface SyntheticCtTask {
  /** the task folder */
  root: string;
  /** path of dataset.json */
  datasetJson: string;
  /** false when an up-to-date folder was reused */
  generated: boolean;
  /** the hash of the options the folder was made with */
  hash: string;
}

/** Bumped when the generated content changes, so stale caches are rebuilt. */
const GENERATOR_VERSION = 1;
const STAMP = '.monai-ts-synthetic.json';

export const HU = { air: -1000, fat: -100, softTissue: 40, distractor: 65, organ: 120, bone: 750 } as const;

interface Resolved { numTraining: number; numTest: number; size: number[]; spacing: number[]; seed: number; noiseHu: number }

function resolve(o: SyntheticCtTaskOptions): Resolved {
  checkOptions('generateSyntheticCtTask', o, KEYS, ['outputDir']);
  const r: Resolved = {
    numTraining: o.numTraining ?? 16, numTest: o.numTest ?? 4, size: [...(o.size ?? [96, 96, 40])],
    spacing: [...(o.spacing ?? [1.25, 1.25, 2.5])], seed: o.seed ?? 0, noiseHu: o.noiseHu ?? 15,
  };
  const bad = (k: string, want: string, got: unknown): never => {
    throw new Error(`generateSyntheticCtTask: ${k} must be ${want}, found ${JSON.stringify(got)}`);
  };
  if (!Number.isInteger(r.numTraining) || r.numTraining < 1) bad('numTraining', 'a positive integer', o.numTraining);
  if (!Number.isInteger(r.numTest) || r.numTest < 0) bad('numTest', 'a non-negative integer', o.numTest);
  if (r.size.length !== 3 || r.size.some((s) => !Number.isInteger(s) || s < 16)) bad('size', 'three integers >= 16', o.size);
  if (r.spacing.length !== 3 || r.spacing.some((s) => !(s > 0))) bad('spacing', 'three positive numbers (mm)', o.spacing);
  if (!Number.isInteger(r.seed) || r.seed < 0 || r.seed > 0xffffffff) bad('seed', 'an integer in [0, 2**32)', o.seed);
  if (!(r.noiseHu >= 0)) bad('noiseHu', 'a non-negative number', o.noiseHu);
  return r;
}

/** The hash that names a generated folder's content (options and generator version). */
export function syntheticTaskHash(options: SyntheticCtTaskOptions): string {
  const r = resolve({ ...options, force: undefined });
  return createHash('sha256').update(JSON.stringify({ v: GENERATOR_VERSION, ...r })).digest('hex').slice(0, 16);
}

/** The affine of a case: LPS-style axes (x, y flipped in RAS), centred on the volume. */
function caseAffine(size: number[], spacing: number[]): Float64Array {
  const [sx, sy, sz] = spacing;
  const a = new Float64Array(16);
  a[0] = -sx; a[5] = -sy; a[10] = sz; a[15] = 1;
  a[3] = (sx * (size[0] - 1)) / 2;
  a[7] = (sy * (size[1] - 1)) / 2;
  a[11] = (-sz * (size[2] - 1)) / 2;
  return a;
}

/** x, y, z coordinates in mm from the volume centre, shaped to broadcast over [X, Y, Z]. */
function grids(size: number[], spacing: number[]): [Tensor, Tensor, Tensor] {
  return [0, 1, 2].map((d) => {
    const shape = [1, 1, 1];
    shape[d] = size[d];
    return torch.arange(size[d], { dtype: 'float32' }).sub((size[d] - 1) / 2).mul(spacing[d]).view(shape);
  }) as [Tensor, Tensor, Tensor];
}

/** Draws one case: HU image (int16) and organ label (uint8), both [X, Y, Z]. */
function drawCase(rs: RandomState, r: Resolved): { image: Tensor; label: Tensor } {
  const ext = r.size.map((s, i) => s * r.spacing[i]);
  return torch.tidy(() => {
    const [x, y, z] = grids(r.size, r.spacing);
    // body: an ellipse in the axial plane filling most of the field of view, with a fat rim
    const bx = (ext[0] / 2) * rs.uniform(0.8, 0.92);
    const by = (ext[1] / 2) * rs.uniform(0.62, 0.75);
    const body = x.div(bx).square().add(y.div(by).square());
    const rim = rs.uniform(0.78, 0.86);
    let hu = torch.fullLike(body.expand(r.size).contiguous(), HU.air);
    hu = torch.where(body.le(1), HU.fat, hu);
    hu = torch.where(body.le(rim * rim), HU.softTissue, hu);
    // spine (posterior, +y in this index space) and a ring of ribs inside the fat rim
    const spineR = rs.uniform(6, 9);
    const spine = x.square().add(y.sub(by * 0.72).square()).le(spineR * spineR);
    const ringOut = body.le(rim * rim * 0.97);
    const ringIn = body.le(rim * rim * 0.88);
    const ribs = ringOut.logicalAnd(ringIn.logicalNot()).logicalAnd(z.mul(2 * Math.PI / 22).add(rs.uniform(0, 6.28)).sin().gt(0.35));
    hu = torch.where(spine.logicalOr(ribs).logicalAnd(body.le(1)), HU.bone, hu);
    // the labelled organ: an ellipsoid rotated about z, its radius modulated by low-order harmonics
    const side = rs.uniform() < 0.5 ? -1 : 1;
    const cx = side * bx * rs.uniform(0.25, 0.45);
    const cy = by * rs.uniform(-0.25, 0.3);
    const cz = (ext[2] / 2) * rs.uniform(-0.3, 0.3);
    const ax = [rs.uniform(15, 22), rs.uniform(12, 18), rs.uniform(20, 35)];
    const rot = rs.uniform(0, Math.PI);
    const harm = [rs.uniform(0.04, 0.14), rs.uniform(0, 6.28), rs.uniform(0.03, 0.1), rs.uniform(0, 6.28), rs.uniform(-0.15, 0.15)];
    const dx = x.sub(cx), dy = y.sub(cy), dz = z.sub(cz);
    const u = dx.mul(Math.cos(rot)).add(dy.mul(Math.sin(rot))).div(ax[0]);
    const v = dy.mul(Math.cos(rot)).sub(dx.mul(Math.sin(rot))).div(ax[1]);
    const w = dz.div(ax[2]);
    const theta = torch.atan2(v, u);
    const radius = theta.mul(2).add(harm[1]).sin().mul(harm[0])
      .add(theta.mul(3).add(harm[3]).cos().mul(harm[2]))
      .add(w.mul(harm[4]))
      .add(1);
    const organ = u.square().add(v.square()).add(w.square()).sqrt().le(radius).logicalAnd(body.le(rim * rim));
    // a distractor organ of nearby intensity on the other side (liver-like), not labelled
    const lx = -side * bx * rs.uniform(0.3, 0.45);
    const ly = by * rs.uniform(-0.3, 0.1);
    const la = [rs.uniform(14, 22), rs.uniform(12, 20), rs.uniform(25, 40)];
    const liver = x.sub(lx).div(la[0]).square().add(y.sub(ly).div(la[1]).square()).add(z.div(la[2]).square()).le(1).logicalAnd(body.le(rim * rim));
    hu = torch.where(liver, HU.distractor, hu);
    hu = torch.where(organ, HU.organ, hu);
    const noise = rs.normalTensor(0, r.noiseHu, r.size, { dtype: 'float32' });
    const image = hu.add(noise).round().clamp(-1024, 3071).to({ dtype: 'int16' });
    return { image, label: organ.to({ dtype: 'uint8' }) };
  });
}

/** Writes a [X, Y, Z] tensor as NIfTI (x fastest on disk). */
function save(file: string, t: Tensor, affine: Float64Array): void {
  const bytes = torch.tidy(() => {
    const a = t.permute([2, 1, 0]).contiguous().toTypedArray();
    return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  });
  writeNifti(file, { shape: t.shape, element: t.dtype as 'int16' | 'uint8', data: bytes, affine, descrip: 'monai-ts synthetic CT', level: 6 });
}

const caseName = (i: number): string => `organ_${String(i).padStart(3, '0')}.nii.gz`;

/**
 * Generates the task into outputDir, or reuses it when its stamp names the same options (hash) and every
 * file listed in dataset.json exists. Training cases are 0..numTraining-1, test cases follow.
 */
export function generateSyntheticCtTask(options: SyntheticCtTaskOptions): SyntheticCtTask {
  const r = resolve(options);
  const root = path.resolve(options.outputDir);
  const hash = syntheticTaskHash(options);
  const datasetJson = path.join(root, 'dataset.json');
  const stampFile = path.join(root, STAMP);
  if (!options.force && isCurrent(root, stampFile, datasetJson, hash)) return { root, datasetJson, generated: false, hash };
  for (const d of ['imagesTr', 'labelsTr', 'imagesTs']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.rmSync(stampFile, { force: true });
  const rs = new RandomState(r.seed);
  const affine = caseAffine(r.size, r.spacing);
  const training: { image: string; label: string }[] = [];
  const test: string[] = [];
  for (let i = 0; i < r.numTraining + r.numTest; i++) {
    const { image, label } = drawCase(rs, r);
    try {
      const name = caseName(i);
      if (i < r.numTraining) {
        save(path.join(root, 'imagesTr', name), image, affine);
        save(path.join(root, 'labelsTr', name), label, affine);
        training.push({ image: `./imagesTr/${name}`, label: `./labelsTr/${name}` });
      } else {
        save(path.join(root, 'imagesTs', name), image, affine);
        test.push(`./imagesTs/${name}`);
      }
    } finally {
      image.dispose();
      label.dispose();
    }
  }
  const ds = {
    name: 'SyntheticOrgan',
    description: `monai-ts synthetic CT organ segmentation (seed ${r.seed})`,
    reference: 'generated by monai-ts generateSyntheticCtTask',
    licence: 'CC0',
    release: `generator ${GENERATOR_VERSION}`,
    tensorImageSize: '3D',
    modality: { 0: 'CT' },
    labels: { 0: 'background', 1: 'organ' },
    numTraining: r.numTraining,
    numTest: r.numTest,
    training,
    test,
  };
  fs.writeFileSync(datasetJson, JSON.stringify(ds, null, 4) + '\n');
  fs.writeFileSync(stampFile, JSON.stringify({ hash, options: r, version: GENERATOR_VERSION }, null, 2) + '\n');
  return { root, datasetJson, generated: true, hash };
}

function isCurrent(root: string, stampFile: string, datasetJson: string, hash: string): boolean {
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8')) as { hash?: string };
    if (stamp.hash !== hash) return false;
    const ds = JSON.parse(fs.readFileSync(datasetJson, 'utf8')) as { training: { image: string; label: string }[]; test: string[] };
    const files = [...ds.training.flatMap((t) => [t.image, t.label]), ...ds.test];
    return files.every((f) => fs.existsSync(path.join(root, f)));
  } catch {
    return false;
  }
}
