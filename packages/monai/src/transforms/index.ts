// monai.transforms: bases, Compose and every transform family. Families add one `export *` line each.
export * from './transform.js';
export * from './compose.js';
export * from './io/index.js';
export * from './post/index.js';
export * from './intensity/index.js';
export * from './spatial/index.js';
export * from './lazy/index.js';
export * from './croppad/index.js';
export * from './utils.js';
export * from './utility/index.js';
export { describeTransform, reviveTransform, releaseDescription, registerTransforms, loadTransformRegistry, registeredModules, registerFunctionRefs, FunctionRef, NotPortableError, type TransformDescription, type FunctionSpec, type DescribeOptions } from './serialize.js';
