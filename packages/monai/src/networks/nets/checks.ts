// Input checks shared by the networks: a wrong channel count or rank is reported by the network and
// option it contradicts, instead of as a convolution's shape error deep inside.
import type { Tensor } from '@monai-ts/torch';

/** Throws unless x is (B, inChannels, spatial...) with `spatialDims` spatial dimensions. */
export function checkInputChannels(owner: string, x: Tensor, inChannels: number, spatialDims: number): void {
  if (x.dim() !== spatialDims + 2)
    throw new RangeError(`${owner}: expected a (batch, channel, ${spatialDims} spatial) input of ${spatialDims + 2} dimensions for spatialDims=${spatialDims}, found shape [${x.shape.join(', ')}]`);
  if (x.size(1) !== inChannels)
    throw new RangeError(`${owner}: input has ${x.size(1)} channels (shape [${x.shape.join(', ')}]), expected inChannels=${inChannels}`);
}
