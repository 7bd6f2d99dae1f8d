// MONAI's TensorBoard handlers: TensorBoardStatsHandler writes the engine's metrics per epoch and the
// loss (or a dict of scalars) per iteration as scalars; TensorBoardImageHandler plots the input, label and
// prediction of one batch item (2D as PNG, 3D as animated GIFs) every N epochs or iterations.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events, type EventFilter } from '../engines/events.js';
import { SummaryWriter } from '../utils/tensorboard/summary_writer.js';
import { plot2dOr3dImage } from '../visualize/img2tensorboard.js';

const DEFAULT_TAG = 'Loss';

/** MONAI's is_scalar: a number (or bool/bigint) or a 0-d tensor. */
function isScalar(v: unknown): v is number | bigint | boolean | Tensor {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || (v instanceof Tensor && v.dim() === 0);
}
const scalarOf = (v: number | bigint | boolean | Tensor): number => (v instanceof Tensor ? v.item() : Number(v));

export interface TensorBoardHandlerOptions {
  /** a writer to use (the caller closes it); default: a new SummaryWriter on logDir */
  summaryWriter?: SummaryWriter | null;
  /** directory of the handler's own writer (default './runs') */
  logDir?: string;
}

/** Base of the TensorBoard handlers: owns a writer it created, and closes only that one. */
export abstract class TensorBoardHandler {
  protected readonly writer: SummaryWriter;
  readonly internalWriter: boolean;

  constructor(options: TensorBoardHandlerOptions) {
    const { summaryWriter = null, logDir = './runs' } = options;
    if (summaryWriter !== null && !(summaryWriter instanceof SummaryWriter)) {
      throw new TypeError(`${new.target.name}: summaryWriter must be a SummaryWriter, found ${typeof summaryWriter}`);
    }
    this.writer = summaryWriter ?? new SummaryWriter(logDir);
    this.internalWriter = summaryWriter === null;
  }

  abstract attach(engine: Engine): void;

  /** Closes the writer if this handler created it. */
  close(): void {
    if (this.internalWriter) this.writer.close();
  }
}

type LogWhen = boolean | number | EventFilter;
type EventWriter = (engine: Engine, writer: SummaryWriter) => void;

export interface TensorBoardStatsHandlerOptions extends TensorBoardHandlerOptions {
  /** write at ITERATION_COMPLETED: true, false, every N iterations, or an event filter (engine, iteration) => boolean */
  iterationLog?: LogWhen;
  /** write at EPOCH_COMPLETED: true, false, every N epochs, or an event filter */
  epochLog?: LogWhen;
  /** replaces the default epoch writer (metrics and stateAttributes) */
  epochEventWriter?: EventWriter | null;
  /** replaces the default iteration writer (outputTransform's scalars) */
  iterationEventWriter?: EventWriter | null;
  /** state.output to a scalar or a {tag: scalar} dict (default: output[0], the first decollated item) */
  outputTransform?: (output: never) => unknown;
  /** the step written for epoch values (default: state.epoch itself; an evaluator may use its trainer's epoch) */
  globalEpochTransform?: (epoch: number) => number;
  /** state attributes written at each epoch as scalars */
  stateAttributes?: string[] | null;
  /** tag of a scalar iteration output (default 'Loss') */
  tagName?: string;
}
const STATS_KEYS = [
  'summaryWriter', 'logDir', 'iterationLog', 'epochLog', 'epochEventWriter', 'iterationEventWriter', 'outputTransform',
  'globalEpochTransform', 'stateAttributes', 'tagName',
];

/** MONAI's default `lambda x: x[0]`: the first decollated item (or a batch tensor's first element). */
function first(x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (Array.isArray(x)) return x[0];
  if (x instanceof Tensor && x.dim() > 0) return x.select(0, 0);
  const found = x instanceof Tensor ? 'a 0-d tensor' : typeof x === 'object' ? `a dict (keys: ${Object.keys(x).join(', ')})` : typeof x;
  throw new TypeError(`TensorBoardStatsHandler: the default outputTransform takes state.output[0] (the first decollated item), but state.output is ${found}; give an outputTransform, e.g. (o) => o.loss`);
}

function validLog(owner: string, name: string, v: unknown): LogWhen {
  if (typeof v === 'boolean' || typeof v === 'function') return v as LogWhen;
  if (Number.isInteger(v) && (v as number) >= 0) return v as number;
  throw new TypeError(`${owner}: ${name} must be a boolean, an integer >= 0 or an event filter function, found ${String(v)}`);
}

/** An event with the handler's log setting as a filter (every N, or a custom filter). */
function filtered(event: typeof Events.ITERATION_COMPLETED, when: LogWhen): Parameters<Engine['addEventHandler']>[0] {
  if (typeof when === 'function') return event.filter({ eventFilter: when });
  if (typeof when === 'number' && when > 1) return event.filter({ every: when });
  return event;
}

