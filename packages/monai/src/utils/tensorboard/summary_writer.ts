/**
 * SummaryWriter: torch.utils.tensorboard's writer in TypeScript. Events go to
 * `<logDir>/events.out.tfevents.<unix secs>.<hostname>.<pid>.<n><filenameSuffix>`, opened with a
 * `brain.Event:2` file-version event. Records are queued and appended to the file when `maxQueue` are
 * waiting, every `flushSecs` seconds, on flush() and on close(); each append is one write of whole
 * records, so a reader never sees a half-written record unless the process dies inside that write.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { encodeEvent, SessionStatus, type EventProto, type SummaryProto } from './proto.js';
import { frameRecord } from './record.js';
import { DEFAULT_BINS, histogramSummary, imageSummary, scalarSummary, textSummary } from './summary.js';

let globalUid = 0;

// Writers not closed yet: their queued events are flushed when the process exits normally (an 'exit'
// listener may only do synchronous work, which flush() is).
const openWriters = new Set<EventFileWriter>();
let exitHook = false;
function track(w: EventFileWriter): void {
  openWriters.add(w);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const x of openWriters) x.flush();
    });
  }
}

export interface EventFileWriterOptions {
  maxQueue?: number;
  flushSecs?: number;
  filenameSuffix?: string;
}

/** One event file: queues framed events and appends them. */
export class EventFileWriter {
  readonly fileName: string;
  private queue: Uint8Array[] = [];
  private fd: number | null;
  private timer: NodeJS.Timeout | null = null;
  private readonly maxQueue: number;

  constructor(readonly logDir: string, options: EventFileWriterOptions = {}) {
    const { maxQueue = 10, flushSecs = 120, filenameSuffix = '' } = options;
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new Error(`SummaryWriter: maxQueue must be a positive integer, found ${String(maxQueue)}`);
    if (!(typeof flushSecs === 'number' && flushSecs > 0)) throw new Error(`SummaryWriter: flushSecs must be a positive number of seconds, found ${String(flushSecs)}`);
    this.maxQueue = maxQueue;
    fs.mkdirSync(logDir, { recursive: true });
    const secs = String(Math.floor(Date.now() / 1000)).padStart(10, '0');
    this.fileName = path.join(logDir, `events.out.tfevents.${secs}.${os.hostname()}.${process.pid}.${globalUid++}`) + filenameSuffix;
    this.fd = fs.openSync(this.fileName, 'a');
    this.addEvent({ wallTime: Date.now() / 1000, step: 0, fileVersion: 'brain.Event:2' });
    this.flush();
    this.timer = setInterval(() => this.flush(), flushSecs * 1000);
    this.timer.unref(); // a pending flush never keeps the process alive
    track(this);
  }

  get closed(): boolean {
    return this.fd === null;
  }

  addEvent(event: EventProto): void {
    if (this.fd === null) throw new Error(`SummaryWriter: the event file ${this.fileName} is closed`);
    this.queue.push(frameRecord(encodeEvent(event)));
    if (this.queue.length >= this.maxQueue) this.flush();
  }

  /** Appends the queued records to the file and syncs them to the OS. */
  flush(): void {
    if (this.fd === null || !this.queue.length) return;
    const total = this.queue.reduce((a, b) => a + b.length, 0);
    const buf = new Uint8Array(total);
    let off = 0;
    for (const r of this.queue) {
      buf.set(r, off);
      off += r.length;
    }
    this.queue = [];
    let written = 0;
    while (written < total) written += fs.writeSync(this.fd, buf, written, total - written);
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    fs.closeSync(this.fd);
    this.fd = null;
    openWriters.delete(this);
  }
}

export interface SummaryWriterOptions extends EventFileWriterOptions {
  /** appended to the default log directory name (ignored when a logDir is given, as torch) */
  comment?: string;
  /** a step from which to show the run again after a crash: TensorBoard drops later events it has seen */
  purgeStep?: number | null;
}
const WRITER_KEYS = ['comment', 'purgeStep', 'maxQueue', 'flushSecs', 'filenameSuffix'];

export interface AddImageOptions {
  walltime?: number;
  dataformats?: string;
}
export interface AddHistogramOptions {
  walltime?: number;
  /** 'tensorflow' (TensorBoard's default edges), a number of equal-width bins, or the edges */
  bins?: 'tensorflow' | number | readonly number[];
  maxBins?: number | null;
}

const now = (): number => Date.now() / 1000;

/** A default log directory as torch's: runs/<Mon>DD_HH-MM-SS_<hostname><comment>. */
function defaultLogDir(comment: string): string {
  const d = new Date();
  const mon = d.toLocaleString('en-US', { month: 'short' });
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return path.join('runs', `${mon}${p2(d.getDate())}_${p2(d.getHours())}-${p2(d.getMinutes())}-${p2(d.getSeconds())}_${os.hostname()}${comment}`);
}

export class SummaryWriter {
  readonly logDir: string;
  private readonly options: EventFileWriterOptions;
  private fileWriter: EventFileWriter | null = null;
  /** writers of addScalars' sub-runs, by directory */
  private readonly subWriters = new Map<string, EventFileWriter>();
  private purgeStep: number | null;
  private lastFileName = '';

