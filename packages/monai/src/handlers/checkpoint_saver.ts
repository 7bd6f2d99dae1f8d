// MONAI's CheckpointSaver: saves the state dicts of saveDict's objects (network, optimizer, scheduler,
// trainer, ...) with torch.save, as files MONAI's CheckpointLoader and torch.load read:
//  - every saveInterval epochs (or iterations): "checkpoint_epoch=3.pt", the latest nSaved kept;
//  - when the key metric improves: "net_key_metric=0.9500.pt", the best keyMetricNSaved kept;
//  - at the end of the run and when an exception is raised (saveFinal): "net_final_iteration=40.pt",
//    the previous final file replaced.
// Names follow Ignite's Checkpoint: "{filePrefix}_{key or 'checkpoint'}_{kind}={score}.pt".
import { join } from 'node:path';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { IgniteCheckpoint, type StateDictLike } from './ignite_checkpoint.js';
import { engineLoggerName, getLogger, type Logger } from './logging.js';
import { isScalar, scalarValue, valueStr as pyStr } from './stats_format.js';

export interface CheckpointSaverOptions {
  saveDir: string;
  saveDict: Record<string, StateDictLike>;
  /** logger name (getLogger(name)); null: the engine's logger */
  name?: string | null;
  filePrefix?: string;
  saveFinal?: boolean;
  finalFilename?: string | null;
  saveKeyMetric?: boolean;
  keyMetricName?: string | null;
  keyMetricNSaved?: number;
  keyMetricFilename?: string | null;
  keyMetricSaveState?: boolean;
  keyMetricGreaterOrEqual?: boolean;
  keyMetricNegativeSign?: boolean;
  epochLevel?: boolean;
  saveInterval?: number;
  nSaved?: number | null;
}
const KEYS = [
  'saveDir', 'saveDict', 'name', 'filePrefix', 'saveFinal', 'finalFilename', 'saveKeyMetric', 'keyMetricName', 'keyMetricNSaved',
  'keyMetricFilename', 'keyMetricSaveState', 'keyMetricGreaterOrEqual', 'keyMetricNegativeSign', 'epochLevel', 'saveInterval', 'nSaved',
];

export class CheckpointSaver {
  readonly saveDir: string;
  readonly saveDict: Record<string, StateDictLike>;
  readonly epochLevel: boolean;
  readonly saveInterval: number;
  logger: Logger;
  private readonly name: string | null;
  private readonly finalFilename: string | null;
  private readonly finalCheckpoint: IgniteCheckpoint | null = null;
  private readonly keyMetricCheckpoint: IgniteCheckpoint | null = null;
  private readonly intervalCheckpoint: IgniteCheckpoint | null = null;

  constructor(options: CheckpointSaverOptions) {
    checkOptions('CheckpointSaver', options, KEYS, ['saveDir', 'saveDict']);
    const o = options;
    if (typeof o.saveDir !== 'string' || !o.saveDir) throw new TypeError(`CheckpointSaver: saveDir must be the folder to save checkpoints in, found ${JSON.stringify(o.saveDir)}`);
    if (!o.saveDict || typeof o.saveDict !== 'object' || !Object.keys(o.saveDict).length) throw new Error('CheckpointSaver: saveDict must name at least one object to save, e.g. {network}');
    for (const [k, v] of Object.entries(o.saveDict)) {
      if (!v || typeof (v as StateDictLike).stateDict !== 'function') throw new TypeError(`CheckpointSaver: saveDict.${k} has no stateDict() (found ${v === null ? 'null' : typeof v})`);
    }
    this.saveDir = o.saveDir;
    this.saveDict = o.saveDict;
    this.name = o.name ?? null;
    this.logger = getLogger(this.name ?? 'CheckpointSaver');
    this.epochLevel = o.epochLevel ?? true;
    this.saveInterval = o.saveInterval ?? 0;
    if (!Number.isInteger(this.saveInterval) || this.saveInterval < 0) throw new Error(`CheckpointSaver: saveInterval must be an integer >= 0, found ${String(o.saveInterval)}`);
    const nSaved = o.nSaved === undefined ? null : o.nSaved;
    if (nSaved !== null && !(Number.isInteger(nSaved) && nSaved > 0)) throw new Error(`CheckpointSaver: nSaved must be a positive integer or null (keep all), found ${String(nSaved)}`);
    this.finalFilename = o.finalFilename ?? null;
    const prefix = o.filePrefix ?? '';
    const base = { toSave: this.saveDict, dirname: this.saveDir, filenamePrefix: prefix };

    if (o.saveFinal) {
      this.finalCheckpoint = new IgniteCheckpoint({ ...base, filename: this.finalFilename, scoreFunction: (e) => e.state.iteration, scoreName: 'final_iteration' });
    }
    if (o.saveKeyMetric) {
      const keyName = o.keyMetricName ?? null;
      const n = o.keyMetricNSaved ?? 1;
      if (!(Number.isInteger(n) && n > 0)) throw new Error(`CheckpointSaver: keyMetricNSaved must be a positive integer, found ${String(n)}`);
      if (o.keyMetricFilename && n > 1) throw new Error(`CheckpointSaver: with a fixed keyMetricFilename only the best model is kept, so keyMetricNSaved must be 1, found ${n}`);
      const sign = o.keyMetricNegativeSign ? -1 : 1;
      // the file name shows the score as "{:.4f}", or plainly for Python ints (-1 for a non-scalar metric;
      // here a bigint metric: a JS number cannot tell the int 32 from the float 32.0, so numbers are floats)
      let plainScore = false;
      const scoreFunction = (engine: Engine): number => {
        const metricName = keyName ?? (engine.state.keyMetricName as string | null | undefined);
        if (typeof metricName !== 'string') throw new Error(`CheckpointSaver: saveKeyMetric needs keyMetricName or an engine with a key metric (state.keyMetricName), found ${String(metricName)}`);
        if (!(metricName in engine.state.metrics)) throw new Error(`CheckpointSaver: key metric '${metricName}' is not in engine.state.metrics (has: ${Object.keys(engine.state.metrics).join(', ') || 'nothing'})`);
        const metric = engine.state.metrics[metricName];
        plainScore = !isScalar(metric) || typeof metric === 'bigint';
        if (!isScalar(metric)) {
          process.emitWarning(`CheckpointSaver: key metric '${metricName}' is not a scalar (${pyStr(metric)}); skipping the comparison and not saving. Use another key metric or reduction 'mean'.`);
          return -1;
        }
        return sign * scalarValue(metric as number);
      };
      this.keyMetricCheckpoint = new IgniteCheckpoint({
        ...base, filename: o.keyMetricFilename ?? null, scoreFunction, scoreName: 'key_metric', floatScore: () => !plainScore,
        nSaved: n, includeSelf: o.keyMetricSaveState ?? false, greaterOrEqual: o.keyMetricGreaterOrEqual ?? false,
      });
    }
    if (this.saveInterval > 0) {
      this.intervalCheckpoint = new IgniteCheckpoint({
        ...base, scoreFunction: (e) => (this.epochLevel ? e.state.epoch : e.state.iteration), scoreName: this.epochLevel ? 'epoch' : 'iteration', nSaved,
      });
    }
  }

