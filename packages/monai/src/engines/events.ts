/**
 * Ignite 0.4's events: named events, filtered events (`every`, `once`, `before`, `after`, a custom
 * predicate) and lists of events OR-ed together. JavaScript cannot call an object, so Ignite's
 * `Events.ITERATION_COMPLETED(every=2)` is `Events.ITERATION_COMPLETED.filter({ every: 2 })` and
 * `Events.STARTED | Events.COMPLETED` is `Events.STARTED.or(Events.COMPLETED)`.
 */

/** A filter gets the engine and the event's counter (state.iteration or state.epoch) and says whether to run. */
/** Decides, for the engine firing it and the event's count, whether a filtered handler runs (typed without Engine: engine.ts imports this module). */
export type EventFilter = (engine: object, event: number) => boolean;

export interface EventFilterOptions {
  every?: number;
  once?: number | number[];
  before?: number;
  after?: number;
  eventFilter?: EventFilter;
}

const isPosInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isNonNegInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** One named event; `value` is the key handlers are stored under (Ignite's enum value). */
export class EventName {
  constructor(readonly name: string, readonly value: string = name.toLowerCase()) {}

  /** The event with a filter, as Ignite's `Events.X(every=..., once=..., before=..., after=..., event_filter=...)`. */
  filter(options: EventFilterOptions): FilteredEvent {
    const known = ['every', 'once', 'before', 'after', 'eventFilter'];
    for (const k of Object.keys(options)) {
      if (!known.includes(k)) throw new Error(`${this.name}.filter: unknown option '${k}', expected one of ${known.join(', ')}`);
    }
    const { every, once, before, after, eventFilter } = options;
    const given = [every, once, before, after].filter((v) => v !== undefined).length;
    if (eventFilter !== undefined) {
      if (given) throw new Error(`${this.name}.filter: eventFilter cannot be combined with every, once, before or after`);
      if (typeof eventFilter !== 'function') throw new TypeError(`${this.name}.filter: eventFilter must be a function (engine, event) => boolean, found ${typeof eventFilter}`);
      return new FilteredEvent(this, eventFilter);
    }
    if (!given) throw new Error(`${this.name}.filter: give one of every, once, before, after or eventFilter`);
    if (once !== undefined && (every !== undefined || before !== undefined || after !== undefined)) {
      throw new Error(`${this.name}.filter: once cannot be combined with every, before or after`);
    }
    if (every !== undefined && !isPosInt(every)) throw new Error(`${this.name}.filter: every must be a positive integer, found ${String(every)}`);
    if (once !== undefined && !(isPosInt(once) || (Array.isArray(once) && once.length > 0 && once.every(isPosInt)))) {
      throw new Error(`${this.name}.filter: once must be a positive integer or a non-empty list of them, found ${JSON.stringify(once)}`);
    }
    if (before !== undefined && !isNonNegInt(before)) throw new Error(`${this.name}.filter: before must be an integer >= 0, found ${String(before)}`);
    if (after !== undefined && !isNonNegInt(after)) throw new Error(`${this.name}.filter: after must be an integer >= 0, found ${String(after)}`);
    const lo = after ?? 0;
    const hi = before ?? Infinity;
    let fn: EventFilter | null = null;
    if (once !== undefined) {
      const set = new Set(Array.isArray(once) ? once : [once]);
      fn = (_e, n) => set.has(n);
    } else if (before !== undefined || after !== undefined) {
      const step = every ?? 1;
      fn = (_e, n) => n > lo && n < hi && (n - lo - 1) % step === 0;
    } else if (every !== undefined && every !== 1) {
      fn = (_e, n) => n % every === 0;
    }
    return fn === null ? (this as unknown as FilteredEvent) : new FilteredEvent(this, fn);
  }

  /** This event or another: a handler added to the list is added to each. */
  or(other: EventLike): EventsList {
    return new EventsList([this]).or(other);
  }

  toString(): string {
    return this.name;
  }
}

/** An event with a filter (Ignite's CallableEventWithFilter with a filter). */
export class FilteredEvent {
  constructor(readonly event: EventName, readonly eventFilter: EventFilter) {}
  get name(): string {
    return this.event.name;
  }
  get value(): string {
    return this.event.value;
  }
  or(other: EventLike): EventsList {
    return new EventsList([this]).or(other);
  }
  toString(): string {
    return `${this.event.name}(filtered)`;
  }
}

/** Several events OR-ed: a handler is attached to each of them. */
export class EventsList {
  readonly events: (EventName | FilteredEvent | string)[];
  constructor(events: (EventName | FilteredEvent | string)[] = []) {
    this.events = [...events];
  }
  or(other: EventLike): EventsList {
    const more = other instanceof EventsList ? other.events : [other];
    return new EventsList([...this.events, ...more]);
  }
  [Symbol.iterator](): Iterator<EventName | FilteredEvent | string> {
    return this.events[Symbol.iterator]();
  }
}

/** Anything a handler can be attached to: a registered event, a plain string event, a filtered event or a list. */
export type EventLike = EventName | FilteredEvent | EventsList | string;

/** The key an event's handlers are stored under. */
export function eventKey(e: EventName | FilteredEvent | string): string {
  return typeof e === 'string' ? e : e.value;
}

/** Defines a group of custom events, as subclassing Ignite's EventEnum: `defineEvents({ FOO: 'foo' })`. */
export function defineEvents<K extends string>(values: Record<K, string>): Record<K, EventName> {
  const out = {} as Record<K, EventName>;
  for (const k of Object.keys(values) as K[]) out[k] = new EventName(k, values[k]);
  return out;
}

/** Ignite 0.4.12's engine events. */
export const Events = {
  EPOCH_STARTED: new EventName('EPOCH_STARTED', 'epoch_started'),
  EPOCH_COMPLETED: new EventName('EPOCH_COMPLETED', 'epoch_completed'),
  STARTED: new EventName('STARTED', 'started'),
  COMPLETED: new EventName('COMPLETED', 'completed'),
  ITERATION_STARTED: new EventName('ITERATION_STARTED', 'iteration_started'),
  ITERATION_COMPLETED: new EventName('ITERATION_COMPLETED', 'iteration_completed'),
  EXCEPTION_RAISED: new EventName('EXCEPTION_RAISED', 'exception_raised'),
  GET_BATCH_STARTED: new EventName('GET_BATCH_STARTED', 'get_batch_started'),
  GET_BATCH_COMPLETED: new EventName('GET_BATCH_COMPLETED', 'get_batch_completed'),
  DATALOADER_STOP_ITERATION: new EventName('DATALOADER_STOP_ITERATION', 'dataloader_stop_iteration'),
  TERMINATE: new EventName('TERMINATE', 'terminate'),
  TERMINATE_SINGLE_EPOCH: new EventName('TERMINATE_SINGLE_EPOCH', 'terminate_single_epoch'),
} as const;

/** MONAI's extra events fired inside one iteration of a workflow. */
export const IterationEvents = {
  FORWARD_COMPLETED: new EventName('FORWARD_COMPLETED', 'forward_completed'),
  LOSS_COMPLETED: new EventName('LOSS_COMPLETED', 'loss_completed'),
  BACKWARD_COMPLETED: new EventName('BACKWARD_COMPLETED', 'backward_completed'),
  MODEL_COMPLETED: new EventName('MODEL_COMPLETED', 'model_completed'),
  INNER_ITERATION_STARTED: new EventName('INNER_ITERATION_STARTED', 'inner_iteration_started'),
  INNER_ITERATION_COMPLETED: new EventName('INNER_ITERATION_COMPLETED', 'inner_iteration_completed'),
} as const;
