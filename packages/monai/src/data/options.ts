/** Option-object checking with "did you mean" hints (DESIGN.md: unknown keys throw): one implementation, in @monai-ts/torch. */
export { didYouMean, checkOptions, checkChoice, suggestion } from '@monai-ts/torch';
