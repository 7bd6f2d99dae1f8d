// Sub-voxel surface measures (MONAI get_code_to_measure_table): each 2^d-voxel neighbourhood is coded
// as a number by a 2x2(x2) convolution with powers of two, and a table maps the code to the area (3D)
// or contour length (2D) of the surface that passes through that neighbourhood, for a given spacing.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';
import { SURFACE_NORMALS_CODED } from './surface_normals.js';

let normals: Float32Array | null = null;

/** [256 * 4 * 3] surface normals, decoded once. */
function surfaceNormals(): Float32Array {
  if (normals === null) {
    normals = new Float32Array(SURFACE_NORMALS_CODED.length);
    for (let i = 0; i < normals.length; i++) normals[i] = (SURFACE_NORMALS_CODED.charCodeAt(i) - 101) / 8;
  }
  return normals;
}

/**
 * The code -> measure table (float32 [256] in 3D, float64 [16] in 2D, as MONAI's) and the coding
 * kernel ([1, 1, 2, 2(, 2)] float32) for `spacing` (2 or 3 values).
 */
export function subvoxelMeasureTable(spacing: number[], device = 'cpu'): { table: Tensor; kernel: Tensor } {
  return torch.tidy(() => {
    if (spacing.length === 3) {
      const [s0, s1, s2] = spacing;
      const n = torch.fromTypedArray(surfaceNormals(), [256, 4, 3]);
      const s = torch.tensor([[[s1 * s2, s0 * s2, s0 * s1]]], { dtype: 'float32' });
      const table = torch.linalgVectorNorm(n.mul(s), { dim: -1 }).sum(-1);
      const kernel = torch.tensor([[[[[128, 64], [32, 16]], [[8, 4], [2, 1]]]]], { dtype: 'float32' });
      return { table: table.to(device), kernel: kernel.to(device) };
    }
    if (spacing.length !== 2) throw new RangeError(`sub-voxel surface tables need 2 or 3 spacing values, found ${spacing.length}`);
    const [first, second] = spacing;
    const diag = 0.5 * Math.hypot(first, second);
    const t = new Float64Array(16);
    // bit order of the code: 8 4 / 2 1 over the 2x2 neighbourhood
    for (const c of [0b0001, 0b0010, 0b0100, 0b1000, 0b0111, 0b1011, 0b1101, 0b1110]) t[c] = diag;
    t[0b0110] = t[0b1001] = 2 * diag;
    t[0b0011] = t[0b1100] = second;
    t[0b0101] = t[0b1010] = first;
    const kernel = torch.tensor([[[[8, 4], [2, 1]]]], { dtype: 'float32' });
    return { table: torch.fromTypedArray(t, [16]).to(device), kernel: kernel.to(device) };
  });
}
