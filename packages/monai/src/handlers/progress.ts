// A progress bar per epoch with the loss (or other scalars) and the time left, attached like StatsHandler.
// On a terminal (the stream is a TTY) it is a cli-progress bar redrawn in place; otherwise (a log file, CI)
// it prints plain lines every few iterations and one at the end of each epoch. Only rank 0 prints when
// torch.distributed is initialized. Not in MONAI (which uses Ignite's tqdm ProgressBar for this).
import { createRequire } from 'node:module';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { formatKeyVar, isScalar, scalarValue } from './stats_format.js';
import { distributedRank } from './rank.js';

/** Where the bar goes: process.stdout or anything with write (and isTTY/columns for a terminal). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressBarOptions {
  /** default process.stdout */
  stream?: ProgressStream;
  /** draw a bar (true) or print lines (false); default: whether the stream is a TTY */
  tty?: boolean | null;
  /** maps state.output to a scalar (shown as tagName) or {name: scalar}; default: the loss of MONAI's outputs */
  outputTransform?: (output: never) => unknown;
  tagName?: string;
  /** without a TTY, print a line every N iterations (default: about 10 lines per epoch) */
  logEvery?: number | null;
  /** width of the bar in characters (default 30) */
  barSize?: number;
}
const KEYS = ['stream', 'tty', 'outputTransform', 'tagName', 'logEvery', 'barSize'];

