// Classifier, Discriminator and Critic (MONAI's monai/networks/nets/classifier.py): Regressors to
// `classes` values, optionally with a last activation ('final.lastact').
import { nn, Tensor } from '@monai-ts/torch';
import { checkOptions } from '../../data/options.js';
import { Chain, runChain } from '../layers/chain.js';
import { getActLayer, layerFromOption, type DropoutSpec, type LayerSpec } from '../layers/utils.js';
import { Regressor, REGRESSOR_KEYS } from './regressor.js';
import { checkInputChannels } from './checks.js';

type IntOrSeq = number | number[];

export interface ClassifierOptions {
  inShape: number[];
  classes: number;
  channels: number[];
  strides: IntOrSeq[];
  kernelSize?: IntOrSeq;
  numResUnits?: number;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  dropout?: DropoutSpec | null;
  bias?: boolean;
  /** Activation after the linear layer (none by default). */
  lastAct?: LayerSpec | null;
}
const CLASSIFIER_KEYS = ['inShape', 'classes', 'channels', 'strides', 'kernelSize', 'numResUnits', 'act', 'norm', 'dropout', 'bias', 'lastAct'];

function regressorOptions(o: ClassifierOptions | DiscriminatorOptions, classes: number) {
  const { lastAct: _l, classes: _c, ...rest } = o as ClassifierOptions;
  return { ...rest, outShape: [classes] };
}

export class Classifier extends Regressor {
  constructor(options: ClassifierOptions) {
    super(regressorOptions(checked(new.target.name, options), options.classes), new.target.name, [...REGRESSOR_KEYS, 'outShape']);
    const lastAct = options.lastAct ?? null;
    if (lastAct !== null) {
      try {
        this.final.registerModule('lastact', layerFromOption(new.target.name, 'lastAct', () => getActLayer(lastAct)));
      } catch (e) {
        this.dispose();
        throw e;
      }
    }
  }
}

/** Checks Classifier's own options before they are rewritten for Regressor. */
function checked(owner: string, options: ClassifierOptions): ClassifierOptions {
  checkOptions(owner, options, CLASSIFIER_KEYS, ['inShape', 'classes', 'channels', 'strides']);
  return options;
}

export interface DiscriminatorOptions {
  inShape: number[];
  channels: number[];
  strides: IntOrSeq[];
  kernelSize?: IntOrSeq;
  numResUnits?: number;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  /** Default 0.25. */
  dropout?: DropoutSpec | null;
  bias?: boolean;
  /** Default 'sigmoid'. */
  lastAct?: LayerSpec | null;
}

/** A one-output Classifier with dropout 0.25 and a sigmoid by default. */
export class Discriminator extends Classifier {
  constructor(options: DiscriminatorOptions) {
    super({ ...options, classes: 1, dropout: options.dropout === undefined ? 0.25 : options.dropout, lastAct: options.lastAct === undefined ? 'sigmoid' : options.lastAct });
  }
}

/** A Classifier without the linear layer: the mean of the flattened last feature map, (B, 1). */
export class Critic extends Classifier {
  constructor(options: Omit<DiscriminatorOptions, 'lastAct'>) {
    super({ ...options, classes: 1, dropout: options.dropout === undefined ? 0.25 : options.dropout, lastAct: null });
  }
  protected override getFinalLayer(_inShape: number[]): Chain {
    return new Chain(new nn.Flatten());
  }
  override forward(x: Tensor): Tensor {
    checkInputChannels('Critic', x, this.inChannels, this.dimensions);
    const y = runChain([this.net, this.final], x);
    try {
      const m = y.mean(1);
      try {
        return m.reshape([m.size(0), -1]);
      } finally {
        m.dispose();
      }
    } finally {
      y.dispose();
    }
  }
}
