/**
 * Ignite 0.4.12's Engine: runs a process function over batches for a number of epochs and fires events
 * around each step, in Ignite's order. `run` returns a Promise: the engine awaits only to get a batch from
 * an async iterable (a DataLoader); everything inside one iteration, handlers included, is synchronous.
 *
 * Memory: the tensors created from the start of an iteration (GET_BATCH_COMPLETED on) until the next batch
 * is requested (so state.output is still readable at EPOCH_COMPLETED) are freed then, and at the end of
 * the run. Handlers that keep tensors across iterations must torch.keep them (metrics' buffers do).
 * Batches from a non-array iterable (DataLoader, generator) are handed over and freed with the iteration;
 * an array's batches belong to the caller and are reused across epochs (set `disposeBatches` to override).
 * The scope is never open while the engine awaits the next batch; it is open while an async handler of an
 * iteration event is awaited, so code that creates tensors in the background (a prefetching loader) must
 * torch.keep what it hands over, which the engine then frees with the iteration.
 */
import * as torch from '@monai-ts/torch';
import { EventName, EventsList, FilteredEvent, Events, eventKey, type EventLike } from './events.js';

/** handler(engine, ...eventArgs, ...extraArgs); the engine awaits a returned Promise between iterations. */
export type Handler<E extends Engine = Engine> = (engine: E, ...args: never[]) => unknown;
export type ProcessFunction<E extends Engine = Engine> = (engine: E, batch: never) => unknown;
type AnyHandler = (engine: Engine, ...args: unknown[]) => unknown;

/** Ignite's State; extra keys (MONAI's bestMetric, keyMetricName, ...) are plain properties. */
export class State {
  iteration = 0;
  epoch = 0;
  epochLength: number | null = null;
  maxEpochs: number | null = null;
  output: unknown = null;
  batch: unknown = null;
  metrics: Record<string, unknown> = {};
  dataloader: unknown = null;
  seed: number | null = null;
  times: Record<string, number | null> = { EPOCH_COMPLETED: null, COMPLETED: null };
  [key: string]: unknown;

  constructor(init: Record<string, unknown> = {}) {
    Object.assign(this, init);
  }
}

export interface RunOptions {
  maxEpochs?: number;
  epochLength?: number;
}

export interface RemovableEventHandle {
  remove(): void;
}