export class TensorBoardStatsHandler extends TensorBoardHandler {
  readonly iterationLog: LogWhen;
  readonly epochLog: LogWhen;
  readonly epochEventWriter: EventWriter | null;
  readonly iterationEventWriter: EventWriter | null;
  readonly outputTransform: (output: unknown) => unknown;
  readonly globalEpochTransform: (epoch: number) => number;
  readonly stateAttributes: string[] | null;
  readonly tagName: string;
  private readonly warned = new Set<string>();

  constructor(options: TensorBoardStatsHandlerOptions = {}) {
    checkOptions('TensorBoardStatsHandler', options, STATS_KEYS);
    super(options);
    this.iterationLog = validLog('TensorBoardStatsHandler', 'iterationLog', options.iterationLog ?? true);
    this.epochLog = validLog('TensorBoardStatsHandler', 'epochLog', options.epochLog ?? true);
    this.epochEventWriter = options.epochEventWriter ?? null;
    this.iterationEventWriter = options.iterationEventWriter ?? null;
    this.outputTransform = (options.outputTransform ?? first) as (output: unknown) => unknown;
    this.globalEpochTransform = options.globalEpochTransform ?? ((e: number) => e);
    this.stateAttributes = options.stateAttributes ?? null;
    this.tagName = options.tagName ?? DEFAULT_TAG;
  }

  attach(engine: Engine): void {
    if (this.iterationLog && !engine.hasEventHandler(this.iterationCompleted, Events.ITERATION_COMPLETED)) {
      engine.addEventHandler(filtered(Events.ITERATION_COMPLETED, this.iterationLog), this.iterationCompleted);
    }
    if (this.epochLog && !engine.hasEventHandler(this.epochCompleted, Events.EPOCH_COMPLETED)) {
      engine.addEventHandler(filtered(Events.EPOCH_COMPLETED, this.epochLog), this.epochCompleted);
    }
  }

  /** Writes the epoch values (bound: the engine stores this very function). */
  readonly epochCompleted = (engine: Engine): void => {
    if (this.epochEventWriter) this.epochEventWriter(engine, this.writer);
    else this.defaultEpochWriter(engine, this.writer);
  };

  /** Writes the iteration values. */
  readonly iterationCompleted = (engine: Engine): void => {
    if (this.iterationEventWriter) this.iterationEventWriter(engine, this.writer);
    else this.defaultIterationWriter(engine, this.writer);
  };

  /** One scalar; subclasses may write elsewhere or differently. */
  protected writeScalar(_engine: Engine, writer: SummaryWriter, tag: string, value: number, step: number): void {
    writer.addScalar(tag, value, step);
  }

  /** state.metrics' scalars and the stateAttributes, at the (transformed) epoch. */
  protected defaultEpochWriter(engine: Engine, writer: SummaryWriter): void {
    const epoch = this.globalEpochTransform(engine.state.epoch);
    for (const [name, value] of Object.entries(engine.state.metrics)) {
      if (isScalar(value)) this.writeScalar(engine, writer, name, scalarOf(value), epoch);
    }
    for (const attr of this.stateAttributes ?? []) {
      const v = engine.state[attr];
      if (!isScalar(v)) throw new TypeError(`TensorBoardStatsHandler: state attribute '${attr}' must be a scalar to be written, found ${v === undefined ? 'nothing' : v instanceof Tensor ? `a tensor of shape [${v.shape.join(', ')}]` : typeof v}`);
      this.writeScalar(engine, writer, attr, scalarOf(v), epoch);
    }
    writer.flush();
  }

  private warnOnce(msg: string): void {
    if (this.warned.has(msg)) return;
    this.warned.add(msg);
    process.emitWarning(msg);
  }

  /** outputTransform(state.output): a scalar under tagName, or each scalar of a dict under its key (sorted). */
  protected defaultIterationWriter(engine: Engine, writer: SummaryWriter): void {
    const loss = this.outputTransform(engine.state.output);
    if (loss === null || loss === undefined) return;
    const step = engine.state.iteration;
    if (isScalar(loss)) {
      this.writeScalar(engine, writer, this.tagName, scalarOf(loss), step);
    } else if (typeof loss === 'object' && !Array.isArray(loss) && !(loss instanceof Tensor)) {
      const dict = loss as Record<string, unknown>;
      for (const name of Object.keys(dict).sort()) {
        const v = dict[name];
        if (!isScalar(v)) {
          this.warnOnce(`TensorBoardStatsHandler: ignoring the non-scalar output '${name}' (${v instanceof Tensor ? `tensor of shape [${v.shape.join(', ')}]` : typeof v}); make outputTransform(state.output) return a scalar or a dict of scalars`);
          continue;
        }
        this.writeScalar(engine, writer, name, scalarOf(v), step);
      }
    } else {
      this.warnOnce(`TensorBoardStatsHandler: ignoring a non-scalar output (${loss instanceof Tensor ? `tensor of shape [${loss.shape.join(', ')}]` : Array.isArray(loss) ? 'array' : typeof loss}); make outputTransform(state.output) return a scalar or a dict of scalars`);
    }
    writer.flush();
  }
}

