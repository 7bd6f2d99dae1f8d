/**
 * DecathlonDataset and MedNISTDataset (MONAI's monai/apps/datasets.py): CacheDatasets over a downloaded
 * or existing dataset folder, split into training/validation(/test) by a seeded numpy-compatible shuffle so
 * the file lists equal MONAI's for the same seed. The constructors work offline from an existing folder;
 * `await XDataset.create({ ..., download: true })` fetches and extracts the archive first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CacheDataset, type CacheDatasetOptions } from '../data/dataset.js';
import { loadDecathlonDatalist, loadDecathlonProperties, type DatalistItem } from '../data/decathlon_datalist.js';
import { checkChoice, checkOptions } from '../data/options.js';
import { seedRandomState, type TransformLike } from '../transforms/transform.js';
import { LoadImaged } from '../transforms/io/dictionary.js';
import { downloadAndExtract } from './extract.js';

export const DECATHLON_TASKS = [
  'Task01_BrainTumour', 'Task02_Heart', 'Task03_Liver', 'Task04_Hippocampus', 'Task05_Prostate',
  'Task06_Lung', 'Task07_Pancreas', 'Task08_HepaticVessel', 'Task09_Spleen', 'Task10_Colon',
] as const;
export type DecathlonTask = (typeof DECATHLON_TASKS)[number];

/** MONAI's archive URLs and md5 digests for the ten Medical Segmentation Decathlon tasks. */
export const DECATHLON_RESOURCES: Readonly<Record<DecathlonTask, { url: string; md5: string }>> = {
  Task01_BrainTumour: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task01_BrainTumour.tar', md5: '240a19d752f0d9e9101544901065d872' },
  Task02_Heart: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task02_Heart.tar', md5: '06ee59366e1e5124267b774dbd654057' },
  Task03_Liver: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task03_Liver.tar', md5: 'a90ec6c4aa7f6a3d087205e23d4e6397' },
  Task04_Hippocampus: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task04_Hippocampus.tar', md5: '9d24dba78a72977dbd1d2e110310f31b' },
  Task05_Prostate: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task05_Prostate.tar', md5: '35138f08b1efaef89d7424d2bcc928db' },
  Task06_Lung: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task06_Lung.tar', md5: '8afd997733c7fc0432f71255ba4e52dc' },
  Task07_Pancreas: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task07_Pancreas.tar', md5: '4f7080cfca169fa8066d17ce6eb061e4' },
  Task08_HepaticVessel: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task08_HepaticVessel.tar', md5: '641d79e80ec66453921d997fbf12a29c' },
  Task09_Spleen: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task09_Spleen.tar', md5: '410d4a301da4e5b2f6f86ec3ddba524e' },
  Task10_Colon: { url: 'https://msd-for-monai.s3-us-west-2.amazonaws.com/Task10_Colon.tar', md5: 'bad7a188931dc2f6acf72b08eb6202d0' },
};

export const MEDNIST_RESOURCE = {
  url: 'https://github.com/Project-MONAI/MONAI-extra-test-data/releases/download/0.8.1/MedNIST.tar.gz',
  md5: '0bc7306e7427e00ad1c5526a6677552d',
  compressedFileName: 'MedNIST.tar.gz',
  datasetFolderName: 'MedNIST',
} as const;

export type DatasetSection = 'training' | 'validation' | 'test';
const SECTIONS: readonly DatasetSection[] = ['training', 'validation', 'test'];

/** Options both app datasets share (the CacheDataset ones plus the split). */
interface AppDatasetOptions extends Omit<CacheDatasetOptions, 'hashAsKey' | 'hashFunc'> {
  /** folder holding the dataset folder (and the archive, when downloaded) */
  rootDir: string;
  section: DatasetSection;
  /** default LoadImaged over the item's image (and label) keys; [] for none */
  transform?: TransformLike | readonly TransformLike[] | null;
  /** fetch and extract the archive when missing; only with the async `create` (default false) */
  download?: boolean;
  /** seed of the split shuffle (default 0); use the same for training and validation */
  seed?: number;
  /** for create({ download: true }): a mirror's `url` and archive `md5` (default MONAI's), retries and the like */
  downloadOptions?: { url?: string; md5?: string; retries?: number; retryDelayMs?: number; timeoutMs?: number };
}

export interface DecathlonDatasetOptions extends AppDatasetOptions {
  task: DecathlonTask;
  /** share of the training list held out for validation (default 0.2) */
  valFrac?: number;
}

export interface MedNISTDatasetOptions extends AppDatasetOptions {
  /** share held out for validation (default 0.1) */
  valFrac?: number;
  /** share held out for test (default 0.1) */
  testFrac?: number;
}