/** Whether x is an iterable or async iterable (what run() and workflows accept as data). */
export function isBatchSource(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const o = x as { [Symbol.iterator]?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof o[Symbol.iterator] === 'function' || typeof o[Symbol.asyncIterator] === 'function';
}

class TerminateSignal extends Error {}
class TerminateEpochSignal extends Error {}

interface Entry {
  handler: AnyHandler;
  /** the user's handler (a filtered handler is wrapped) */
  parent: unknown;
  args: unknown[];
}

type BatchIterator = { next(): IteratorResult<unknown> | Promise<IteratorResult<unknown>> };

const DEFAULT_ATTRS: [EventName, string][] = [
  [Events.GET_BATCH_STARTED, 'iteration'],
  [Events.GET_BATCH_COMPLETED, 'iteration'],
  [Events.ITERATION_STARTED, 'iteration'],
  [Events.ITERATION_COMPLETED, 'iteration'],
  [Events.EPOCH_STARTED, 'epoch'],
  [Events.EPOCH_COMPLETED, 'epoch'],
  [Events.STARTED, 'epoch'],
  [Events.COMPLETED, 'epoch'],
];

export class Engine {
  state: State = new State();
  lastEventName: string | null = null;
  shouldTerminate = false;
  shouldTerminateSingleEpoch = false;
  /** Free each fetched batch with its iteration: 'auto' frees those of non-array data. */
  disposeBatches: boolean | 'auto' = 'auto';
  protected readonly processFunction: (engine: Engine, batch: unknown) => unknown;
  private readonly handlers = new Map<string, Entry[]>();
  private readonly allowed = new Set<string>();
  private readonly eventToAttr = new Map<string, string>();
  private dataIter: BatchIterator | null = null;
  private initIter: number | null = null;
  private running = false;
  private iterScope: torch.Scope | null = null;
  private ownedBatch: unknown = null;

  constructor(processFunction: ProcessFunction<Engine>) {
    if (typeof processFunction !== 'function') throw new TypeError(`Engine: processFunction must be a function (engine, batch) => output, found ${typeof processFunction}`);
    this.processFunction = processFunction as unknown as (engine: Engine, batch: unknown) => unknown;
    for (const e of Object.values(Events)) this.allowed.add(e.value);
    for (const [e, a] of DEFAULT_ATTRS) this.eventToAttr.set(e.value, a);
  }

  /** Lets these custom events be fired and handled; eventToAttr maps an event to the state counter its filters read. */
  registerEvents(events: (EventName | string)[], eventToAttr?: Map<EventName | string, string> | Record<string, string>): void {
    for (const e of events) {
      if (!(typeof e === 'string' || e instanceof EventName)) throw new TypeError(`${this.constructor.name}.registerEvents: events must be strings or EventNames, found ${String(e)}`);
      this.allowed.add(eventKey(e));
    }
    if (eventToAttr) {
      const entries = eventToAttr instanceof Map ? [...eventToAttr.entries()] : Object.entries(eventToAttr);
      for (const [e, a] of entries) this.eventToAttr.set(eventKey(e as EventName | string), a);
    }
  }

  /** Attaches handler(engine, ...args) to an event (filtered, or a list of events). */
  addEventHandler(event: EventLike, handler: Handler<this>, ...args: unknown[]): RemovableEventHandle {
    if (typeof handler !== 'function') throw new TypeError(`${this.constructor.name}.addEventHandler: handler must be a function, found ${typeof handler}`);
    if (event instanceof EventsList) {
      const handles = event.events.map((e) => this.addEventHandler(e, handler, ...args));
      return { remove: () => handles.forEach((h) => h.remove()) };
    }
    const key = eventKey(event);
    if (!this.allowed.has(key)) throw new Error(`Event ${String(event)} is not a valid event for this ${this.constructor.name}; register custom events with registerEvents first`);
    const user = handler as unknown as AnyHandler;
    let fn: AnyHandler = user;
    if (event instanceof FilteredEvent) {
      const filter = event.eventFilter;
      fn = (engine: Engine, ...rest: unknown[]) => {
        if (filter(engine, engine.counterFor(key))) return user(engine, ...rest);
        return undefined;
      };
    }
    const list = this.handlers.get(key) ?? [];
    list.push({ handler: fn, parent: handler, args });
    this.handlers.set(key, list);
    return { remove: () => { if (this.hasEventHandler(handler, event)) this.removeEventHandler(handler, event); } };
  }

  /** Same as addEventHandler (Ignite's decorator form). */
  on(event: EventLike, handler: Handler<this>, ...args: unknown[]): RemovableEventHandle {
    return this.addEventHandler(event, handler, ...args);
  }

  hasEventHandler(handler: Handler<never>, event?: EventName | FilteredEvent | string): boolean {
    const keys = event === undefined ? [...this.handlers.keys()] : [eventKey(event)];
    return keys.some((k) => (this.handlers.get(k) ?? []).some((h) => h.parent === handler || h.handler === handler));
  }

  removeEventHandler(handler: Handler<never>, event: EventName | FilteredEvent | string): void {
    const key = eventKey(event);
    const list = this.handlers.get(key);
    if (!list) throw new Error(`${this.constructor.name}.removeEventHandler: event '${key}' has no handlers`);
    const kept = list.filter((h) => h.parent !== handler && h.handler !== handler);
    if (kept.length === list.length) throw new Error(`${this.constructor.name}.removeEventHandler: the handler is not registered for event '${key}'`);
    this.handlers.set(key, kept);
  }

  /** Fires a registered event: runs its handlers in the order they were added. */
  fireEvent(event: EventName | string): void {
    const key = eventKey(event);
    if (!this.allowed.has(key)) throw new Error(`${this.constructor.name}.fireEvent: event '${key}' is not registered`);
    this.fireSync(key);
  }

  /** State keys besides Ignite's that stateDict() saves and loadStateDict() requires. */
  stateDictUserKeys: string[] = [];

  /**
   * Ignite's Engine.state_dict: {epoch_length, max_epochs, iteration} and the user keys (Python's
   * names, so checkpoints read the same in MONAI).
   */
  stateDict(): Record<string, unknown> {
    const out: Record<string, unknown> = { epoch_length: this.state.epochLength, max_epochs: this.state.maxEpochs, iteration: this.state.iteration };
    for (const k of this.stateDictUserKeys) out[k] = this.state[k];
    return out;
  }

  /** Ignite's Engine.load_state_dict: restores the counters (epoch from iteration, or iteration from epoch); run() then resumes. */
  loadStateDict(sd: Record<string, unknown>): void {
    const name = this.constructor.name;
    if (sd === null || typeof sd !== 'object') throw new TypeError(`${name}.loadStateDict: expected a dict, found ${sd === null ? 'null' : typeof sd}`);
    for (const k of ['epoch_length', 'max_epochs', ...this.stateDictUserKeys]) {
      if (!(k in sd)) throw new Error(`${name}.loadStateDict: required key '${k}' is absent (keys: ${Object.keys(sd).join(', ')})`);
    }
    const hasIter = 'iteration' in sd;
    if (hasIter === ('epoch' in sd)) throw new Error(`${name}.loadStateDict: expected exactly one of 'iteration' or 'epoch' (keys: ${Object.keys(sd).join(', ')})`);
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    this.state.maxEpochs = num(sd.max_epochs);
    this.state.epochLength = num(sd.epoch_length);
    for (const k of this.stateDictUserKeys) this.state[k] = sd[k];
    const len = this.state.epochLength;
    if (hasIter) {
      this.state.iteration = num(sd.iteration) ?? 0;
      this.state.epoch = len ? Math.floor(this.state.iteration / len) : 0;
    } else {
      this.state.epoch = num(sd.epoch) ?? 0;
      if (len === null) throw new Error(`${name}.loadStateDict: 'epoch' needs a known epoch_length`);
      this.state.iteration = len * this.state.epoch;
    }
  }

  /** Stops the run after the current event: TERMINATE then COMPLETED fire. */
  terminate(): void {
    this.shouldTerminate = true;
  }

  /** Stops the current epoch after the current event: TERMINATE_SINGLE_EPOCH then EPOCH_COMPLETED fire. */
  terminateEpoch(): void {
    this.shouldTerminateSingleEpoch = true;
  }

  /** The state counter that filters of an event read. */
  private counterFor(key: string): number {
    const attr = this.eventToAttr.get(key);
    if (attr === undefined) throw new Error(`${this.constructor.name}: event '${key}' has no state counter for its filter; give one in registerEvents(events, eventToAttr)`);
    return this.state[attr] as number;
  }

  /**
   * Runs an event's handlers in order. A handler may return a Promise (a ValidationHandler running an
   * evaluator): the rest wait for it, and the caller gets a Promise to await.
   */
  private fire(key: string, ...eventArgs: unknown[]): void | Promise<void> {
    this.lastEventName = key;
    const list = this.handlers.get(key);
    if (!list || !list.length) return;
    const snapshot = [...list];
    for (let i = 0; i < snapshot.length; i++) {
      const h = snapshot[i];
      const r = h.handler(this, ...eventArgs, ...h.args);
      if (r instanceof Promise) return this.fireRest(r, snapshot, i + 1, eventArgs);
    }
  }

  private async fireRest(pending: Promise<unknown>, list: Entry[], from: number, eventArgs: unknown[]): Promise<void> {
    await pending;
    for (let i = from; i < list.length; i++) {
      const r = list[i].handler(this, ...eventArgs, ...list[i].args);
      if (r instanceof Promise) await r;
    }
  }

  /** Fires an event from inside an iteration, where everything is synchronous. */
  private fireSync(key: string, ...eventArgs: unknown[]): void {
    const r = this.fire(key, ...eventArgs);
    if (r instanceof Promise) {
      r.catch(() => undefined);
      throw new TypeError(`${this.constructor.name}: a handler of '${key}' returned a Promise; handlers of events inside an iteration must be synchronous`);
    }
  }

  private async handleException(e: unknown): Promise<void> {
    if ((this.handlers.get(Events.EXCEPTION_RAISED.value) ?? []).length) await this.fire(Events.EXCEPTION_RAISED.value, e);
    else throw e;
  }

  private maybeTerminate(): void {
    if (this.shouldTerminate) throw new TerminateSignal();
    if (this.shouldTerminateSingleEpoch) throw new TerminateEpochSignal();
  }

  private static isDone(s: State): boolean {
    const byCount = s.epochLength !== null && s.maxEpochs !== null && s.iteration >= s.epochLength * s.maxEpochs;
    return byCount || (s.maxEpochs !== null && s.epoch >= s.maxEpochs);
  }

  /**
   * Runs the process function over `data` (an iterable or async iterable of batches, or null with an
   * epochLength). A finished engine starts over; an unfinished one (terminated, or its state loaded from a
   * checkpoint) resumes at state.iteration.
   */
  // `data` is typed unknown (checked at run time) so that subclasses may take other run() arguments, as
  // MONAI's Evaluator.run(globalEpoch) does, and still be Engines to handlers.
  async run(data: unknown = null, options: RunOptions = {}): Promise<State> {
    const name = this.constructor.name;
    for (const k of Object.keys(options)) if (k !== 'maxEpochs' && k !== 'epochLength') throw new Error(`${name}.run: unknown option '${k}', expected maxEpochs or epochLength`);
    if (this.running) throw new Error(`${name}.run: the engine is already running`);
    if (data !== null && !isBatchSource(data)) {
      throw new TypeError(`${name}.run: data must be an iterable or async iterable of batches, found ${typeof data}`);
    }
    let { maxEpochs, epochLength } = options;
    const s = this.state;
    if (s.maxEpochs !== null) {
      if (maxEpochs !== undefined) {
        if (maxEpochs < s.epoch) throw new Error(`${name}.run: maxEpochs (${maxEpochs}) must be >= the start epoch in the state (${s.epoch}); set state.maxEpochs = null to start over`);
        s.maxEpochs = maxEpochs;
      }
      if (epochLength !== undefined && epochLength !== s.epochLength) throw new Error(`${name}.run: epochLength must equal the state's, found ${epochLength} vs ${String(s.epochLength)}`);
    }
    if (s.maxEpochs === null || Engine.isDone(s)) {
      maxEpochs ??= 1;
      if (epochLength === undefined) {
        if (data === null) throw new Error(`${name}.run: epochLength must be given when data is null`);
        const n = (data as { length?: unknown }).length;
        if (typeof n === 'number') {
          if (n < 1) throw new Error(`${name}.run: data is empty; give non-empty data`);
          epochLength = n;
        }
      }
      s.iteration = 0;
      s.epoch = 0;
      s.maxEpochs = maxEpochs;
      s.epochLength = epochLength ?? null;
    } else {
      if (s.epochLength === null && data === null) throw new Error(`${name}.run: epochLength must be given when data is null`);
      if (this.shouldTerminate) this.initIter = 0;
    }
    if (this.dataIter === null) s.dataloader = data;
    this.running = true;
    try {
      return await this.internalRun();
    } finally {
      this.running = false;
      this.endIteration();
    }
  }

  private setupIter(): void {
    const d = this.state.dataloader as { [Symbol.iterator]?: () => BatchIterator; [Symbol.asyncIterator]?: () => BatchIterator } | null;
    if (d === null || d === undefined) {
      const n = this.state.epochLength as number;
      let i = 0;
      this.dataIter = { next: () => (i++ < n ? { done: false, value: null } : { done: true, value: undefined }) };
    } else if (typeof d[Symbol.iterator] === 'function') {
      this.dataIter = d[Symbol.iterator]!();
    } else {
      this.dataIter = d[Symbol.asyncIterator]!();
    }
  }

  private setupEngine(): void {
    this.setupIter();
    if (this.initIter === null) {
      let it = this.state.iteration;
      if (this.state.epochLength !== null) it %= this.state.epochLength;
      this.initIter = it;
    }
  }

  /** Frees the tensors of the last iteration (and its batch when handed over). */
  private endIteration(): void {
    if (this.iterScope) {
      this.iterScope.close();
      this.iterScope = null;
    }
    if (this.ownedBatch !== null) {
      torch.dispose(this.ownedBatch);
      this.ownedBatch = null;
    }
  }

  private async internalRun(): Promise<State> {
    this.shouldTerminate = this.shouldTerminateSingleEpoch = false;
    const s = this.state;
    s.times.EPOCH_COMPLETED = 0;
    s.times.COMPLETED = 0;
    try {
      const start = performance.now();
      try {
        { const p = this.fire(Events.STARTED.value); if (p) await p; }
        this.maybeTerminate();
        while (!Engine.isDone(s) && !this.shouldTerminate) {
          s.epoch += 1;
          let t0 = performance.now();
          { const p = this.fire(Events.EPOCH_STARTED.value); if (p) await p; }
          let taken = performance.now() - t0;
          this.maybeTerminate();
          if (this.dataIter === null) this.setupEngine();
          taken += await this.runOnceOnDataset();
          s.times.EPOCH_COMPLETED = taken / 1000;
          t0 = performance.now();
          { const p = this.fire(Events.EPOCH_COMPLETED.value); if (p) await p; }
          s.times.EPOCH_COMPLETED = (taken + performance.now() - t0) / 1000;
          this.maybeTerminate();
        }
      } catch (e) {
        if (!(e instanceof TerminateSignal)) throw e;
        { const p = this.fire(Events.TERMINATE.value); if (p) await p; }
      }
      s.times.COMPLETED = (performance.now() - start) / 1000;
      { const p = this.fire(Events.COMPLETED.value); if (p) await p; }
      s.times.COMPLETED = (performance.now() - start) / 1000;
    } catch (e) {
      this.dataIter = null;
      await this.handleException(e);
    }
    this.dataIter = null;
    return s;
  }

  private async runOnceOnDataset(): Promise<number> {
    const start = performance.now();
    const s = this.state;
    let counter = this.initIter ?? 0;
    this.initIter = null;
    let shouldExit = false;
    const owns = this.disposeBatches === 'auto' ? !Array.isArray(s.dataloader) : this.disposeBatches;
    try {
      for (;;) {
        this.endIteration();
        s.batch = s.output = null;
        if (this.lastEventName !== Events.DATALOADER_STOP_ITERATION.value) {
          { const p = this.fire(Events.GET_BATCH_STARTED.value); if (p) await p; }
          this.maybeTerminate();
        }
        let r = (this.dataIter as BatchIterator).next();
        if (r instanceof Promise) r = await r;
        if (r.done) {
          if (s.epochLength === null) {
            s.epochLength = counter;
            break;
          }
          if (shouldExit) {
            if (!Engine.isDone(s) && s.maxEpochs !== null) {
              process.emitWarning(`Data iterator can not provide data anymore but required total number of iterations to run is not reached. Current iteration: ${s.iteration} vs Total iterations to run : ${s.epochLength * s.maxEpochs}`);
            }
            break;
          }
          { const p = this.fire(Events.DATALOADER_STOP_ITERATION.value); if (p) await p; }
          this.maybeTerminate();
          this.setupIter();
          shouldExit = true;
          continue;
        }
        this.iterScope = torch.scope();
        s.batch = r.value;
        if (owns) this.ownedBatch = r.value;
        { const p = this.fire(Events.GET_BATCH_COMPLETED.value); if (p) await p; }
        this.maybeTerminate();
        counter += 1;
        shouldExit = false;
        s.iteration += 1;
        { const p = this.fire(Events.ITERATION_STARTED.value); if (p) await p; }
        this.maybeTerminate();
        const out = this.processFunction(this, s.batch);
        if (out instanceof Promise) throw new TypeError(`${this.constructor.name}: the process function returned a Promise; an iteration must be synchronous`);
        s.output = out;
        { const p = this.fire(Events.ITERATION_COMPLETED.value); if (p) await p; }
        this.maybeTerminate();
        if (s.epochLength !== null && counter === s.epochLength) break;
      }
    } catch (e) {
      if (e instanceof TerminateEpochSignal) {
        { const p = this.fire(Events.TERMINATE_SINGLE_EPOCH.value, counter); if (p) await p; }
        this.shouldTerminateSingleEpoch = false;
        this.setupIter();
      } else if (e instanceof TerminateSignal) {
        throw e;
      } else {
        await this.handleException(e);
      }
    }
    return performance.now() - start;
  }
}
