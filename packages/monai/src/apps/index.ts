export { SUPPORTED_HASH_TYPES, checkHash, fileHash, type HashType } from './hash.js';
export { downloadUrl, urlBasename, type DownloadUrlOptions } from './download.js';
export { extractAll, downloadAndExtract, DEFAULT_MAX_EXTRACT_SIZE, type ExtractAllOptions, type DownloadAndExtractOptions } from './extract.js';
export { ArchiveError } from './archive_entry.js';
export {
  DecathlonDataset, MedNISTDataset, DECATHLON_TASKS, DECATHLON_RESOURCES, MEDNIST_RESOURCE,
  type DecathlonTask, type DecathlonDatasetOptions, type MedNISTDatasetOptions, type DatasetSection,
} from './datasets.js';
export * from './synthetic/index.js';
export * from './spleen/index.js';
