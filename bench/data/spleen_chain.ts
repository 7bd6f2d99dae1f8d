// The spleen tutorial's deterministic chain (MONAI's spleen_segmentation_3d), shared by the cache bench.
import { EnsureChannelFirstd } from '../../packages/monai/src/transforms/utility/ensure_channel_first.js';
import { LoadImaged } from '../../packages/monai/src/transforms/io/dictionary.js';
import { Orientationd, Spacingd } from '../../packages/monai/src/transforms/spatial/dictionary.js';
import { ScaleIntensityRanged } from '../../packages/monai/src/transforms/intensity/dictionary.js';
import { CropForegroundd } from '../../packages/monai/src/transforms/croppad/dictionary.js';
import type { TransformLike } from '../../packages/monai/src/transforms/transform.js';

export function spleenChain(): TransformLike[] {
  return [
    new LoadImaged({ keys: ['image', 'label'] }),
    new EnsureChannelFirstd({ keys: ['image', 'label'] }),
    new Orientationd({ keys: ['image', 'label'], axcodes: 'RAS' }),
    new Spacingd({ keys: ['image', 'label'], pixdim: [1.5, 1.5, 2.0], mode: ['bilinear', 'nearest'] }),
    new ScaleIntensityRanged({ keys: ['image'], aMin: -57, aMax: 164, bMin: 0, bMax: 1, clip: true }),
    new CropForegroundd({ keys: ['image', 'label'], sourceKey: 'image' }),
  ];
}
