// monai-ts: MONAI for TypeScript. The tensor layer is re-exported as `torch`.
export * as torch from '@monai-ts/torch';