export interface TensorBoardImageHandlerOptions extends TensorBoardHandlerOptions {
  /** plot every N epochs (epochLevel) or N iterations (default 1) */
  interval?: number;
  /** true: at EPOCH_COMPLETED with step state.epoch; false: at ITERATION_COMPLETED with step state.iteration */
  epochLevel?: boolean;
  /** state.batch to [images, labels] (default: the batch itself) */
  batchTransform?: (batch: never) => unknown;
  /** state.output to the predictions (default: the output itself) */
  outputTransform?: (output: never) => unknown;
  /** maps the epoch or iteration to the step written */
  globalIterTransform?: (step: number) => number;
  /** which batch item to plot (default 0) */
  index?: number;
  /** channels to plot (default 1) */
  maxChannels?: number;
  /** frame dimension of NCHWD data for GIFs (default -3) */
  frameDim?: number;
  /** frames per second of RGB videos (tensorboardX only; kept for MONAI's signature, default 64) */
  maxFrames?: number;
}
const IMAGE_KEYS = [
  'summaryWriter', 'logDir', 'interval', 'epochLevel', 'batchTransform', 'outputTransform', 'globalIterTransform', 'index',
  'maxChannels', 'frameDim', 'maxFrames',
];

/** x[i] of a list or the i-th item of a batch tensor. */
function itemAt(x: unknown, i: number, what: string): unknown {
  if (x instanceof Tensor) return x.select(0, i);
  if (Array.isArray(x)) return x[i < 0 ? x.length + i : i];
  if (x === null || x === undefined) return null;
  throw new TypeError(`TensorBoardImageHandler: ${what} must be a list or a batch tensor to take item ${i} of, found ${typeof x}`);
}

export class TensorBoardImageHandler extends TensorBoardHandler {
  readonly interval: number;
  readonly epochLevel: boolean;
  readonly batchTransform: (batch: unknown) => unknown;
  readonly outputTransform: (output: unknown) => unknown;
  readonly globalIterTransform: (step: number) => number;
  readonly index: number;
  readonly maxChannels: number;
  readonly frameDim: number;
  readonly maxFrames: number;

  constructor(options: TensorBoardImageHandlerOptions = {}) {
    checkOptions('TensorBoardImageHandler', options, IMAGE_KEYS);
    super(options);
    this.interval = options.interval ?? 1;
    if (!Number.isInteger(this.interval) || this.interval < 1) throw new Error(`TensorBoardImageHandler: interval must be a positive integer, found ${String(options.interval)}`);
    this.epochLevel = options.epochLevel ?? true;
    const id = (x: unknown): unknown => x;
    this.batchTransform = (options.batchTransform ?? id) as (batch: unknown) => unknown;
    this.outputTransform = (options.outputTransform ?? id) as (output: unknown) => unknown;
    this.globalIterTransform = options.globalIterTransform ?? ((s: number) => s);
    this.index = options.index ?? 0;
    this.maxChannels = options.maxChannels ?? 1;
    this.frameDim = options.frameDim ?? -3;
    this.maxFrames = options.maxFrames ?? 64;
  }

  attach(engine: Engine): void {
    const event = this.epochLevel ? Events.EPOCH_COMPLETED : Events.ITERATION_COMPLETED;
    engine.addEventHandler(this.interval > 1 ? event.filter({ every: this.interval }) : event, this.call);
  }

  /** Plots input_0 (image), input_1 (label) and output (prediction) of item `index`. */
  readonly call = (engine: Engine): void => {
    const step = this.globalIterTransform(this.epochLevel ? engine.state.epoch : engine.state.iteration);
    torch.tidy(() => this.plotAll(engine, step));
    this.writer.flush();
  };

  private plotAll(engine: Engine, step: number): void {
    const batch = this.batchTransform(engine.state.batch);
    const plots: [unknown, string, string][] = [
      [itemAt(itemAt(batch, 0, 'batchTransform(state.batch)'), this.index, 'batchTransform(state.batch)[0]'), 'input_0', 'batchTransform(state.batch)[0]'],
      [itemAt(itemAt(batch, 1, 'batchTransform(state.batch)'), this.index, 'batchTransform(state.batch)[1]'), 'input_1', 'batchTransform(state.batch)[1]'],
      [itemAt(this.outputTransform(engine.state.output), this.index, 'outputTransform(state.output)'), 'output', 'outputTransform(state.output)'],
    ];
    for (const [show, tag, what] of plots) {
      if (show === null || show === undefined) continue;
      if (!(show instanceof Tensor)) throw new TypeError(`TensorBoardImageHandler: ${what}[${this.index}] must be null or a tensor, found ${typeof show}`);
      plot2dOr3dImage([show], step, this.writer, { index: 0, maxChannels: this.maxChannels, frameDim: this.frameDim, maxFrames: this.maxFrames, tag });
    }
  }
}
