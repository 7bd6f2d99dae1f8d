// Built-in readers; importing this module registers them (DICOM readers register from ../dicom).
export { NibabelReader, type NibabelReaderOptions, type NiftiImage } from './nibabel_reader.js';
export { NumpyReader, type NumpyReaderOptions, type NumpyImage } from './numpy_reader.js';
export { PILReader, type PILReaderOptions, type PILImage } from './pil_reader.js';
export { NrrdReader, type NrrdReaderOptions, type NrrdImage } from './nrrd_reader.js';
