// The recipe's network (MONAI's tutorial UNet) and loading a trained model for inference: a PyTorch .pt
// state dict (torch.save(model.state_dict()) as the tutorial writes, or a checkpoint dict holding one
// under 'network'/'model'/'state_dict'), or a TorchScript archive (torch.jit.save).
import * as fs from 'node:fs';
import * as torch from '@monai-ts/torch';
import { Tensor } from '@monai-ts/torch';
import { UNet } from '../../networks/nets/unet.js';
import type { SpleenConfig } from './config.js';

export type NetworkConfig = Pick<SpleenConfig, 'channels' | 'strides' | 'numResUnits' | 'norm'>;

export function buildSpleenUNet(cfg: NetworkConfig): UNet {
  return new UNet({
    spatialDims: 3, inChannels: 1, outChannels: 2, channels: cfg.channels, strides: cfg.strides.slice(0, cfg.channels.length - 1),
    numResUnits: cfg.numResUnits, norm: cfg.norm,
  });
}

/** A network ready to predict: forward on [B, 1, *spatial] gives logits [B, 2, *spatial]. */
export interface LoadedModel {
  forward(x: Tensor): Tensor;
  kind: 'state_dict' | 'torchscript';
  dispose(): void;
}

/** A TorchScript archive is a zip holding a code/ folder (torch.jit.save); a state dict's zip has data.pkl only. */
function isTorchScript(file: string): boolean {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.readUInt32LE(0) !== 0x04034b50) return false;
  const bytes = fs.readFileSync(file);
  return bytes.includes(Buffer.from('/code/')) && bytes.includes(Buffer.from('constants.pkl'));
}

const STATE_KEYS = ['network', 'model', 'state_dict', 'net'];

/** Finds the state dict in what torch.load gave: the dict itself, or an entry of a checkpoint dict. */
function stateDictOf(obj: unknown, file: string): Record<string, Tensor> {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`model ${file}: expected a state dict (parameter name -> tensor), found ${Array.isArray(obj) ? 'a list' : typeof obj}`);
  const o = obj as Record<string, unknown>;
  const values = Object.values(o);
  if (values.length && values.every((v) => v instanceof Tensor)) return o as Record<string, Tensor>;
  for (const k of STATE_KEYS) if (o[k] && typeof o[k] === 'object') return stateDictOf(o[k], file);
  throw new Error(`model ${file}: no state dict found (top-level keys: ${Object.keys(o).join(', ') || 'none'}; expected tensors or one of ${STATE_KEYS.join(', ')})`);
}

/** Loads a model file onto `device`; a state dict goes into the recipe's UNet built from `net`. */
export function loadSpleenModel(file: string, net: NetworkConfig, device: string): LoadedModel {
  if (!fs.existsSync(file)) throw new Error(`model ${file}: no such file`);
  if (isTorchScript(file)) {
    const m = torch.jit.load(file, { mapLocation: device as torch.Device });
    m.eval();
    return { kind: 'torchscript', forward: (x) => m.forward(x) as Tensor, dispose: () => m.dispose() };
  }
  const loaded = torch.load(file);
  const model = buildSpleenUNet(net);
  try {
    const sd = stateDictOf(loaded, file);
    try {
      model.loadStateDict(sd);
    } catch (err) {
      throw new Error(`model ${file}: the state dict does not fit UNet(channels ${JSON.stringify(net.channels)}, numResUnits ${net.numResUnits}, norm ${net.norm}): ${(err as Error).message}`, { cause: err });
    }
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    torch.dispose(loaded);
  }
  model.to(device as torch.Device);
  model.eval();
  return { kind: 'state_dict', forward: (x) => model.forward(x), dispose: () => model.dispose() };
}