const CACHE_KEYS = ['cacheNum', 'cacheRate', 'numWorkers', 'progress', 'copyCache', 'asContiguous'] as const;
const COMMON_KEYS = ['rootDir', 'section', 'transform', 'download', 'seed', 'downloadOptions', ...CACHE_KEYS];

function cacheOptions(o: AppDatasetOptions): CacheDatasetOptions {
  const out: Record<string, unknown> = { numWorkers: 1 };
  for (const k of CACHE_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as CacheDatasetOptions;
}

/** A dataset folder already there (and not empty) is used as is: no download, even with `download: true`. */
function hasContent(dir: string): boolean {
  return fs.existsSync(dir) && fs.statSync(dir).isDirectory() && fs.readdirSync(dir).length > 0;
}

function checkRoot(who: string, rootDir: unknown): string {
  if (typeof rootDir !== 'string' || !fs.existsSync(rootDir) || !fs.statSync(rootDir).isDirectory()) throw new Error(`${who}: rootDir must be an existing folder, found ${JSON.stringify(rootDir)}`);
  return rootDir;
}

function checkFrac(who: string, name: string, v: number): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new RangeError(`${who}: ${name} must be in [0, 1], found ${v}`);
  return v;
}

/** The shuffled order MONAI's split uses: numpy RandomState(seed).shuffle(arange(n)). */
function shuffledIndices(who: string, seed: number, n: number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  seedRandomState(who, { seed }).shuffle(idx);
  return idx;
}

interface Prepared {
  data: DatalistItem[];
  transform: TransformLike | readonly TransformLike[] | null;
  indices: number[];
  properties: Record<string, unknown>;
  numClass: number;
}

const DECATHLON_PROPERTY_KEYS = ['name', 'description', 'reference', 'licence', 'tensorImageSize', 'modality', 'labels', 'numTraining', 'numTest'];

function prepareDecathlon(o: DecathlonDatasetOptions): Prepared {
  const who = 'DecathlonDataset';
  checkOptions(who, o, [...COMMON_KEYS, 'task', 'valFrac'], ['rootDir', 'task', 'section']);
  const root = checkRoot(who, o.rootDir);
  const task = checkChoice(who, 'task', o.task, DECATHLON_TASKS);
  const section = checkChoice(who, 'section', o.section, SECTIONS);
  const valFrac = checkFrac(who, 'valFrac', o.valFrac ?? 0.2);
  const dir = path.join(root, task);
  if (!fs.existsSync(dir)) throw new Error(`${who}: cannot find the dataset folder ${dir}; use \`await DecathlonDataset.create({ ..., download: true })\` to download it`);
  const json = path.join(dir, 'dataset.json');
  const list = loadDecathlonDatalist(json, { isSegmentation: true, dataListKey: section === 'test' ? 'test' : 'training' });
  let data = list;
  let indices: number[] = [];
  if (section !== 'test') {
    const order = shuffledIndices(who, o.seed ?? 0, list.length);
    const nVal = Math.trunc(list.length * valFrac);
    indices = section === 'training' ? order.slice(nVal) : order.slice(0, nVal);
    data = indices.map((i) => list[i]);
  }
  const properties = loadDecathlonProperties(json, DECATHLON_PROPERTY_KEYS);
  const transform = o.transform === undefined ? new LoadImaged({ keys: ['image', 'label'] }) : o.transform;
  return { data, transform, indices, properties, numClass: 0 };
}

/**
 * A Medical Segmentation Decathlon task as a CacheDataset (MONAI's DecathlonDataset): `training` and
 * `validation` split the task's training list by a seeded shuffle (valFrac held out), `test` is its test list.
 */
export class DecathlonDataset extends CacheDataset {
  readonly section: DatasetSection;
  readonly task: DecathlonTask;
  private readonly indices: number[];
  private readonly properties: Record<string, unknown>;

  constructor(options: DecathlonDatasetOptions) {
    if (options?.download) throw new Error('DecathlonDataset: download is asynchronous; use `await DecathlonDataset.create({ ..., download: true })`');
    const p = prepareDecathlon(options);
    super(p.data, p.transform, cacheOptions(options));
    this.section = options.section;
    this.task = options.task;
    this.indices = p.indices;
    this.properties = p.properties;
  }

  /** Downloads and extracts the task first when `download` is true and its folder is missing, then constructs. */
  static async create(options: DecathlonDatasetOptions): Promise<DecathlonDataset> {
    const { download = false, ...rest } = options ?? ({} as DecathlonDatasetOptions);
    if (download) {
      const root = checkRoot('DecathlonDataset', rest.rootDir);
      const task = checkChoice('DecathlonDataset', 'task', rest.task, DECATHLON_TASKS);
      const r = DECATHLON_RESOURCES[task];
      const { url = r.url, md5 = r.md5, ...dlo } = rest.downloadOptions ?? {};
      if (!hasContent(path.join(root, task))) await downloadAndExtract(url, { filepath: path.join(root, `${task}.tar`), outputDir: root, hashVal: md5, hashType: 'md5', progress: rest.progress ?? true, ...dlo });
    }
    return new DecathlonDataset(rest);
  }

