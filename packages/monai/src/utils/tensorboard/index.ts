export { SummaryWriter, EventFileWriter, type SummaryWriterOptions, type EventFileWriterOptions, type AddImageOptions, type AddHistogramOptions } from './summary_writer.js';
export { readEventFile, readScalars, listEventFiles, type ScalarPoint } from './reader.js';
export { crc32c, maskedCrc32c, frameRecord, readRecords } from './record.js';
export {
  encodeEvent, decodeEvent, encodeSummary, decodeSummary, DataType, SessionStatus,
  type EventProto, type SummaryProto, type SummaryValue, type HistogramProto, type ImageProto, type TensorProto, type PluginData,
} from './proto.js';
export { DEFAULT_BINS, scalarSummary, histogramSummary, histogramProto, imageSummary, imageProto, textSummary, toHWC } from './summary.js';
