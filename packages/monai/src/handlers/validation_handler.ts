// MONAI's ValidationHandler: runs an evaluator every `interval` epochs (or iterations) of the engine it
// is attached to, numbered with the engine's epoch; optionally once at the start.
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Evaluator } from '../engines/evaluator.js';
import { Events } from '../engines/events.js';

export interface ValidationHandlerOptions {
  interval: number;
  /** the evaluator to run; null: give it later with setValidator */
  validator?: Evaluator | null;
  epochLevel?: boolean;
  execAtStart?: boolean;
}
const KEYS = ['interval', 'validator', 'epochLevel', 'execAtStart'];

const checkValidator = (v: unknown): Evaluator => {
  if (!(v instanceof Evaluator)) throw new TypeError(`ValidationHandler: validator must be an Evaluator (SupervisedEvaluator, ...), found ${v === null || v === undefined ? String(v) : ((v as object).constructor?.name ?? typeof v)}`);
  return v;
};

export class ValidationHandler {
  readonly interval: number;
  readonly epochLevel: boolean;
  readonly execAtStart: boolean;
  validator: Evaluator | null;

  constructor(options: ValidationHandlerOptions) {
    checkOptions('ValidationHandler', options, KEYS, ['interval']);
    if (!Number.isInteger(options.interval) || options.interval < 1) throw new Error(`ValidationHandler: interval must be a positive integer, found ${String(options.interval)}`);
    this.interval = options.interval;
    this.validator = options.validator === undefined || options.validator === null ? null : checkValidator(options.validator);
    this.epochLevel = options.epochLevel ?? true;
    this.execAtStart = options.execAtStart ?? false;
  }

  setValidator(validator: Evaluator): void {
    this.validator = checkValidator(validator);
  }

  attach(engine: Engine): void {
    const ev = this.epochLevel ? Events.EPOCH_COMPLETED : Events.ITERATION_COMPLETED;
    engine.addEventHandler(ev.filter({ every: this.interval }), this.call);
    if (this.execAtStart) engine.addEventHandler(Events.STARTED, this.call);
  }

  /** Runs the validator for the engine's current epoch; the engine awaits it before going on. */
  readonly call = async (engine: Engine): Promise<void> => {
    if (this.validator === null) throw new Error('ValidationHandler: no validator; give one in the options or call setValidator() before training');
    await this.validator.run(engine.state.epoch);
  };
}
