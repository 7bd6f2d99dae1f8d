// This process's rank when torch.distributed is initialized, else 0. Looked up by feature, so the
// handlers work with a torch binding built without distributed support.
import * as torch from '@monai-ts/torch';

interface DistLike {
  isInitialized?: () => boolean;
  getRank?: () => number;
}

export function distributedRank(): number {
  const d = (torch as unknown as { distributed?: DistLike }).distributed;
  if (!d || typeof d.isInitialized !== 'function' || typeof d.getRank !== 'function') return 0;
  return d.isInitialized() ? d.getRank() : 0;
}