  constructor(logDir?: string | null, options: SummaryWriterOptions = {}) {
    checkOptions('SummaryWriter', options, WRITER_KEYS);
    if (logDir !== undefined && logDir !== null && typeof logDir !== 'string') throw new TypeError(`SummaryWriter: logDir must be a string path, found ${typeof logDir}`);
    this.logDir = logDir ?? defaultLogDir(options.comment ?? '');
    this.options = { maxQueue: options.maxQueue, flushSecs: options.flushSecs, filenameSuffix: options.filenameSuffix };
    this.purgeStep = options.purgeStep ?? null;
    this.getFileWriter();
  }

  /** The main event file's writer; a closed writer opens a new file (as torch's). */
  getFileWriter(): EventFileWriter {
    if (this.fileWriter === null) {
      this.fileWriter = new EventFileWriter(this.logDir, this.options);
      this.lastFileName = this.fileWriter.fileName;
      if (this.purgeStep !== null) {
        this.fileWriter.addEvent({ wallTime: now(), step: this.purgeStep, fileVersion: 'brain.Event:2' });
        this.fileWriter.addEvent({ wallTime: now(), step: this.purgeStep, sessionLog: { status: SessionStatus.START } });
        this.purgeStep = null;
      }
    }
    return this.fileWriter;
  }

  getLogdir(): string {
    return this.logDir;
  }

  /** Path of the main event file (the last one after close). */
  get fileName(): string {
    return this.lastFileName;
  }

  /** Writes a prepared Summary (what MONAI's add_animated_gif does through the file writer). */
  addSummary(summary: SummaryProto, globalStep?: number | null, walltime?: number | null): void {
    this.getFileWriter().addEvent(SummaryWriter.event(summary, globalStep, walltime));
  }

  private static event(summary: SummaryProto, globalStep?: number | null, walltime?: number | null): EventProto {
    if (globalStep !== undefined && globalStep !== null && !Number.isInteger(globalStep)) throw new TypeError(`SummaryWriter: globalStep must be an integer, found ${globalStep}`);
    return { wallTime: walltime ?? now(), step: globalStep ?? 0, summary };
  }

  addScalar(tag: string, scalarValue: number | Tensor, globalStep?: number | null, walltime?: number | null): void {
    this.addSummary(scalarSummary(tag, scalarValue), globalStep, walltime);
  }

  /** Each value to its own run `<logDir>/<mainTag with / as _>_<tag>`, all under the tag mainTag (torch's layout). */
  addScalars(mainTag: string, tagScalarDict: Record<string, number | Tensor>, globalStep?: number | null, walltime?: number | null): void {
    const wt = walltime ?? now();
    for (const [tag, value] of Object.entries(tagScalarDict)) {
      const dir = `${this.logDir}/${mainTag.replaceAll('/', '_')}_${tag}`;
      let w = this.subWriters.get(dir);
      if (!w || w.closed) {
        w = new EventFileWriter(dir, this.options);
        this.subWriters.set(dir, w);
      }
      w.addEvent(SummaryWriter.event(scalarSummary(mainTag, value), globalStep, wt));
    }
  }

  addHistogram(tag: string, values: Tensor | number[], globalStep?: number | null, options: AddHistogramOptions = {}): void {
    checkOptions('SummaryWriter.addHistogram', options, ['walltime', 'bins', 'maxBins']);
    const bins = options.bins === undefined || options.bins === 'tensorflow' ? DEFAULT_BINS : options.bins;
    if (typeof bins === 'string') throw new Error(`SummaryWriter.addHistogram: bins must be 'tensorflow', a count or a list of edges, found '${bins}'`);
    this.addSummary(histogramSummary(tag, values, bins, options.maxBins ?? null), globalStep, options.walltime);
  }

  /** An image tensor (default layout CHW; float values in [0, 1], uint8 in [0, 255]) as a PNG. */
  addImage(tag: string, imgTensor: Tensor, globalStep?: number | null, options: AddImageOptions = {}): void {
    checkOptions('SummaryWriter.addImage', options, ['walltime', 'dataformats']);
    this.addSummary(imageSummary(tag, imgTensor, options.dataformats ?? 'CHW'), globalStep, options.walltime);
  }

  /** A batch of images (default NCHW) tiled into one grid image, 8 per row. */
  addImages(tag: string, imgTensor: Tensor, globalStep?: number | null, options: AddImageOptions = {}): void {
    checkOptions('SummaryWriter.addImages', options, ['walltime', 'dataformats']);
    this.addSummary(imageSummary(tag, imgTensor, options.dataformats ?? 'NCHW'), globalStep, options.walltime);
  }

  addText(tag: string, textString: string, globalStep?: number | null, walltime?: number | null): void {
    if (typeof textString !== 'string') throw new TypeError(`SummaryWriter.addText: text must be a string, found ${typeof textString}`);
    this.addSummary(textSummary(tag, textString), globalStep, walltime);
  }

  /** Writes everything queued to disk. */
  flush(): void {
    this.fileWriter?.flush();
    for (const w of this.subWriters.values()) w.flush();
  }

  /** Flushes and closes the files; closing twice does nothing, and writing again opens a new file. */
  close(): void {
    this.fileWriter?.close();
    this.fileWriter = null;
    for (const w of this.subWriters.values()) w.close();
    this.subWriters.clear();
  }
}
