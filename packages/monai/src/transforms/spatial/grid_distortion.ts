/**
 * Grid distortion (MONAI's GridDistortion, RandGridDistortion and their dictionary forms): each axis is
 * cut into `numCells` cells whose widths are scaled by the distort steps; the resulting coordinates are
 * sampled with Resample. Not invertible (as MONAI).
 */
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { MapTransform, RandomizableMapTransform, RandomizableTransform, Transform, checkProb, perKey, type DataDict } from '../transform.js';
import { RandomState } from '../../utils/random_state.js';
import { shallowCopy } from '../lazy/utils.js';
import { Resample } from './array_affine.js';
import { checkImage } from './array.js';
import { checkedKeys, checkGridModes, tensorAt } from './dict_utils.js';
import { gridPaddingMode, gridSampleMode } from './modes.js';

type Mode = 'bilinear' | 'nearest' | 'bicubic';
type Pad = 'zeros' | 'border' | 'reflection';

function cells(who: string, numCells: number | readonly number[], n: number): number[] {
  const list = typeof numCells === 'number' ? new Array<number>(n).fill(numCells) : [...numCells];
  if (list.length !== n || list.some((c) => !Number.isInteger(c) || c < 1))
    throw new RangeError(`${who}: numCells must be a positive integer or one per spatial dimension (${n}), got ${JSON.stringify(numCells)}`);
  return list;
}

/** The distorted centred coordinates of one axis (float32, computed as MONAI does with torch.linspace). */
function axisRange(size: number, nCells: number, steps: readonly number[], who: string, axis: number): Tensor {
  if (steps.length < nCells + 1) throw new RangeError(`${who}: distortSteps[${axis}] needs ${nCells + 1} values (numCells + 1), got ${steps.length}`);
  const cellSize = Math.floor(size / nCells);
  return torch.tidy(() => {
    const parts: Tensor[] = [];
    let prev = 0;
    for (let idx = 0; idx <= nCells; idx++) {
      const start = idx * cellSize;
      let end = start + cellSize;
      let cur: number;
      if (end > size) {
        end = size;
        cur = size;
      } else cur = prev + cellSize * steps[idx];
      if (end > start) parts.push(torch.linspace(prev, cur, end - start, { dtype: 'float32' }));
      prev = cur;
    }
    const covered = parts.reduce((s, p) => s + p.shape[0], 0);
    if (covered < size) parts.push(torch.zeros([size - covered], { dtype: 'float32' }));
    return torch.cat(parts).sub((size - 1) / 2);
  });
}

export interface GridDistortionOptions {
  numCells: number | readonly number[];
  /** per spatial axis, numCells + 1 cell width factors */
  distortSteps: readonly (readonly number[])[];
  mode?: Mode;
  paddingMode?: Pad;
}

/** Distorts the image grid cell by cell (MONAI's GridDistortion). */
export class GridDistortion extends Transform {
  readonly resampler: Resample;
  readonly numCells: number | number[];
  distortSteps: number[][];

  constructor(options: GridDistortionOptions) {
    super();
    const who = 'GridDistortion';
    checkOptions(who, options, ['numCells', 'distortSteps', 'mode', 'paddingMode'], ['numCells', 'distortSteps']);
    this.resampler = new Resample({ mode: options.mode ?? 'bilinear', paddingMode: options.paddingMode ?? 'border' });
    this.numCells = typeof options.numCells === 'number' ? options.numCells : [...options.numCells];
    this.distortSteps = options.distortSteps.map((s) => [...s]);
  }

  call(img: Tensor, options: { distortSteps?: readonly (readonly number[])[] | null; mode?: string | null; paddingMode?: string | null } = {}): Tensor {
    const who = this.name;
    checkImage(who, img);
    checkOptions(who, options, ['distortSteps', 'mode', 'paddingMode']);
    const steps = options.distortSteps ?? this.distortSteps;
    const sp = img.shape.slice(1);
    if (sp.length !== steps.length) throw new RangeError(`${who}: distortSteps has ${steps.length} axes but the image has ${sp.length} spatial dimensions (shape [${img.shape.join(', ')}])`);
    const nc = cells(who, this.numCells, sp.length);
    const grid = torch.tidy(() => {
      const ranges = sp.map((s, i) => axisRange(s, nc[i], steps[i], who, i));
      const coords = torch.meshgrid(ranges, 'ij');
      return torch.stack([...coords, torch.onesLike(coords[0])]);
    });
    try {
      return this.resampler.call(img, grid, options.mode ?? undefined, options.paddingMode ?? undefined);
    } finally {
      grid.dispose();
    }
  }
}

export interface RandGridDistortionOptions {
  numCells?: number | readonly number[];
  prob?: number;
  distortLimit?: number | readonly [number, number] | readonly number[];
  mode?: Mode;
  paddingMode?: Pad;
}

