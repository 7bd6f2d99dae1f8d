// MONAI's SmartCacheHandler: drives a SmartCacheDataset from an engine's events, so its cache window
// moves once per epoch — start() when the run starts, updateCache() after each epoch, shutdown() at the end.
import { SmartCacheDataset } from '../data/smart_cache.js';
import { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';

export class SmartCacheHandler {
  readonly smartcacher: SmartCacheDataset;

  constructor(smartcacher: SmartCacheDataset) {
    if (!(smartcacher instanceof SmartCacheDataset))
      throw new TypeError(`SmartCacheHandler: smartcacher must be a SmartCacheDataset, found ${smartcacher === null ? 'null' : (smartcacher as object)?.constructor?.name ?? typeof smartcacher}`);
    this.smartcacher = smartcacher;
  }

  /** Registers the handler on a trainer or evaluator. */
  attach(engine: Engine): void {
    engine.addEventHandler(Events.STARTED, this.started);
    engine.addEventHandler(Events.EPOCH_COMPLETED, this.epochCompleted);
    engine.addEventHandler(Events.COMPLETED, this.completed);
  }

  /** Starts the replacement work of the dataset. */
  readonly started = (_engine: Engine): void => this.smartcacher.start();

  /** Swaps the replacement items into the cache for the next epoch. */
  readonly epochCompleted = (_engine: Engine): void => this.smartcacher.updateCache();

  /** Stops the replacement work and resets the dataset's window. */
  readonly completed = (_engine: Engine): void => this.smartcacher.shutdown();
}
