// MONAI's EarlyStopHandler over Ignite's EarlyStopping: after `patience` checks without the score rising
// by more than minDelta, terminates the trainer. Attach it to the trainer, or to an evaluator whose
// metric decides (then give the trainer).
import { checkOptions } from '../data/options.js';
import { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { getLogger } from './logging.js';

export interface EarlyStopHandlerOptions {
  patience: number;
  /** the score of the engine this handler is attached to; higher is better */
  scoreFunction: (engine: Engine) => number;
  /** the engine to stop; null: give it later with setTrainer */
  trainer?: Engine | null;
  minDelta?: number;
  /** minDelta counts from the last best score rather than from the previous check */
  cumulativeDelta?: boolean;
  epochLevel?: boolean;
}
const KEYS = ['patience', 'scoreFunction', 'trainer', 'minDelta', 'cumulativeDelta', 'epochLevel'];

export class EarlyStopHandler {
  readonly patience: number;
  readonly scoreFunction: (engine: Engine) => number;
  readonly minDelta: number;
  readonly cumulativeDelta: boolean;
  readonly epochLevel: boolean;
  trainer: Engine | null = null;
  /** checks since the last improvement */
  counter = 0;
  bestScore: number | null = null;
  private readonly logger = getLogger('ignite.handlers.early_stopping.EarlyStopping');

  constructor(options: EarlyStopHandlerOptions) {
    checkOptions('EarlyStopHandler', options, KEYS, ['patience', 'scoreFunction']);
    if (typeof options.scoreFunction !== 'function') throw new TypeError(`EarlyStopHandler: scoreFunction must be a function (engine) => number, found ${typeof options.scoreFunction}`);
    if (!Number.isInteger(options.patience) || options.patience < 1) throw new Error(`EarlyStopHandler: patience must be a positive integer, found ${String(options.patience)}`);
    const minDelta = options.minDelta ?? 0;
    if (!(minDelta >= 0)) throw new Error(`EarlyStopHandler: minDelta must be >= 0, found ${String(options.minDelta)}`);
    this.patience = options.patience;
    this.scoreFunction = options.scoreFunction;
    this.minDelta = minDelta;
    this.cumulativeDelta = options.cumulativeDelta ?? false;
    this.epochLevel = options.epochLevel ?? true;
    if (options.trainer !== undefined && options.trainer !== null) this.setTrainer(options.trainer);
  }

  setTrainer(trainer: Engine): void {
    if (!(trainer instanceof Engine)) throw new TypeError(`EarlyStopHandler: trainer must be an Engine, found ${trainer === null ? 'null' : typeof trainer}`);
    this.trainer = trainer;
  }

  attach(engine: Engine): void {
    engine.addEventHandler(this.epochLevel ? Events.EPOCH_COMPLETED : Events.ITERATION_COMPLETED, this.call);
  }

  readonly call = (engine: Engine): void => {
    if (this.trainer === null) throw new Error('EarlyStopHandler: no trainer; give one in the options or call setTrainer() before training');
    const score = this.scoreFunction(engine);
    if (this.bestScore === null) {
      this.bestScore = score;
    } else if (score <= this.bestScore + this.minDelta) {
      if (!this.cumulativeDelta && score > this.bestScore) this.bestScore = score;
      this.counter += 1;
      this.logger.debug(`EarlyStopping: ${this.counter} / ${this.patience}`);
      if (this.counter >= this.patience) {
        this.logger.info('EarlyStopping: Stop training');
        this.trainer.terminate();
      }
    } else {
      this.bestScore = score;
      this.counter = 0;
    }
  };

  /** Ignite's EarlyStopping state: {counter, best_score}. */
  stateDict(): { counter: number; best_score: number | null } {
    return { counter: this.counter, best_score: this.bestScore };
  }

  loadStateDict(sd: { counter?: unknown; best_score?: unknown }): void {
    if (!sd || typeof sd.counter !== 'number') throw new TypeError('EarlyStopHandler.loadStateDict: expected {counter, best_score}');
    this.counter = sd.counter;
    this.bestScore = sd.best_score === null || sd.best_score === undefined ? null : Number(sd.best_score);
  }
}
