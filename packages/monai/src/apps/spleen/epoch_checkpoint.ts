// The recipe's per-epoch checkpoint ("checkpoint_epoch=N.pt", the latest one kept) written off the training
// loop's critical path: the state dicts are serialized to memory when the epoch completes (a snapshot, so
// the next steps cannot change what is saved), and the file is written, fsynced and renamed into place on
// libuv's threads while training goes on. The previous epoch file is removed only after its successor is in
// place, so a crash always leaves a complete checkpoint. Writes run one after another; flush() waits for
// them and reports the first failure.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as torch from '@monai-ts/torch';

export const EPOCH_FILE = /^checkpoint_epoch=(\d+)\.pt$/;

interface StateDictLike {
  stateDict(): unknown;
}

export class BackgroundEpochCheckpoint {
  private pending: Promise<void> = Promise.resolve();
  private failure: Error | null = null;

  constructor(
    private readonly dir: string,
    private readonly saveDict: Record<string, StateDictLike>,
  ) {}

  /** Snapshots the state dicts now and queues the file write; throws an earlier write's failure. */
  save(epoch: number): void {
    if (this.failure) throw this.failure;
    let bytes: Uint8Array | null = null;
    torch.tidy(() => {
      const ckpt: Record<string, unknown> = {};
      for (const [k, obj] of Object.entries(this.saveDict)) ckpt[k] = obj.stateDict();
      bytes = torch.serialization.saveToBuffer(ckpt); // copies tensor data: later in-place updates do not reach it
      return undefined;
    });
    const target = path.join(this.dir, `checkpoint_epoch=${epoch}.pt`);
    const data = bytes as unknown as Uint8Array;
    this.pending = this.pending
      .then(() => (this.failure ? undefined : this.write(target, data)))
      .catch((e: unknown) => {
        this.failure ??= new Error(`epoch checkpoint: could not write '${target}': ${(e as Error).message}`, { cause: e });
      });
  }

  /** Waits for queued writes; throws the first failure. */
  async flush(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }

  private async write(target: string, data: Uint8Array): Promise<void> {
    const tmp = path.join(this.dir, `.${path.basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    try {
      const fh = await fsp.open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, target);
    } catch (e) {
      await fsp.rm(tmp, { force: true });
      throw e;
    }
    // the rename made durable (best effort), then older epoch files (also an earlier run's) go
    try {
      const dh = await fsp.open(this.dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch {
      /* not every platform can fsync a folder */
    }
    for (const f of await fsp.readdir(this.dir)) {
      if (EPOCH_FILE.test(f) && path.join(this.dir, f) !== target) await fsp.rm(path.join(this.dir, f), { force: true });
    }
  }
}
