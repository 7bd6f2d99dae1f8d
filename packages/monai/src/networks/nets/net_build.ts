// Building a network from options can fail part way (an unknown norm name in the tenth block): the
// layers built so far hold parameters that JS scopes do not free, so the network frees them before
// the error leaves its constructor.
import type { nn } from '@monai-ts/torch';
import { getActLayer, getDropoutLayer, getNormLayer, layerFromOption, type LayerSpec } from '../layers/utils.js';

/** Runs build(); on an error disposes every tensor registered on `net` so far and prefixes the owner's name. */
export function buildOrDispose(owner: string, net: nn.Module, build: () => void): void {
  try {
    build();
  } catch (e) {
    net.dispose();
    if (e instanceof Error && !e.message.startsWith(`${owner}:`)) e.message = `${owner}: ${e.message}`;
    throw e;
  }
}

/**
 * Builds each named layer once and frees it, so an unknown name or bad layer option is reported
 * (as "<owner>: option '<option>': ...") before any parameter is allocated.
 */
export function checkLayerSpecs(owner: string, specs: { option: string; kind: 'norm' | 'act' | 'dropout'; spec: LayerSpec | number | null | undefined; dims?: number }[]): void {
  for (const { option, kind, spec, dims } of specs) {
    if (spec === null || spec === undefined) continue;
    const layer = layerFromOption(owner, option, () =>
      kind === 'norm' ? getNormLayer(spec as LayerSpec, dims ?? 1, 8) : kind === 'act' ? getActLayer(spec as LayerSpec) : getDropoutLayer(spec as LayerSpec | number, dims ?? 1));
    layer.dispose();
  }
}