  /** Positions in the task's training list of this section's items (empty for test). */
  getIndices(): number[] {
    return [...this.indices];
  }

  /** The dataset.json properties (name, labels, modality, numTraining, ...): all, or the given keys. */
  getProperties(keys?: string | readonly string[]): Record<string, unknown> {
    if (keys === undefined) return { ...this.properties };
    const out: Record<string, unknown> = {};
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      if (!(k in this.properties)) throw new Error(`DecathlonDataset.getProperties: no property '${k}' (known: ${Object.keys(this.properties).join(', ')})`);
      out[k] = this.properties[k];
    }
    return out;
  }
}

/** Entries of a folder in the file system's own order, as Python's Path.iterdir (node's readdir sorts). */
function listInDiskOrder(dir: string): string[] {
  const d = fs.opendirSync(dir);
  const names: string[] = [];
  try {
    for (let e = d.readSync(); e !== null; e = d.readSync()) names.push(e.name);
  } finally {
    d.closeSync();
  }
  return names;
}

function prepareMedNIST(o: MedNISTDatasetOptions): Prepared {
  const who = 'MedNISTDataset';
  checkOptions(who, o, [...COMMON_KEYS, 'valFrac', 'testFrac'], ['rootDir', 'section']);
  const root = checkRoot(who, o.rootDir);
  const section = checkChoice(who, 'section', o.section, SECTIONS);
  const valFrac = checkFrac(who, 'valFrac', o.valFrac ?? 0.1);
  const testFrac = checkFrac(who, 'testFrac', o.testFrac ?? 0.1);
  const dir = path.join(root, MEDNIST_RESOURCE.datasetFolderName);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${who}: cannot find the dataset folder ${dir}; use \`await MedNISTDataset.create({ ..., download: true })\` to download it`);
  const classes = listInDiskOrder(dir)
    .filter((n) => fs.statSync(path.join(dir, n)).isDirectory())
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const files: { image: string; label: number; class_name: string }[] = [];
  classes.forEach((c, label) => {
    for (const n of listInDiskOrder(path.join(dir, c))) files.push({ image: path.join(dir, c, n), label, class_name: c });
  });
  const order = shuffledIndices(who, o.seed ?? 0, files.length);
  const nTest = Math.trunc(files.length * testFrac);
  const nVal = Math.trunc(files.length * valFrac);
  const indices = section === 'test' ? order.slice(0, nTest) : section === 'validation' ? order.slice(nTest, nTest + nVal) : order.slice(nTest + nVal);
  const transform = o.transform === undefined ? new LoadImaged({ keys: 'image' }) : o.transform;
  return { data: indices.map((i) => files[i]), transform, indices, properties: {}, numClass: classes.length };
}

/**
 * MedNIST (MONAI's MedNISTDataset): one folder per class under `<rootDir>/MedNIST`, items
 * { image, label (class index in sorted class order), class_name }, split test | validation | training
 * in that order from one seeded shuffle.
 */
export class MedNISTDataset extends CacheDataset {
  readonly section: DatasetSection;
  private readonly numClass: number;

  constructor(options: MedNISTDatasetOptions) {
    if (options?.download) throw new Error('MedNISTDataset: download is asynchronous; use `await MedNISTDataset.create({ ..., download: true })`');
    const p = prepareMedNIST(options);
    super(p.data, p.transform, cacheOptions(options));
    this.section = options.section;
    this.numClass = p.numClass;
  }

  /** Downloads and extracts MedNIST.tar.gz first when `download` is true and the folder is missing, then constructs. */
  static async create(options: MedNISTDatasetOptions): Promise<MedNISTDataset> {
    const { download = false, ...rest } = options ?? ({} as MedNISTDatasetOptions);
    if (download) {
      const root = checkRoot('MedNISTDataset', rest.rootDir);
      const { url = MEDNIST_RESOURCE.url, md5 = MEDNIST_RESOURCE.md5, ...dlo } = rest.downloadOptions ?? {};
      if (!hasContent(path.join(root, MEDNIST_RESOURCE.datasetFolderName))) await downloadAndExtract(url, { filepath: path.join(root, MEDNIST_RESOURCE.compressedFileName), outputDir: root, hashVal: md5, hashType: 'md5', progress: rest.progress ?? true, ...dlo });
    }
    return new MedNISTDataset(rest);
  }

  /** Number of classes (class folders) found. */
  getNumClasses(): number {
    return this.numClass;
  }
}
