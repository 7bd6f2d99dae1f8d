// MONAI's CheckpointLoader: at STARTED, loads a .pt checkpoint (ours or PyTorch's) into loadDict's
// objects: modules with strict key/shape checks, optimizers, schedulers, grad scalers, the engine itself
// (iteration and epoch, so the run resumes there) and a CheckpointSaver's key metric list. A file of one
// object's state dict (as CheckpointSaver writes for a single-entry saveDict) loads into a single entry.
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { checkOptions } from '../data/options.js';
import type { Engine } from '../engines/engine.js';
import { Events } from '../engines/events.js';
import { engineLoggerName, getLogger, type Logger } from './logging.js';

export interface LoadStateDictLike {
  loadStateDict(stateDict: never, options?: never): unknown;
}

export interface CheckpointLoaderOptions {
  loadPath: string;
  loadDict: Record<string, LoadStateDictLike>;
  /** logger name (getLogger(name)); null: the engine's logger */
  name?: string | null;
  /** device the loaded tensors go to ('cpu', 'cuda:0'); default: where they were saved */
  mapLocation?: string | null;
  /** keys and shapes of modules must match the checkpoint (default true) */
  strict?: boolean;
  /** false: load only the module entries whose shapes match, skip the other objects (implies strict false) */
  strictShape?: boolean;
}
const KEYS = ['loadPath', 'loadDict', 'name', 'mapLocation', 'strict', 'strictShape'];

const isDict = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x) && !(x instanceof Tensor) && !(x instanceof Map);

export class CheckpointLoader {
  readonly loadPath: string;
  readonly loadDict: Record<string, LoadStateDictLike>;
  readonly mapLocation: string | null;
  readonly strict: boolean;
  readonly strictShape: boolean;
  logger: Logger;
  private readonly name: string | null;

  constructor(options: CheckpointLoaderOptions) {
    checkOptions('CheckpointLoader', options, KEYS, ['loadPath', 'loadDict']);
    const o = options;
    if (typeof o.loadPath !== 'string' || !o.loadPath) throw new TypeError(`CheckpointLoader: loadPath must be the checkpoint file's path, found ${JSON.stringify(o.loadPath)}`);
    if (!o.loadDict || typeof o.loadDict !== 'object' || !Object.keys(o.loadDict).length) throw new Error('CheckpointLoader: loadDict must name at least one object to load, e.g. {network}');
    for (const [k, v] of Object.entries(o.loadDict)) {
      if (!v || typeof (v as LoadStateDictLike).loadStateDict !== 'function') throw new TypeError(`CheckpointLoader: loadDict.${k} has no loadStateDict() (found ${v === null ? 'null' : typeof v})`);
    }
    this.loadPath = o.loadPath;
    this.loadDict = { ...o.loadDict };
    this.name = o.name ?? null;
    this.logger = getLogger(this.name ?? 'CheckpointLoader');
    this.mapLocation = o.mapLocation ?? null;
    let strict = o.strict ?? true;
    this.strictShape = o.strictShape ?? true;
    if (strict && !this.strictShape) {
      process.emitWarning('CheckpointLoader: strictShape is false, so strict is set to false too');
      strict = false;
    }
    this.strict = strict;
  }

  attach(engine: Engine): void {
    if (this.name === null) this.logger = getLogger(engineLoggerName(engine));
    engine.addEventHandler(Events.STARTED, this.call);
  }

  /** Loads the checkpoint into the objects now (the handler's work; also callable by hand). */
  readonly call = (engine: Engine): void => {
    const raw = torch.load(this.loadPath, this.mapLocation ? { device: this.mapLocation } : {});
    try {
      if (!isDict(raw)) throw new Error(`CheckpointLoader: '${this.loadPath}' holds ${Array.isArray(raw) ? 'a list' : typeof raw}, expected a dict of state dicts`);
      const keys = Object.keys(this.loadDict);
      // a shallow copy: entries replaced below stay reachable from raw, which is freed at the end
      const ckpt: Record<string, unknown> = keys.length === 1 && !(keys[0] in raw) ? { [keys[0]]: raw } : { ...raw };
      const toLoad = { ...this.loadDict };
      if (!this.strictShape) {
        for (const [k, obj] of Object.entries(toLoad)) {
          if (obj instanceof torch.nn.Module) {
            if (k in ckpt) ckpt[k] = this.shapeMatched(obj, ckpt[k], k);
          } else {
            process.emitWarning(`CheckpointLoader: strictShape is false, so only modules are loaded; skipping '${k}'`);
            delete toLoad[k];
          }
        }
      }
      const missing = Object.keys(toLoad).filter((k) => !(k in ckpt));
      if (missing.length) throw new Error(`CheckpointLoader: '${this.loadPath}' has no entry for ${missing.map((k) => `'${k}'`).join(', ')} (it has: ${Object.keys(ckpt).join(', ') || 'nothing'})`);
      const priorMaxEpochs = engine.state.maxEpochs;
      for (const [k, obj] of Object.entries(toLoad)) {
        try {
          if (obj instanceof torch.nn.Module) obj.loadStateDict(ckpt[k] as never, { strict: this.strict });
          else obj.loadStateDict(ckpt[k] as never);
        } catch (err) {
          throw new Error(`CheckpointLoader: loading '${k}' from '${this.loadPath}' failed: ${(err as Error).message}`, { cause: err });
        }
      }
      if (priorMaxEpochs !== null && engine.state.epoch > priorMaxEpochs) {
        throw new Error(
          `CheckpointLoader: the epoch count in the checkpoint (${engine.state.epoch}) is larger than the engine's maxEpochs (${priorMaxEpochs}); ` +
            "to train further, construct the trainer with a larger maxEpochs; for inference, don't load the engine's state",
        );
      }
      engine.state.maxEpochs = priorMaxEpochs;
      this.logger.info(`Restored all variables from ${this.loadPath}`);
    } finally {
      torch.dispose(raw);
    }
  };

  /** The checkpoint's entries of this module whose names and shapes match the module's own. */
  private shapeMatched(module: torch.nn.Module, sd: unknown, key: string): Record<string, unknown> {
    if (!isDict(sd)) throw new Error(`CheckpointLoader: entry '${key}' of '${this.loadPath}' is not a state dict`);
    const own = torch.tidy(() => new Map(Object.entries(module.stateDict()).map(([n, t]) => [n, (t as Tensor).shape])));
    const out: Record<string, unknown> = {};
    for (const [n, v] of Object.entries(sd)) {
      const shape = own.get(n);
      if (shape && v instanceof Tensor && v.shape.length === shape.length && v.shape.every((d, i) => d === shape[i])) out[n] = v;
    }
    return out;
  }
}
