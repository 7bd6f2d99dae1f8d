// Copies a rank's output to the launcher's, one whole line at a time with "[rank N]:" in front, so lines
// of different ranks never interleave mid-line. Works on bytes: a UTF-8 character split across chunks
// stays intact because only '\n' bytes are cut at.
import type { Writable } from 'node:stream';

export class LinePrefixer {
  private pending: Buffer[] = [];
  private readonly prefix: Buffer;

  constructor(
    prefix: string,
    private readonly out: Writable,
  ) {
    this.prefix = Buffer.from(prefix);
  }

  write(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
      this.out.write(Buffer.concat([this.prefix, ...this.pending, chunk.subarray(start, nl + 1)]));
      this.pending = [];
      start = nl + 1;
    }
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
  }

  /** Writes a last line that had no newline. */
  end(): void {
    if (this.pending.length) this.out.write(Buffer.concat([this.prefix, ...this.pending, Buffer.from('\n')]));
    this.pending = [];
  }
}
