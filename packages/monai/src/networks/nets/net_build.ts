// Building a network from options can fail part way (an unknown norm name in the tenth block): the
// layers built so far hold parameters that JS scopes do not free, so the network frees them before
// the error leaves its constructor.
import type { nn } from '@monai-ts/torch';

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
