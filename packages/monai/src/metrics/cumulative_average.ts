// A running average of values appended over time (MONAI monai/metrics/cumulative_average.py), e.g. a
// loss over an epoch; non-finite inputs are left out (with a warning), elementwise for tensors.
import * as torch from '@monai-ts/torch';
import type { Tensor } from '@monai-ts/torch';

export class CumulativeAverage {
  private val: Tensor | null = null;
  private sum: Tensor | null = null;
  private count: Tensor | null = null;

  /** Forgets everything appended and frees the running tensors. */
  reset(): void {
    torch.dispose([this.val, this.sum, this.count]);
    this.val = this.sum = this.count = null;
  }

  /** Adds `val` (a number or tensor) `count` times (a number, or a tensor of val's shape). */
  append(val: number | number[] | Tensor, count: number | number[] | Tensor = 1): void {
    torch.tidy(() => {
      const v = (val instanceof torch.Tensor ? val.detach().to('float32').clone() : torch.tensor(val, { dtype: 'float32' })).cpu();
      const c = count instanceof torch.Tensor ? count.detach().to('float32').cpu() : torch.tensor(count, { dtype: 'float32' });
      if (c.dim() > 0 && c.shape.join() !== v.shape.join())
        throw new RangeError(`CumulativeAverage.append: count must be one number or have val's shape [${v.shape}], found [${c.shape}]`);
      let weighted = c.mul(v);
      let cnt = c;
      const finite = weighted.isfinite();
      if (!Boolean(finite.all().item())) {
        process.emitWarning(`non-finite inputs received: val: ${JSON.stringify(weighted.tolist())}, count: ${JSON.stringify(c.tolist())}`, { type: 'UserWarning' });
        cnt = torch.where(finite, c, 0);
        weighted = torch.where(finite, weighted, 0);
      }
      const sum = this.sum === null ? weighted : this.sum.add(weighted);
      const total = this.count === null ? cnt : this.count.add(cnt);
      torch.dispose([this.val, this.sum, this.count]);
      this.val = torch.keep(v);
      this.sum = torch.keep(sum.to('float32'));
      this.count = torch.keep(total.to('float32'));
    });
  }

  /** The last appended value (non-finite entries as 0), a new tensor; 0 before any append. */
  getCurrent(): Tensor | number {
    if (this.val === null) return 0;
    const v = this.val;
    return torch.tidy(() => torch.where(v.isfinite(), v, 0));
  }

  /** sum / count of everything appended (the sum where the count is 0), a new tensor; 0 before any append. */
  aggregate(): Tensor | number {
    if (this.sum === null || this.count === null) return 0;
    const [s, c] = [this.sum, this.count];
    return torch.tidy(() => torch.where(c.gt(0), s.div(c), s));
  }
}
