// MONAI's LrScheduleHandler: steps a learning rate scheduler after every epoch (or iteration), with
// arguments from stepTransform(engine) (ReduceLROnPlateau's metric), and logs the new learning rate.
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { engineLoggerName, getLogger, type Logger } from './logging.js';
import { valueStr as pyStr } from './stats_format.js';

/** A scheduler: step(...args) and the last learning rates (torch.optim.lrScheduler's, or your own). */
export interface LrSchedulerLike {
  step(...args: never[]): unknown;
  getLastLr(): number[];
}

export interface LrScheduleHandlerOptions {
  lrScheduler: LrSchedulerLike;
  printLr?: boolean;
  /** logger name (getLogger(name)); null: the engine's logger */
  name?: string | null;
  epochLevel?: boolean;
  /** the arguments of lrScheduler.step: a value or a list of them (default: none) */
  stepTransform?: (engine: Engine) => unknown;
}
const KEYS = ['lrScheduler', 'printLr', 'name', 'epochLevel', 'stepTransform'];

export class LrScheduleHandler {
  readonly lrScheduler: LrSchedulerLike;
  readonly printLr: boolean;
  readonly epochLevel: boolean;
  readonly stepTransform: (engine: Engine) => unknown;
  logger: Logger;
  private readonly name: string | null;

  constructor(options: LrScheduleHandlerOptions) {
    checkOptions('LrScheduleHandler', options, KEYS, ['lrScheduler']);
    const s = options.lrScheduler;
    if (!s || typeof s.step !== 'function' || typeof s.getLastLr !== 'function') throw new TypeError('LrScheduleHandler: lrScheduler must have step() and getLastLr() (a torch.optim.lrScheduler scheduler)');
    if (options.stepTransform !== undefined && typeof options.stepTransform !== 'function') throw new TypeError(`LrScheduleHandler: stepTransform must be a function (engine) => args, found ${typeof options.stepTransform}`);
    this.lrScheduler = s;
    this.printLr = options.printLr ?? true;
    this.epochLevel = options.epochLevel ?? true;
    this.stepTransform = options.stepTransform ?? (() => []);
    this.name = options.name ?? null;
    this.logger = getLogger(this.name ?? 'LrScheduleHandler');
  }

  attach(engine: Engine): void {
    if (this.name === null) this.logger = getLogger(engineLoggerName(engine));
    engine.addEventHandler(this.epochLevel ? Events.EPOCH_COMPLETED : Events.ITERATION_COMPLETED, this.call);
  }

  readonly call = (engine: Engine): void => {
    const a = this.stepTransform(engine);
    const args = (Array.isArray(a) ? a : [a]) as never[];
    this.lrScheduler.step(...args);
    if (this.printLr) this.logger.info(`Current learning rate: ${pyStr(this.lrScheduler.getLastLr()[0])}`);
  };
}
