// Ignite's Timer (ignite.handlers.Timer): wall time between a start event and a pause event, optionally
// resumed and paused again (time per iteration: resume at ITERATION_STARTED, pause and step at
// ITERATION_COMPLETED) and averaged per step. Seconds, from performance.now().
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events, type EventLike } from '../engines/events.js';

export interface TimerAttachOptions {
  /** resets and starts the timer. Default STARTED. */
  start?: EventLike;
  /** pauses it. Default COMPLETED. */
  pause?: EventLike;
  resume?: EventLike | null;
  step?: EventLike | null;
}

export class Timer {
  readonly average: boolean;
  total = 0;
  stepCount = 0;
  running = true;
  private t0 = performance.now();

  constructor(options: { average?: boolean } = {}) {
    checkOptions('Timer', options, ['average']);
    this.average = options.average ?? false;
  }

  /** Registers reset/pause/resume/step on these events; returns this timer. */
  attach(engine: Engine, options: TimerAttachOptions = {}): this {
    checkOptions('Timer.attach', options, ['start', 'pause', 'resume', 'step']);
    engine.addEventHandler(options.start ?? Events.STARTED, () => void this.reset());
    engine.addEventHandler(options.pause ?? Events.COMPLETED, () => this.pause());
    if (options.resume) engine.addEventHandler(options.resume, () => this.resume());
    if (options.step) engine.addEventHandler(options.step, () => this.step());
    return this;
  }

  reset(): this {
    this.t0 = performance.now();
    this.total = 0;
    this.stepCount = 0;
    this.running = true;
    return this;
  }

  pause(): void {
    if (!this.running) return;
    this.total += this.elapsed();
    this.running = false;
  }

  resume(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = performance.now();
  }

  step(): void {
    this.stepCount += 1;
  }

  /** Seconds measured so far (per step when average). */
  value(): number {
    const total = this.total + (this.running ? this.elapsed() : 0);
    return total / (this.average ? Math.max(this.stepCount, 1) : 1);
  }

  private elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }
}

/** A Timer of the time spent inside iterations, averaged per iteration (reset every epoch). */
export class IterationTimer extends Timer {
  constructor() {
    super({ average: true });
  }

  override attach(engine: Engine, options: TimerAttachOptions = {}): this {
    checkOptions('IterationTimer.attach', options, []);
    return super.attach(engine, { start: Events.EPOCH_STARTED, resume: Events.ITERATION_STARTED, pause: Events.ITERATION_COMPLETED, step: Events.ITERATION_COMPLETED });
  }
}
