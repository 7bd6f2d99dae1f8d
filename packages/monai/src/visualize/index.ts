export { plot2dOr3dImage, addAnimatedGif, makeAnimatedGifSummary, type Plot2dOr3dImageOptions, type AnimatedGifOptions } from './img2tensorboard.js';
export { encodeGreyGif, decodeGif, type DecodedGif } from './gif.js';
export { SummaryWriter, readEventFile, readScalars, type SummaryWriterOptions } from '../utils/tensorboard/index.js';
export { blendImages, applyColormap, colormapTable, COLORMAPS, matshow3d, montagePng, type BlendImagesOptions, type Matshow3dOptions } from './utils.js';
