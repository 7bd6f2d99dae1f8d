// MONAI's MetricsSaver: at the end of each epoch writes state.metrics (metrics.csv), the per-item metric
// details (<name>_raw.csv, named by the items' file names) and their summaries, on saveRank only.
import { decollateBatch } from '../data/collate.js';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { Tensor } from '@monai-ts/torch';
import { metaFilenames, rankAndWorldSize, stringListAllGather, writeMetricsReports } from './utils.js';

export interface MetricsSaverOptions {
  saveDir: string;
  /** names in state.metrics to write, '*' for all, null for none. Default '*'. */
  metrics?: string | string[] | null;
  /** names in state.metricDetails to write, '*' for all, null for none. Default null. */
  metricDetails?: string | string[] | null;
  /** maps state.batch to the items' metadata (a list of meta dicts, or a dict of lists) */
  batchTransform?: (batch: never) => unknown;
  /** summary statistics: null, '*' or a list of 'mean', 'median', 'max', 'min', '<int>percentile', 'std', 'notnans'. Default null. */
  summaryOps?: string | string[] | null;
  saveRank?: number;
  delimiter?: string;
  outputType?: string;
}
const KEYS = ['saveDir', 'metrics', 'metricDetails', 'batchTransform', 'summaryOps', 'saveRank', 'delimiter', 'outputType'];

const asList = (v: string | string[] | null | undefined, dflt: string[] | null): string[] | null => (v === undefined ? dflt : v === null ? null : typeof v === 'string' ? [v] : [...v]);

export class MetricsSaver {
  readonly saveDir: string;
  readonly metrics: string[] | null;
  readonly metricDetails: string[] | null;
  readonly batchTransform: (batch: unknown) => unknown;
  readonly summaryOps: string[] | null;
  readonly saveRank: number;
  readonly delimiter: string;
  readonly outputType: string;
  private filenames: string[] = [];

  constructor(options: MetricsSaverOptions) {
    checkOptions('MetricsSaver', options, KEYS, ['saveDir']);
    if (typeof options.saveDir !== 'string' || !options.saveDir) throw new TypeError(`MetricsSaver: saveDir must be a non-empty path, found ${JSON.stringify(options.saveDir)}`);
    this.saveDir = options.saveDir;
    this.metrics = asList(options.metrics, ['*']);
    this.metricDetails = asList(options.metricDetails, null);
    this.batchTransform = (options.batchTransform as (b: unknown) => unknown) ?? ((x: unknown) => x);
    this.summaryOps = asList(options.summaryOps, null);
    this.saveRank = options.saveRank ?? 0;
    if (!Number.isInteger(this.saveRank) || this.saveRank < 0) throw new RangeError(`MetricsSaver: saveRank must be an integer >= 0, found ${String(options.saveRank)}`);
    this.delimiter = options.delimiter ?? ',';
    this.outputType = options.outputType ?? 'csv';
    if (this.outputType.toLowerCase() !== 'csv') throw new Error(`MetricsSaver: unsupported outputType '${this.outputType}', expected 'csv'`);
  }

  attach(engine: Engine): void {
    engine.addEventHandler(Events.EPOCH_STARTED, this.started);
    engine.addEventHandler(Events.ITERATION_COMPLETED, this.collectFilenames);
    engine.addEventHandler(Events.EPOCH_COMPLETED, this.write);
  }

  private readonly started = (): void => {
    this.filenames = [];
  };

  private readonly collectFilenames = (engine: Engine): void => {
    if (this.metricDetails === null) return;
    let meta = this.batchTransform(engine.state.batch);
    if (meta !== null && typeof meta === 'object' && !Array.isArray(meta) && !(meta instanceof Tensor)) meta = decollateBatch(meta);
    if (!Array.isArray(meta)) throw new TypeError(`MetricsSaver: batchTransform must give the items' metadata (a list, or a dict of lists), found ${typeof meta}`);
    this.filenames.push(...metaFilenames(meta));
  };

  private readonly write = (engine: Engine): void => {
    const { rank, worldSize } = rankAndWorldSize();
    if (this.saveRank >= worldSize) throw new RangeError(`MetricsSaver: saveRank (${this.saveRank}) must be less than the world size (${worldSize})`);
    const images = worldSize > 1 ? stringListAllGather(this.filenames) : this.filenames;
    if (rank !== this.saveRank) return;
    const pick = <T>(src: Record<string, T> | undefined, names: string[] | null): Record<string, T> => {
      if (!src || names === null) return {};
      return Object.fromEntries(Object.entries(src).filter(([k]) => names.includes('*') || names.includes(k)));
    };
    writeMetricsReports({
      saveDir: this.saveDir,
      images: images.length ? images : null,
      metrics: pick(engine.state.metrics, this.metrics),
      metricDetails: pick(engine.state.metricDetails as Record<string, Tensor> | undefined, this.metricDetails),
      summaryOps: this.summaryOps,
      deli: this.delimiter,
      outputType: this.outputType,
    });
  };
}