  /** Restores the key metric's list of saved files (saved with keyMetricSaveState), as MONAI. */
  loadStateDict(stateDict: { saved?: unknown }): void {
    if (this.keyMetricCheckpoint) this.keyMetricCheckpoint.loadStateDict(stateDict);
    else process.emitWarning('CheckpointSaver.loadStateDict: no key metric checkpoint saver to resume the key metric tracking list');
  }

  /** The files each kind of checkpoint keeps now (full paths). */
  savedFiles(): { final: string[]; keyMetric: string[]; interval: string[] } {
    const list = (c: IgniteCheckpoint | null): string[] => (c ? c.saved.map((it) => c.path(it.filename)) : []);
    return { final: list(this.finalCheckpoint), keyMetric: list(this.keyMetricCheckpoint), interval: list(this.intervalCheckpoint) };
  }

  attach(engine: Engine): void {
    if (this.name === null) this.logger = getLogger(engineLoggerName(engine));
    if (this.finalCheckpoint) {
      engine.addEventHandler(Events.COMPLETED, this.completed);
      engine.addEventHandler(Events.EXCEPTION_RAISED, this.exceptionRaised);
    }
    if (this.keyMetricCheckpoint) engine.addEventHandler(Events.EPOCH_COMPLETED, this.metricsCompleted);
    if (this.intervalCheckpoint) {
      const ev = this.epochLevel ? Events.EPOCH_COMPLETED : Events.ITERATION_COMPLETED;
      engine.addEventHandler(ev.filter({ every: this.saveInterval }), this.intervalCompleted);
    }
  }

  /** Saves the final checkpoint, replacing the previous final one; returns its path. */
  private saveFinal(engine: Engine): string {
    const c = this.finalCheckpoint as IgniteCheckpoint;
    const previous = c.saved.shift();
    try {
      c.call(engine);
    } catch (err) {
      if (previous) c.saved.unshift(previous);
      throw err;
    }
    const path = this.finalFilename !== null ? join(this.saveDir, this.finalFilename) : (c.lastCheckpoint as string);
    if (previous) {
      c.remove(previous.filename, c.saved[c.saved.length - 1]?.filename ?? null);
      this.logger.info(`Deleted previous saved final checkpoint: ${previous.filename}`);
    }
    return path;
  }

  readonly completed = (engine: Engine): void => {
    const path = this.saveFinal(engine);
    this.logger.info(`Train completed, saved final checkpoint: ${path}`);
  };

  /** Saves the current state as the final checkpoint, then rethrows (the run still fails). */
  readonly exceptionRaised = (engine: Engine, e: unknown): never => {
    const path = this.saveFinal(engine);
    this.logger.info(`Exception raised, saved the last checkpoint: ${path}`);
    throw e;
  };

  readonly metricsCompleted = (engine: Engine): void => {
    (this.keyMetricCheckpoint as IgniteCheckpoint).call(engine);
  };

  readonly intervalCompleted = (engine: Engine): void => {
    (this.intervalCheckpoint as IgniteCheckpoint).call(engine);
    if (this.epochLevel) this.logger.info(`Saved checkpoint at epoch: ${engine.state.epoch}`);
    else this.logger.info(`Saved checkpoint at iteration: ${engine.state.iteration}`);
  };
}
