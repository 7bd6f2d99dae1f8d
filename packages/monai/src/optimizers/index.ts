// monai-ts optimizers (MONAI monai/optimizers).
export { Novograd, type NovogradOptions } from './novograd.js';
