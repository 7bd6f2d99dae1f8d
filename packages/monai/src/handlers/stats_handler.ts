// MONAI's StatsHandler: logs the iteration output (the loss) at ITERATION_COMPLETED, the epoch's metrics,
// the best key metric and chosen state attributes at EPOCH_COMPLETED, and an exception (then rethrows
// it) at EXCEPTION_RAISED. Lines read as MONAI 1.4's, e.g. "Epoch: 1/2, Iter: 3/4 -- Loss: 0.1234 ".
// Only rank 0 logs when torch.distributed is initialized.
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events, type EventFilter, type EventName, type FilteredEvent } from '../engines/events.js';
import { engineLoggerName, getLogger, LogLevel, setupLogger, type Logger } from './logging.js';
import { pyFloatRepr } from './py_format.js';
import { formatKeyVar, isScalar, scalarValue, valueStr as pyStr, type KeyVarFormat } from './stats_format.js';
import { distributedRank } from './rank.js';

export const DEFAULT_KEY_VAL_FORMAT = '{}: {:.4f} ';
export const DEFAULT_TAG = 'Loss';

/** true / false, every N events (a positive integer), or an event filter (engine, event count) => boolean. */
export type LogWhen = boolean | number | EventFilter;

export interface StatsHandlerOptions {
  iterationLog?: LogWhen;
  epochLog?: LogWhen;
  epochPrintLogger?: ((engine: Engine) => void) | null;
  iterationPrintLogger?: ((engine: Engine) => void) | null;
  /** maps state.output to a scalar or a {name: scalar} object (default: output[0], MONAI's x => x[0]) */
  outputTransform?: (output: never) => unknown;
  /** maps the engine's epoch to the one printed (an evaluator printing its trainer's epoch) */
  globalEpochTransform?: (epoch: number) => number;
  stateAttributes?: string[] | null;
  /** logger name; MONAI's get_logger(name) sets it up to print INFO to stdout; null: the engine's logger */
  name?: string | null;
  tagName?: string;
  keyVarFormat?: KeyVarFormat;
}
const KEYS = ['iterationLog', 'epochLog', 'epochPrintLogger', 'iterationPrintLogger', 'outputTransform', 'globalEpochTransform', 'stateAttributes', 'name', 'tagName', 'keyVarFormat'];

const first = (x: unknown): unknown => (Array.isArray(x) ? x[0] : (x as Record<number, unknown> | null)?.[0]);

function eventFor(owner: string, opt: string, event: EventName, when: LogWhen): EventName | FilteredEvent | null {
  if (when === false) return null;
  if (when === true) return event;
  if (typeof when === 'function') return event.filter({ eventFilter: when });
  if (Number.isInteger(when) && when > 0) return event.filter({ every: when });
  throw new Error(`${owner}: ${opt} must be a boolean, a positive integer or a filter function, found ${String(when)}`);
}

export class StatsHandler {
  readonly iterationLog: LogWhen;
  readonly epochLog: LogWhen;
  readonly epochPrintLogger: ((engine: Engine) => void) | null;
  readonly iterationPrintLogger: ((engine: Engine) => void) | null;
  readonly outputTransform: (output: unknown) => unknown;
  readonly globalEpochTransform: (epoch: number) => number;
  readonly stateAttributes: string[] | null;
  readonly tagName: string;
  readonly keyVarFormat: KeyVarFormat;
  readonly name: string | null;
  logger: Logger | null;
  private readonly warned = new Set<string>();

  constructor(options: StatsHandlerOptions = {}) {
    checkOptions('StatsHandler', options, KEYS);
    this.iterationLog = options.iterationLog ?? true;
    this.epochLog = options.epochLog ?? true;
    // validate now, not at attach
    eventFor('StatsHandler', 'iterationLog', Events.ITERATION_COMPLETED, this.iterationLog);
    eventFor('StatsHandler', 'epochLog', Events.EPOCH_COMPLETED, this.epochLog);
    this.epochPrintLogger = options.epochPrintLogger ?? null;
    this.iterationPrintLogger = options.iterationPrintLogger ?? null;
    this.outputTransform = (options.outputTransform as ((o: unknown) => unknown) | undefined) ?? first;
    this.globalEpochTransform = options.globalEpochTransform ?? ((x: number) => x);
    this.stateAttributes = options.stateAttributes ?? null;
    this.tagName = options.tagName ?? DEFAULT_TAG;
    this.keyVarFormat = options.keyVarFormat ?? DEFAULT_KEY_VAL_FORMAT;
    this.name = options.name === undefined ? 'StatsHandler' : options.name;
    this.logger = this.name === null ? null : setupLogger(this.name);
  }