interface CliBar {
  render(): void;
  timer: { unref?: () => void } | null;
  start(total: number, startValue: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}
type CliProgress = { SingleBar: new (options: Record<string, unknown>) => CliBar };
const cliProgress = createRequire(import.meta.url)('cli-progress') as CliProgress;

const isDict = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !isScalar(x);

/** The loss of a MONAI output: output[0].loss (decollated), output.loss, or a scalar output itself. */
function defaultOutput(o: unknown): unknown {
  if (Array.isArray(o) && isDict(o[0]) && 'loss' in o[0]) return o[0].loss;
  if (isDict(o) && 'loss' in o) return o.loss;
  return isScalar(o) ? o : null;
}

/** Seconds as "12s", "3m05s" or "1h02m". */
function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  if (t < 60) return `${t}s`;
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, '0')}m`;
}

export class ProgressBar {
  readonly stream: ProgressStream;
  readonly tty: boolean;
  readonly outputTransform: (output: unknown) => unknown;
  readonly tagName: string;
  readonly logEvery: number | null;
  readonly barSize: number;
  private bar: CliBar | null = null;
  private epochStart = 0;
  private firstIter = 0;
  private lastText = '';

  constructor(options: ProgressBarOptions = {}) {
    checkOptions('ProgressBar', options, KEYS);
    this.stream = options.stream ?? process.stdout;
    if (!this.stream || typeof this.stream.write !== 'function') throw new TypeError('ProgressBar: stream must have write(), like process.stdout');
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.outputTransform = (options.outputTransform as ((o: unknown) => unknown) | undefined) ?? defaultOutput;
    this.tagName = options.tagName ?? 'Loss';
    this.logEvery = options.logEvery ?? null;
    if (this.logEvery !== null && !(Number.isInteger(this.logEvery) && this.logEvery > 0)) throw new Error(`ProgressBar: logEvery must be a positive integer or null, found ${String(options.logEvery)}`);
    this.barSize = options.barSize ?? 30;
    if (!(Number.isInteger(this.barSize) && this.barSize > 0)) throw new Error(`ProgressBar: barSize must be a positive integer, found ${String(options.barSize)}`);
  }

  attach(engine: Engine): void {
    if (engine.hasEventHandler(this.epochStarted)) return;
    engine.addEventHandler(Events.EPOCH_STARTED, this.epochStarted);
    engine.addEventHandler(Events.ITERATION_COMPLETED, this.iterationCompleted);
    engine.addEventHandler(Events.EPOCH_COMPLETED, this.epochCompleted);
    engine.addEventHandler(Events.TERMINATE, this.close);
    engine.addEventHandler(Events.COMPLETED, this.close);
    // no EXCEPTION_RAISED handler: one that swallowed or rethrew would change which handlers see the
    // exception; the bar's redraw timer is unref'd instead, so a failed run still exits
  }

  /** The output's scalars as "Loss: 0.1234" (sorted names for a dict). */
  private values(engine: Engine): string {
    const v = this.outputTransform(engine.state.output);
    if (isScalar(v)) return formatKeyVar('{}: {:.4f}', this.tagName, scalarValue(v)).trimEnd();
    if (isDict(v)) {
      return Object.keys(v).sort().filter((k) => isScalar(v[k])).map((k) => formatKeyVar('{}: {:.4f}', k, scalarValue(v[k] as number))).join(' ');
    }
    return '';
  }

  private iterInEpoch(engine: Engine): number {
    const n = engine.state.epochLength;
    return n ? ((engine.state.iteration - 1) % n) + 1 : engine.state.iteration;
  }

  private epochLabel(engine: Engine): string {
    return `Epoch ${engine.state.epoch}/${engine.state.maxEpochs ?? '?'}`;
  }

  readonly epochStarted = (engine: Engine): void => {
    if (distributedRank() !== 0) return;
    this.close();
    this.epochStart = performance.now();
    const n = engine.state.epochLength;
    // a resumed epoch starts part-way
    this.firstIter = n ? engine.state.iteration % n : 0;
    this.lastText = '';
    if (!this.tty) return;
    this.bar = new cliProgress.SingleBar({
      stream: this.stream, format: `${this.epochLabel(engine)} [{bar}] {value}/{total}{values} | ETA: {eta_formatted}`,
      barsize: this.barSize, barCompleteChar: '=', barIncompleteChar: '-', hideCursor: false, linewrap: false, fps: 10, etaBuffer: 20,
    });
    const bar = this.bar;
    const render = bar.render.bind(bar);
    bar.render = () => {
      render();
      bar.timer?.unref?.();
    };
    bar.start(n ?? 0, this.firstIter, { values: '' });
  };

  readonly iterationCompleted = (engine: Engine): void => {
    if (distributedRank() !== 0) return;
    const i = this.iterInEpoch(engine);
    const values = this.values(engine);
    this.lastText = values;
    if (this.bar) {
      this.bar.update(i, { values: values ? ` ${values}` : '' });
      return;
    }
    const n = engine.state.epochLength;
    const every = this.logEvery ?? Math.max(1, Math.ceil((n ?? 10) / 10));
    if (i % every === 0 && i !== n) this.stream.write(`${this.line(engine, i)}\n`);
  };

  /** A plain progress line: "Epoch 1/2: 3/4 [75%] Loss: 0.1234 ETA 1s". */
  private line(engine: Engine, i: number): string {
    const n = engine.state.epochLength;
    const elapsed = (performance.now() - this.epochStart) / 1000;
    const done = i - this.firstIter;
    const pct = n ? ` [${Math.floor((100 * i) / n)}%]` : '';
    const eta = n && done > 0 ? ` ETA ${formatSeconds((elapsed / done) * (n - i))}` : '';
    return `${this.epochLabel(engine)}: ${i}/${n ?? '?'}${pct}${this.lastText ? ` ${this.lastText}` : ''}${eta}`;
  }

  readonly epochCompleted = (engine: Engine): void => {
    if (distributedRank() !== 0) return;
    if (this.bar) {
      this.close();
      return;
    }
    const i = this.iterInEpoch(engine);
    const elapsed = (performance.now() - this.epochStart) / 1000;
    this.stream.write(`${this.epochLabel(engine)}: ${i}/${engine.state.epochLength ?? '?'} [done]${this.lastText ? ` ${this.lastText}` : ''} in ${formatSeconds(elapsed)}\n`);
  };

  /** Stops an open bar (its last state stays on screen). */
  readonly close = (): void => {
    if (this.bar) {
      this.bar.stop();
      this.bar = null;
    }
  };

}
