/**
 * Interpolation and padding mode names as MONAI resolves them (resolves_modes): grid_sample modes and
 * padding modes (scipy ndimage names map to the nearest grid_sample one), interpolate modes ('linear'
 * names follow the spatial rank), and numpy pad names for pad/crop steps. Integer spline orders (MONAI's
 * scipy map_coordinates backend) are not supported: they throw, naming the transform.
 */
import type { nn } from '@monai-ts/torch';
import { suggestion } from '../../data/options.js';

type GridSampleMode = nn.functional.GridSampleMode;
type GridPaddingMode = nn.functional.GridPaddingMode;
type InterpolateMode = nn.functional.InterpolateMode;

export const GRID_SAMPLE_MODES = ['bilinear', 'nearest', 'bicubic'] as const;
export const GRID_PADDING_MODES = ['zeros', 'border', 'reflection'] as const;
export const INTERPOLATE_MODES = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'] as const;
export const NUMPY_PAD_MODES = ['constant', 'edge', 'reflect', 'wrap', 'replicate', 'circular'] as const;

const NDIMAGE_PADDING: Record<string, GridPaddingMode> = {
  constant: 'zeros',
  'grid-constant': 'zeros',
  nearest: 'border',
  reflect: 'reflection',
  wrap: 'reflection',
  'grid-wrap': 'reflection',
  'grid-mirror': 'reflection',
};

function listOf(xs: readonly string[]): string {
  return xs.map((x) => `'${x}'`).join(', ');
}

function rejectSpline(who: string, option: string, v: unknown): void {
  if (typeof v === 'number')
    throw new TypeError(`${who}: ${option}=${v} (a scipy spline order) is not supported; use one of ${listOf(GRID_SAMPLE_MODES)}`);
}

/** The grid_sample mode of a MONAI mode name; 'linear'/'trilinear' become 'bilinear' (trilinear in 3D). */
export function gridSampleMode(who: string, mode: unknown, option = 'mode'): GridSampleMode {
  rejectSpline(who, option, mode);
  if (mode === 'bilinear' || mode === 'nearest' || mode === 'bicubic') return mode;
  if (mode === 'linear' || mode === 'trilinear') return 'bilinear';
  throw new TypeError(`${who}: ${option} must be one of ${listOf(GRID_SAMPLE_MODES)}, got ${JSON.stringify(mode)}${suggestion(String(mode), GRID_SAMPLE_MODES)}`);
}

/** The grid_sample padding mode of a MONAI padding name (scipy ndimage names mapped as MONAI does). */
export function gridPaddingMode(who: string, mode: unknown, option = 'paddingMode'): GridPaddingMode {
  if (mode === 'zeros' || mode === 'border' || mode === 'reflection') return mode;
  if (typeof mode === 'string' && mode in NDIMAGE_PADDING) return NDIMAGE_PADDING[mode];
  throw new TypeError(`${who}: ${option} must be one of ${listOf(GRID_PADDING_MODES)}, got ${JSON.stringify(mode)}${suggestion(String(mode), GRID_PADDING_MODES)}`);
}

/** The interpolate mode for `spatialNd` dimensions ('linear', 'bilinear', 'trilinear' follow the rank). */
export function interpolateMode(who: string, mode: unknown, spatialNd: number, option = 'mode'): InterpolateMode {
  rejectSpline(who, option, mode);
  if (typeof mode !== 'string' || !(INTERPOLATE_MODES as readonly string[]).includes(mode))
    throw new TypeError(`${who}: ${option} must be one of ${listOf(INTERPOLATE_MODES)}, got ${JSON.stringify(mode)}${suggestion(String(mode), INTERPOLATE_MODES)}`);
  if (mode.endsWith('linear')) return spatialNd === 1 ? 'linear' : spatialNd === 3 ? 'trilinear' : 'bilinear';
  return mode as InterpolateMode;
}

/** Checks an interpolate mode name without resolving the rank. */
export function checkInterpolateMode(who: string, mode: unknown, option = 'mode'): string {
  interpolateMode(who, mode, 2, option);
  return mode as string;
}

/** torch pad mode of a numpy/torch pad name (MONAI's pad_nd for floating tensors). */
export function torchPadMode(who: string, mode: unknown, option = 'paddingMode'): nn.functional.PadMode {
  switch (mode) {
    case 'constant':
      return 'constant';
    case 'edge':
    case 'replicate':
      return 'replicate';
    case 'reflect':
      return 'reflect';
    case 'wrap':
    case 'circular':
      return 'circular';
    default:
      throw new TypeError(`${who}: ${option} must be one of ${listOf(NUMPY_PAD_MODES)}, got ${JSON.stringify(mode)}${suggestion(String(mode), NUMPY_PAD_MODES)}`);
  }
}
