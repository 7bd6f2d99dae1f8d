/**
 * Medical Segmentation Decathlon datalists (MONAI's monai/data/decathlon_datalist.py): reading
 * `dataset.json`, making paths absolute, and writing cross-validation datalists.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './formats/common.js';
import { partitionDataset, selectCrossValidationFolds } from './utils.js';

export type DatalistItem = Record<string, unknown>;

function readJson(file: string, what: string): Record<string, unknown> {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new Error(`${what}: file ${file} does not exist`);
  }
  if (!st.isFile()) throw new Error(`${what}: ${file} is not a file`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${what}: ${file} is not valid JSON (${(e as Error).message})`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${what}: ${file} must hold a JSON object`);
  return json as Record<string, unknown>;
}

function joinPath(baseDir: string, item: string, checkPath: boolean): string {
  const result = path.normalize(path.join(baseDir, item));
  if (checkPath && !fs.existsSync(result)) return item;
  return result;
}

/** MONAI's _compute_path: joins a path (or a list of paths) to baseDir; anything else is returned as is. */
function computePath(baseDir: string, element: unknown, checkPath: boolean): unknown {
  if (typeof element === 'string') return joinPath(baseDir, element, checkPath);
  if (Array.isArray(element)) {
    if (element.some((e) => typeof e !== 'string')) return element;
    return element.map((e) => joinPath(baseDir, e as string, checkPath));
  }
  return element;
}

export interface LoadDecathlonDatalistOptions {
  /** 'label' entries are paths to join (default true); otherwise they are joined only when the file exists */
  isSegmentation?: boolean;
  /** which list to read: 'training' (default), 'validation', 'test', ... */
  dataListKey?: string;
  /** folder the paths are relative to (default: the JSON file's folder) */
  baseDir?: string | null;
}

/**
 * Reads a Decathlon `dataset.json` list: `image` (and for segmentation `label`) paths are joined to the
 * base folder; other string values are joined only when the joined file exists. A 'test' list of plain
 * paths becomes [{ image }].
 */
export function loadDecathlonDatalist(dataListFilePath: string, options: LoadDecathlonDatalistOptions = {}): DatalistItem[] {
  const { isSegmentation = true, dataListKey = 'training', baseDir = null } = options;
  const json = readJson(dataListFilePath, 'loadDecathlonDatalist');
  if (!(dataListKey in json)) throw new Error(`loadDecathlonDatalist: data list '${dataListKey}' is not in ${dataListFilePath} (keys: ${Object.keys(json).join(', ')})`);
  let expected = json[dataListKey];
  if (!Array.isArray(expected)) throw new TypeError(`loadDecathlonDatalist: '${dataListKey}' in ${dataListFilePath} must be a list, got ${typeof expected}`);
  if (dataListKey === 'test' && expected.length && (expected[0] === null || typeof expected[0] !== 'object')) expected = expected.map((i) => ({ image: i }));
  const base = baseDir ?? path.dirname(dataListFilePath);
  return (expected as unknown[]).map((item, i) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new TypeError(`loadDecathlonDatalist: item ${i} of '${dataListKey}' must be an object, got ${JSON.stringify(item)}`);
    const out: DatalistItem = {};
    for (const [k, v] of Object.entries(item as DatalistItem)) out[k] = computePath(base, v, !(k === 'image' || (isSegmentation && k === 'label')));
    return out;
  });
}

/** Reads the given top-level properties (name, labels, modality, numTraining, ...) of a Decathlon dataset.json. */
export function loadDecathlonProperties(dataPropertyFilePath: string, propertyKeys: string | readonly string[]): Record<string, unknown> {
  const json = readJson(dataPropertyFilePath, 'loadDecathlonProperties');
  const out: Record<string, unknown> = {};
  for (const key of typeof propertyKeys === 'string' ? [propertyKeys] : propertyKeys) {
    if (!(key in json)) throw new Error(`loadDecathlonProperties: key '${key}' is not in ${dataPropertyFilePath}`);
    out[key] = json[key];
  }
  return out;
}

/** Files named by `keys` in the datalist that do not exist (relative to rootDir when given). */
export function checkMissingFiles(datalist: readonly DatalistItem[], keys: string | readonly string[], options: { rootDir?: string | null; allowMissingKeys?: boolean } = {}): string[] {
  const missing: string[] = [];
  for (const item of datalist) {
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      if (!(k in item)) {
        if (!options.allowMissingKeys) throw new Error(`checkMissingFiles: key '${k}' is missing in the datalist item ${JSON.stringify(item)}`);
        continue;
      }
      const v = item[k];
      for (const f of Array.isArray(v) ? v : [v]) {
        if (typeof f !== 'string') throw new TypeError(`checkMissingFiles: paths of key '${k}' must be strings or lists of strings, got ${JSON.stringify(f)}`);
        const p = options.rootDir ? path.join(options.rootDir, f) : f;
        if (!fs.existsSync(p)) missing.push(p);
      }
    }
  }
  return missing;
}

export interface CreateCrossValidationDatalistOptions {
  nfolds: number;
  trainFolds: number | readonly number[];
  valFolds: number | readonly number[];
  trainKey?: string;
  valKey?: string;
  /** write the result to this .json file (atomically) */
  filename?: string | null;
  shuffle?: boolean;
  seed?: number;
  checkMissing?: boolean;
  keys?: string | readonly string[] | null;
  rootDir?: string | null;
  allowMissingKeys?: boolean;
  /** throw on missing files (default) or only warn */
  raiseError?: boolean;
}

/** A Decathlon-style {training, validation} datalist from a k-fold partition (MONAI's create_cross_validation_datalist). */
export function createCrossValidationDatalist(datalist: readonly DatalistItem[], options: CreateCrossValidationDatalistOptions): Record<string, DatalistItem[]> {
  const { nfolds, trainFolds, valFolds, trainKey = 'training', valKey = 'validation', filename = null, shuffle = true, seed = 0, checkMissing = false, keys = null, rootDir = null, allowMissingKeys = false, raiseError = true } = options;
  if (checkMissing && keys !== null) {
    const files = checkMissingFiles(datalist, keys, { rootDir, allowMissingKeys });
    if (files.length) {
      const msg = `createCrossValidationDatalist: some files of the datalist are missing: ${files.join(', ')}`;
      if (raiseError) throw new Error(msg);
      process.emitWarning(msg);
    }
  }
  const parts = partitionDataset(datalist, { numPartitions: nfolds, shuffle, seed });
  const out = { [trainKey]: selectCrossValidationFolds(parts, trainFolds), [valKey]: selectCrossValidationFolds(parts, valFolds) };
  if (filename) writeFileAtomic(filename, new TextEncoder().encode(JSON.stringify(out, null, 4)));
  return out;
}
