// DICOM reading for monai-ts: parsing, pixel decoding (native, deflate, big endian, RLE, JPEG family,
// JPEG-LS, JPEG 2000, HTJ2K), series assembly and MONAI's PydicomReader / ITKReader.
export { DicomError } from './errors.js';
export { DicomFile, parseDicomBytes, hasDicmPrefix, TS as TRANSFER_SYNTAX, TRANSFER_SYNTAX_NAMES, type ParseOptions } from './parse.js';
export { pixelInfo, decodePixels, invertMonochrome1, encapsulatedFrames, type PixelInfo, type DType as DicomDType, type TypedArray as DicomTypedArray, type DecodeOptions } from './pixels.js';
export { decodeRleFrame } from './rle.js';
export { dicomAffine, affineToSpacing, lpsToRas, sliceNormal, type GeometryInput, type Mat4 } from './geometry.js';
export { loadDicom, loadDicomFile, loadDicomFiles, loadSeries, scanFolder, orderSlices, parseFile, type DicomVolume, type LoadOptions } from './volume.js';
export { PydicomReader, ITKReader, toIndexOrder, type DicomImage, type DicomImageReader, type IndexOrderArray, type PydicomReaderOptions, type ITKReaderOptions, type Meta as DicomMeta } from './readers.js';
export { SELECTED_TAGS, PRUNED_TAGS } from './tags.js';

import { registerReader } from '../image_reader.js';
import { ITKReader as ITKReaderClass, PydicomReader as PydicomReaderClass, type ITKReaderOptions as ItkOpts, type PydicomReaderOptions as PdOpts } from './readers.js';
registerReader('PydicomReader', (o) => new PydicomReaderClass(o as PdOpts));
registerReader('ITKReader', (o) => new ITKReaderClass(o as ItkOpts));
