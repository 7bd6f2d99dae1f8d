// ADN: activation, dropout and normalisation in a chosen order (MONAI's monai/networks/blocks/acti_norm.py).
import { checkOptions } from '../../data/options.js';
import { Chain } from '../layers/chain.js';
import { getActLayer, getDropoutLayer, getNormLayer, layerFromOption, type DropoutSpec, type LayerSpec } from '../layers/utils.js';

export interface ADNOptions {
  /** Letters 'N', 'D', 'A' in application order (default 'NDA'); a letter whose layer is null is skipped. */
  ordering?: string;
  /** Channels, for normalisations that need them. */
  inChannels?: number | null;
  act?: LayerSpec | null;
  norm?: LayerSpec | null;
  normDim?: number | null;
  dropout?: DropoutSpec | null;
  dropoutDim?: number | null;
}
const KEYS = ['ordering', 'inChannels', 'act', 'norm', 'normDim', 'dropout', 'dropoutDim'];

/** Submodules are named 'N', 'D', 'A' as in MONAI, so state-dict keys match (e.g. 'adn.N.weight'). */
export class ADN extends Chain {
  constructor(options: ADNOptions = {}) {
    super();
    checkOptions('ADN', options, KEYS);
    const act = options.act === undefined ? 'relu' : options.act;
    const norm = options.norm ?? null;
    const dropout = options.dropout ?? null;
    const normDim = options.normDim ?? null;
    const dropoutDim = options.dropoutDim ?? null;
    const layers: Record<string, ReturnType<typeof getActLayer> | null> = { A: null, D: null, N: null };
    for (const c of (options.ordering ?? 'NDA').toUpperCase()) {
      if (!(c in layers)) throw new TypeError(`ADN: ordering must be made of the letters N, D, A, found '${c}' in '${options.ordering}'`);
    }
    try {
      this.build(layers, options, act, norm, dropout, normDim, dropoutDim);
    } catch (e) {
      // Nothing is registered yet: free what was built before the failure.
      for (const l of Object.values(layers)) l?.dispose();
      throw e;
    }
    for (const c of (options.ordering ?? 'NDA').toUpperCase()) {
      const l = layers[c];
      if (l) this.registerModule(c, l);
    }
  }

  private build(layers: Record<string, ReturnType<typeof getActLayer> | null>, options: ADNOptions, act: LayerSpec | null, norm: LayerSpec | null, dropout: DropoutSpec | null, normDim: number | null, dropoutDim: number | null): void {
    if (norm !== null) {
      if (normDim === null && dropoutDim === null) throw new TypeError('ADN: normDim or dropoutDim must be given with norm');
      layers.N = layerFromOption('ADN', 'norm', () => getNormLayer(norm, normDim ?? dropoutDim ?? 1, options.inChannels ?? 1));
    }
    if (act !== null) layers.A = layerFromOption('ADN', 'act', () => getActLayer(act));
    if (dropout !== null) {
      if (normDim === null && dropoutDim === null) throw new TypeError('ADN: normDim or dropoutDim must be given with dropout');
      layers.D = layerFromOption('ADN', 'dropout', () => getDropoutLayer(dropout, dropoutDim ?? normDim ?? 1));
    }
  }
}
