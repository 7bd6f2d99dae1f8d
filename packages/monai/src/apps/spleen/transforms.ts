// The spleen recipe's pipelines, as MONAI's fast-training tutorial composes them. The deterministic
// prefix (load, orient, resample, window, crop to the body) is what CacheDataset keeps; the random crops
// and augmentation run per epoch. One addition: SpatialPadd to the crop size after CropForegroundd, so
// volumes smaller than the ROI (the synthetic task's small ones) still give equal-sized crops.
import { Compose } from '../../transforms/compose.js';
import { LoadImaged } from '../../transforms/io/dictionary.js';
import { EnsureChannelFirstd } from '../../transforms/utility/ensure_channel_first.js';
import { FgBgToIndicesd } from '../../transforms/utility/dictionary.js';
import { Orientationd, Spacingd } from '../../transforms/spatial/dictionary.js';
import { RandFlipd, RandRotate90d } from '../../transforms/spatial/dictionary_random.js';
import { ScaleIntensityRanged, RandShiftIntensityd } from '../../transforms/intensity/dictionary.js';
import { CropForegroundd, RandCropByPosNegLabeld, SpatialPadd } from '../../transforms/croppad/dictionary.js';
import type { SpleenConfig } from './config.js';

type Cfg = Pick<SpleenConfig, 'pixdim' | 'intensityRange' | 'roi' | 'numSamples'>;

/** LoadImaged .. CropForegroundd on `keys` (image first; a label is resampled with nearest). */
function deterministic(cfg: Cfg, keys: string[]) {
  const modes = keys.map((k) => (k === 'label' ? 'nearest' : 'bilinear'));
  return [
    new LoadImaged({ keys }),
    new EnsureChannelFirstd({ keys }),
    new Orientationd({ keys, axcodes: 'RAS' }),
    new Spacingd({ keys, pixdim: cfg.pixdim, mode: modes }),
    new ScaleIntensityRanged({ keys: 'image', aMin: cfg.intensityRange[0], aMax: cfg.intensityRange[1], bMin: 0, bMax: 1, clip: true }),
    new CropForegroundd({ keys, sourceKey: 'image' }),
  ];
}

/** Training: the cached prefix, foreground/background indices, then random pos/neg crops and light augmentation. */
export function spleenTrainTransforms(cfg: Cfg): Compose {
  const keys = ['image', 'label'];
  return new Compose([
    ...deterministic(cfg, keys),
    new SpatialPadd({ keys, spatialSize: cfg.roi }),
    new FgBgToIndicesd({ keys: 'label', fgPostfix: '_fg', bgPostfix: '_bg', imageKey: 'image' }),
    new RandCropByPosNegLabeld({ keys, labelKey: 'label', spatialSize: cfg.roi, pos: 1, neg: 1, numSamples: cfg.numSamples, fgIndicesKey: 'label_fg', bgIndicesKey: 'label_bg' }),
    new RandFlipd({ keys, prob: 0.1, spatialAxis: 0 }),
    new RandFlipd({ keys, prob: 0.1, spatialAxis: 1 }),
    new RandFlipd({ keys, prob: 0.1, spatialAxis: 2 }),
    new RandRotate90d({ keys, prob: 0.1, maxK: 3 }),
    new RandShiftIntensityd({ keys: 'image', offsets: 0.1, prob: 0.5 }),
  ]);
}

/** Validation: the deterministic prefix only; the whole volume goes through the sliding window. */
export function spleenValTransforms(cfg: Cfg): Compose {
  return new Compose(deterministic(cfg, ['image', 'label']));
}

/** Inference: the image's deterministic prefix (Invertd undoes it on the prediction). */
export function spleenInferTransforms(cfg: Cfg): Compose {
  return new Compose(deterministic(cfg, ['image']));
}