function limits(who: string, v: number | readonly number[]): [number, number] {
  if (typeof v === 'number') return [Math.min(-v, v), Math.max(-v, v)];
  if (!v.length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new TypeError(`${who}: distortLimit must be a number or a list of numbers, got ${JSON.stringify(v)}`);
  return [Math.min(...v), Math.max(...v)];
}

/** GridDistortion with cell factors 1 + uniform(distortLimit), with probability `prob` (MONAI's RandGridDistortion). */
export class RandGridDistortion extends RandomizableTransform {
  readonly numCells: number | number[];
  readonly distortLimit: [number, number];
  distortSteps: number[][] = [[1]];
  readonly gridDistortion: GridDistortion;

  constructor(options: RandGridDistortionOptions = {}) {
    super();
    const who = 'RandGridDistortion';
    checkOptions(who, options, ['numCells', 'prob', 'distortLimit', 'mode', 'paddingMode']);
    this.prob = checkProb(options.prob ?? 0.1, who);
    const nc = options.numCells ?? 5;
    this.numCells = typeof nc === 'number' ? nc : [...nc];
    this.distortLimit = limits(who, options.distortLimit ?? [-0.03, 0.03]);
    gridSampleMode(who, options.mode ?? 'bilinear');
    gridPaddingMode(who, options.paddingMode ?? 'border');
    this.gridDistortion = new GridDistortion({ numCells: this.numCells, distortSteps: this.distortSteps, mode: options.mode, paddingMode: options.paddingMode });
  }

  /** Draws whether to apply, then numCells + 1 factors per axis. */
  override randomize(spatialShape?: unknown): void {
    super.randomize();
    if (!this.doTransform) return;
    const sp = spatialShape as number[];
    this.distortSteps = cells(this.name, this.numCells, sp.length).map((n) => Array.from(this.R.uniform(this.distortLimit[0], this.distortLimit[1], n + 1) as Float64Array, (v) => 1 + v));
  }

  call(img: Tensor, options: { mode?: string | null; paddingMode?: string | null; randomize?: boolean } = {}): Tensor {
    checkImage(this.name, img);
    checkOptions(this.name, options, ['mode', 'paddingMode', 'randomize']);
    if (options.randomize ?? true) this.randomize(img.shape.slice(1));
    if (!this.doTransform) return shallowCopy(img);
    return this.gridDistortion.call(img, { distortSteps: this.distortSteps, mode: options.mode, paddingMode: options.paddingMode });
  }
}

interface MapBase {
  keys: string | readonly string[];
  allowMissingKeys?: boolean;
}

/** GridDistortion per key (MONAI's GridDistortiond). */
export class GridDistortiond extends MapTransform {
  readonly gridDistortion: GridDistortion;
  readonly mode: string[];
  readonly paddingMode: string[];

  constructor(options: MapBase & Omit<GridDistortionOptions, 'mode' | 'paddingMode'> & { mode?: Mode | readonly Mode[]; paddingMode?: Pad | readonly Pad[] }) {
    checkOptions('GridDistortiond', options, ['keys', 'allowMissingKeys', 'numCells', 'distortSteps', 'mode', 'paddingMode'], ['keys', 'numCells', 'distortSteps']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.gridDistortion = new GridDistortion({ numCells: options.numCells, distortSteps: options.distortSteps });
    this.mode = perKey(options.mode ?? 'bilinear', this.keys.length, this.name, 'mode');
    this.paddingMode = perKey(options.paddingMode ?? 'border', this.keys.length, this.name, 'paddingMode');
    checkGridModes(this.name, this.mode, this.paddingMode);
  }

  call(data: DataDict): DataDict {
    const d = { ...data };
    for (const [key, mode, pm] of checkedKeys<[string, string]>(this, d, this.mode, this.paddingMode)) d[key] = this.gridDistortion.call(tensorAt(d, key, this.name), { mode, paddingMode: pm });
    return d;
  }
}

/** RandGridDistortion with one draw (from the first key's shape) for all keys (MONAI's RandGridDistortiond). */
export class RandGridDistortiond extends RandomizableMapTransform {
  readonly randGridDistortion: RandGridDistortion;
  readonly mode: string[];
  readonly paddingMode: string[];

  constructor(options: MapBase & Omit<RandGridDistortionOptions, 'mode' | 'paddingMode'> & { mode?: Mode | readonly Mode[]; paddingMode?: Pad | readonly Pad[] }) {
    checkOptions('RandGridDistortiond', options, ['keys', 'allowMissingKeys', 'numCells', 'prob', 'distortLimit', 'mode', 'paddingMode'], ['keys']);
    super(options.keys, options.allowMissingKeys ?? false);
    this.prob = checkProb(options.prob ?? 0.1, this.name);
    this.randGridDistortion = new RandGridDistortion({ numCells: options.numCells, prob: 1, distortLimit: options.distortLimit });
    this.mode = perKey(options.mode ?? 'bilinear', this.keys.length, this.name, 'mode');
    this.paddingMode = perKey(options.paddingMode ?? 'border', this.keys.length, this.name, 'paddingMode');
    checkGridModes(this.name, this.mode, this.paddingMode);
  }

  override setRandomState(options: { seed?: number | bigint | null; state?: RandomState | null } = {}): this {
    super.setRandomState(options);
    this.randGridDistortion.setRandomState(options);
    return this;
  }

  call(data: DataDict): DataDict {
    const d = { ...data };
    this.randomize();
    const items = checkedKeys<[string, string]>(this, d, this.mode, this.paddingMode);
    if (!this.doTransform || !items.length) {
      for (const [key] of items) d[key] = shallowCopy(tensorAt(d, key, this.name));
      return d;
    }
    const first = this.firstKey(d)!;
    this.randGridDistortion.randomize(tensorAt(d, first, this.name).shape.slice(1));
    for (const [key, mode, pm] of items) d[key] = this.randGridDistortion.call(tensorAt(d, key, this.name), { mode, paddingMode: pm, randomize: false });
    return d;
  }
}
