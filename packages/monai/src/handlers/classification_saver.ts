// MONAI's ClassificationSaver: collects each item's prediction (outputTransform) and file name (from the
// batch's metadata) over an epoch, gathers them across ranks, and writes one CSV row per item on saveRank.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { decollateBatch } from '../data/collate.js';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { CSVSaver } from './csv_saver.js';
import { evenlyDivisibleAllGather, metaFilenames, rankAndWorldSize, stringListAllGather } from './utils.js';

export interface ClassificationSaverOptions {
  outputDir?: string;
  filename?: string;
  delimiter?: string;
  /** start a new file each epoch (true) or append (false). Default true. */
  overwrite?: boolean;
  /** maps state.batch to the items' metadata (a list of meta dicts, or a dict of lists) */
  batchTransform?: (batch: never) => unknown;
  /** maps state.output to the items' predictions (a list, or a batch-first tensor) */
  outputTransform?: (output: never) => unknown;
  /** the logger's name (kept for MONAI's signature; nothing is logged) */
  name?: string | null;
  saveRank?: number;
  /** writes instead of a CSVSaver: saveBatch(batch, meta) and finalize() */
  saver?: { saveBatch(batch: Tensor, meta: Record<string, unknown[]> | null): void; finalize(): void } | null;
}
const KEYS = ['outputDir', 'filename', 'delimiter', 'overwrite', 'batchTransform', 'outputTransform', 'name', 'saveRank', 'saver'];

export class ClassificationSaver {
  readonly outputDir: string;
  readonly filename: string;
  readonly delimiter: string;
  readonly overwrite: boolean;
  readonly batchTransform: (batch: unknown) => unknown;
  readonly outputTransform: (output: unknown) => unknown;
  readonly saveRank: number;
  readonly saver: ClassificationSaverOptions['saver'];
  private outputs: Tensor[] = [];
  private filenames: string[] = [];

  constructor(options: ClassificationSaverOptions = {}) {
    checkOptions('ClassificationSaver', options, KEYS);
    this.outputDir = options.outputDir ?? './';
    this.filename = options.filename ?? 'predictions.csv';
    this.delimiter = options.delimiter ?? ',';
    this.overwrite = options.overwrite ?? true;
    this.batchTransform = (options.batchTransform as (b: unknown) => unknown) ?? ((x: unknown) => x);
    this.outputTransform = (options.outputTransform as (o: unknown) => unknown) ?? ((x: unknown) => x);
    this.saveRank = options.saveRank ?? 0;
    if (!Number.isInteger(this.saveRank) || this.saveRank < 0) throw new RangeError(`ClassificationSaver: saveRank must be an integer >= 0, found ${String(options.saveRank)}`);
    this.saver = options.saver ?? null;
  }

  attach(engine: Engine): void {
    if (!engine.hasEventHandler(this.started, Events.EPOCH_STARTED)) engine.addEventHandler(Events.EPOCH_STARTED, this.started);
    if (!engine.hasEventHandler(this.collect, Events.ITERATION_COMPLETED)) engine.addEventHandler(Events.ITERATION_COMPLETED, this.collect);
    if (!engine.hasEventHandler(this.finalize, Events.EPOCH_COMPLETED)) engine.addEventHandler(Events.EPOCH_COMPLETED, this.finalize);
  }

  /** Frees the predictions collected so far. */
  dispose(): void {
    torch.dispose(this.outputs);
    this.outputs = [];
    this.filenames = [];
  }

  private readonly started = (): void => this.dispose();

  private readonly collect = (engine: Engine): void => {
    let meta = this.batchTransform(engine.state.batch);
    if (meta !== null && typeof meta === 'object' && !Array.isArray(meta) && !(meta instanceof Tensor)) meta = decollateBatch(meta);
    let outs = this.outputTransform(engine.state.output);
    if (outs instanceof Tensor) outs = torch.unbind(outs, { dim: 0 });
    if (!Array.isArray(meta) || !Array.isArray(outs)) {
      throw new TypeError(`ClassificationSaver: batchTransform and outputTransform must give one entry per item (lists), found ${Array.isArray(meta) ? 'a list' : typeof meta} and ${Array.isArray(outs) ? 'a list' : typeof outs}`);
    }
    const names = metaFilenames(meta);
    for (let i = 0; i < Math.min(meta.length, outs.length); i++) {
      const o = outs[i];
      if (!(o instanceof Tensor) && typeof o !== 'number') {
        throw new TypeError(`ClassificationSaver: each prediction must be a tensor or a number, found ${o === null ? 'null' : typeof o} for item ${i}; give an outputTransform such as fromEngine('pred')`);
      }
      this.filenames.push(names[i]);
      this.outputs.push(torch.keep(o instanceof Tensor ? o.detach().clone() : torch.tensor(o, { dtype: 'float64' })));
    }
  };

  private readonly finalize = (): void => {
    const { rank, worldSize } = rankAndWorldSize();
    if (this.saveRank >= worldSize) throw new RangeError(`ClassificationSaver: saveRank (${this.saveRank}) must be less than the world size (${worldSize})`);
    if (!this.outputs.length) {
      process.emitWarning('ClassificationSaver: no predictions were collected this epoch; nothing written');
      return;
    }
    torch.tidy(() => {
      let outputs = torch.stack(this.outputs, 0);
      let filenames = this.filenames;
      if (worldSize > 1) {
        outputs = evenlyDivisibleAllGather(outputs, true);
        filenames = stringListAllGather(filenames);
      }
      if (filenames.length && filenames.length !== outputs.shape[0]) process.emitWarning(`ClassificationSaver: ${filenames.length} file names for ${outputs.shape[0]} predictions`);
      if (rank !== this.saveRank) return;
      const saver = this.saver ?? new CSVSaver({ outputDir: this.outputDir, filename: this.filename, overwrite: this.overwrite, delimiter: this.delimiter });
      saver.saveBatch(outputs, filenames.length ? { filename_or_obj: filenames } : null);
      saver.finalize();
    });
    this.dispose();
  };
}
