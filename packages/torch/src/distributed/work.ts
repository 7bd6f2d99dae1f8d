// The handle of a collective started with asyncOp: wait() resolves when it is done without blocking
// the event loop (c10d's Work::wait runs on a libuv pool thread); waitSync() blocks, as PyTorch's wait().
import { dist, type NativeHandle } from './native.js';

export class Work {
  /** The c10d work. Internal. */
  readonly _h: NativeHandle;
  /** What to do once the work succeeded (e.g. copy a result into the caller's tensors). Internal. */
  private _then: (() => void) | null;
  private _settled = false;

  constructor(h: NativeHandle, then: (() => void) | null = null) {
    this._h = h;
    this._then = then;
  }

  /** Resolves when the operation is done; rejects with an error naming the operation, rank and world size. */
  async wait(): Promise<true> {
    await dist.workWait(this._h);
    this._finish();
    return true;
  }

  /**
   * Blocks until the operation is done (or timeoutMs passes: then throws). Returns true, as PyTorch's
   * Work.wait(). Errors name the operation, rank and world size.
   */
  waitSync(timeoutMs?: number): true {
    dist.workWaitSync(this._h, timeoutMs ?? null);
    this._finish();
    return true;
  }

  /** Whether the operation finished (successfully or not); does not wait. */
  isCompleted(): boolean {
    return dist.workIsCompleted(this._h);
  }

  /** True once finished without error. */
  isSuccess(): boolean {
    const [done, ok] = dist.workState(this._h);
    return done && ok;
  }

  /** The failure of a finished operation as an Error, else null. */
  exception(): Error | null {
    const [done, ok, msg] = dist.workState(this._h);
    return done && !ok ? new Error(msg ?? 'unknown error') : null;
  }

  /** For a recv from any source: the rank that sent. */
  sourceRank(): number {
    return dist.workState(this._h)[3];
  }

  private _finish(): void {
    if (this._settled) return;
    this._settled = true;
    const f = this._then;
    this._then = null;
    f?.();
  }
}