  attach(engine: Engine): void {
    if (this.name === null) this.logger = getLogger(engineLoggerName(engine));
    const logger = this.logger as Logger;
    if (logger.getEffectiveLevel() > LogLevel.INFO) {
      process.emitWarning(
        `StatsHandler: the effective log level of '${logger.name}' is higher than INFO, so StatsHandler may print nothing; ` +
          `call setupLogger('${logger.name}') (or getLogger('${logger.name}').setLevel(LogLevel.INFO) and add a sink) before running the engine`,
      );
    }
    const it = eventFor('StatsHandler', 'iterationLog', Events.ITERATION_COMPLETED, this.iterationLog);
    if (it && !engine.hasEventHandler(this.iterationCompleted, Events.ITERATION_COMPLETED)) engine.addEventHandler(it, this.iterationCompleted);
    const ep = eventFor('StatsHandler', 'epochLog', Events.EPOCH_COMPLETED, this.epochLog);
    if (ep && !engine.hasEventHandler(this.epochCompleted, Events.EPOCH_COMPLETED)) engine.addEventHandler(ep, this.epochCompleted);
    if (!engine.hasEventHandler(this.exceptionRaised, Events.EXCEPTION_RAISED)) engine.addEventHandler(Events.EXCEPTION_RAISED, this.exceptionRaised);
  }

  readonly epochCompleted = (engine: Engine): void => {
    if (distributedRank() !== 0) return;
    if (this.epochPrintLogger) this.epochPrintLogger(engine);
    else this.defaultEpochPrint(engine);
  };

  readonly iterationCompleted = (engine: Engine): void => {
    if (distributedRank() !== 0) return;
    if (this.iterationPrintLogger) this.iterationPrintLogger(engine);
    else this.defaultIterationPrint(engine);
  };

  /** Logs the exception with its stack and rethrows it (so the run fails, as in MONAI). */
  readonly exceptionRaised = (_engine: Engine, e: unknown): never => {
    if (distributedRank() === 0) (this.logger as Logger).exception(`Exception: ${e instanceof Error ? e.message : String(e)}`, e);
    throw e;
  };

  private warnOnce(msg: string): void {
    if (this.warned.has(msg)) return;
    this.warned.add(msg);
    process.emitWarning(msg);
  }

  protected defaultEpochPrint(engine: Engine): void {
    const logger = this.logger as Logger;
    const s = engine.state;
    const epoch = this.globalEpochTransform(s.epoch);
    const metrics = s.metrics;
    if (metrics && Object.keys(metrics).length) {
      let out = `Epoch[${epoch}] Metrics -- `;
      for (const name of Object.keys(metrics).sort()) {
        const v = metrics[name];
        out += isScalar(v) ? formatKeyVar(this.keyVarFormat, name, scalarValue(v)) : `${name}: ${pyStr(v)}`;
      }
      logger.info(out);
    }
    if ('keyMetricName' in s && 'bestMetric' in s && 'bestMetricEpoch' in s && s.keyMetricName !== null && s.keyMetricName !== undefined) {
      // MONAI starts best_metric at the int -1; once set it is a float (1.0 prints as '1.0')
      const best = s.bestMetricEpoch === -1 || typeof s.bestMetric !== 'number' ? pyStr(s.bestMetric) : pyFloatRepr(s.bestMetric);
      logger.info(`Key metric: ${String(s.keyMetricName)} best value: ${best} at epoch: ${String(s.bestMetricEpoch)}`);
    }
    if (this.stateAttributes && this.stateAttributes.length) {
      let out = 'State values: ';
      for (const a of this.stateAttributes) out += `${a}: ${pyStr(s[a])} `;
      logger.info(out);
    }
  }

  protected defaultIterationPrint(engine: Engine): void {
    const loss = this.outputTransform(engine.state.output);
    if (loss === null || loss === undefined) return;
    let out = '';
    if (isScalar(loss)) {
      out += formatKeyVar(this.keyVarFormat, this.tagName, scalarValue(loss));
    } else if (typeof loss === 'object' && !Array.isArray(loss) && !(loss instanceof Tensor)) {
      for (const name of Object.keys(loss).sort()) {
        const v = (loss as Record<string, unknown>)[name];
        if (!isScalar(v)) {
          this.warnOnce(`StatsHandler: ignoring the non-scalar output '${name}'; make outputTransform(engine.state.output) return a scalar or an object of scalars to avoid this warning`);
          continue;
        }
        out += formatKeyVar(this.keyVarFormat, name, scalarValue(v));
      }
    } else {
      this.warnOnce('StatsHandler: ignoring a non-scalar output; make outputTransform(engine.state.output) return a scalar or an object of scalars to avoid this warning');
    }
    if (!out) return;
    const s = engine.state;
    const n = s.epochLength;
    const iter = n !== null ? ((s.iteration - 1) % n) + 1 : s.iteration;
    (this.logger as Logger).info(`Epoch: ${s.epoch}/${pyStr(s.maxEpochs)}, Iter: ${iter}/${pyStr(n)} -- ${out}`);
  }
}
