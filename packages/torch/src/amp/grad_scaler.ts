// GradScaler: dynamic loss scaling for mixed-precision training, after PyTorch 1.13's
// torch/cuda/amp/grad_scaler.py.
//
// Device-agnostic: PyTorch 1.13's GradScaler is CUDA-only (it disables itself with a warning when
// CUDA is unavailable, and its two kernels have no CPU implementation). Here the same algorithm runs
// on any device: on CUDA it calls libtorch's kernels (_amp_foreach_non_finite_check_and_unscale_,
// _amp_update_scale_); elsewhere it runs a transcription of those kernels (AmpKernels.cu) with
// ordinary ops: found_inf becomes 1 when any gradient element is inf or nan, every gradient is
// multiplied by the float32 inverse scale, and the scale is updated in float32 as
//   found_inf:  scale *= backoffFactor, tracker = 0
//   otherwise:  tracker += 1; when tracker == growthInterval, scale *= growthFactor (if finite), tracker = 0.
// This is what torch.amp.GradScaler('cpu') in PyTorch >= 2.3 does too.
import * as torch from '../core.js';
import { Tensor } from '../tensor.js';
import type { Optimizer } from '../optim/optimizer.js';

export interface GradScalerOptions {
  /** Initial scale (default 2**16). */
  initScale?: number;
  /** Factor applied after growthInterval consecutive steps without inf/nan (default 2). */
  growthFactor?: number;
  /** Factor applied when a step finds inf/nan gradients (default 0.5). */
  backoffFactor?: number;
  /** Steps without inf/nan between growths (default 2000). */
  growthInterval?: number;
  /** When false, every method is a pass-through (default true). */
  enabled?: boolean;
}

export enum OptState {
  READY = 0,
  UNSCALED = 1,
  STEPPED = 2,
}

interface PerOptimizer {
  stage: OptState;
  /** device -> found_inf (float32, shape [1]) */
  foundInfPerDevice: Map<string, Tensor>;
}

/** State in PyTorch's form: { scale, growth_factor, backoff_factor, growth_interval, _growth_tracker } (empty when disabled). */
export interface GradScalerStateDict {
  scale?: number;
  growth_factor?: number;
  backoff_factor?: number;
  growth_interval?: number;
  _growth_tracker?: number;
}

type Scaled<T> = T extends Tensor ? Tensor : T extends readonly unknown[] ? { [K in keyof T]: Scaled<T[K]> } : never;

const KEYS = ['initScale', 'growthFactor', 'backoffFactor', 'growthInterval', 'enabled'];

export class GradScaler {
  private enabled: boolean;
  private initScale = 2 ** 16;
  private growthFactor = 2.0;
  private backoffFactor = 0.5;
  private growthInterval = 2000;
  private initGrowthTracker = 0;
  private _scale: Tensor | null = null;
  private _growthTracker: Tensor | null = null;
  private perOptimizer = new Map<Optimizer, PerOptimizer>();

  constructor(options: GradScalerOptions = {}) {
    for (const k of Object.keys(options))
      if (!KEYS.includes(k)) throw new TypeError(`GradScaler: unknown option '${k}'; expected one of ${KEYS.join(', ')}`);
    this.enabled = options.enabled ?? true;
    if (this.enabled) {
      this.initScale = options.initScale ?? 2 ** 16;
      this.growthFactor = options.growthFactor ?? 2.0;
      this.backoffFactor = options.backoffFactor ?? 0.5;
      this.growthInterval = options.growthInterval ?? 2000;
      if (!(this.growthFactor > 1.0)) throw new RangeError('GradScaler: the growth factor must be > 1.0.');
      if (!(this.backoffFactor < 1.0)) throw new RangeError('GradScaler: the backoff factor must be < 1.0.');
    }
  }

  private stateFor(optimizer: Optimizer): PerOptimizer {
    let s = this.perOptimizer.get(optimizer);
    if (!s) {
      s = { stage: OptState.READY, foundInfPerDevice: new Map() };
      this.perOptimizer.set(optimizer, s);
    }
    return s;
  }

  private check(what: string): [Tensor, Tensor] {
    const fix = 'This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.';
    if (this._scale === null) throw new Error(`Attempted ${what} but _scale is None.  ${fix}`);
    if (this._growthTracker === null) throw new Error(`Attempted ${what} but _growth_tracker is None.  ${fix}`);
    return [this._scale, this._growthTracker];
  }

  private lazyInit(device: string): void {
    this._scale = torch.keep(torch.full([1], this.initScale, { dtype: 'float32', device }));
    this._growthTracker = torch.keep(torch.full([1], this.initGrowthTracker, { dtype: 'int32', device }));
  }

  /**
   * Multiplies outputs (a tensor, or nested arrays of tensors) by the scale factor. Returns new
   * tensors (the caller owns them); returns outputs unchanged when disabled.
   */
  scale(outputs: Tensor): Tensor;
  scale<T extends readonly unknown[]>(outputs: T): Scaled<T>;
  scale<T extends Tensor | readonly unknown[]>(outputs: T): Scaled<T> {
    if (!this.enabled) return outputs as unknown as Scaled<T>;
    const apply = (v: unknown): unknown => {
      if (v instanceof Tensor) {
        if (this._scale === null) this.lazyInit(v.device);
        return torch.tidy(() => v.mul(this._scale!.to(v.device)));
      }
      if (Array.isArray(v)) return v.map(apply);
      throw new TypeError('GradScaler.scale: outputs must be a Tensor or an array of Tensors');
    };
    return apply(outputs) as Scaled<T>;
  }

  private unscaleGrads(optimizer: Optimizer, invScale: Tensor, foundInf: Tensor, allowFp16: boolean): Map<string, Tensor> {
    const perDevice = new Map<string, Tensor>();
    torch.noGrad(() =>
      torch.tidy(() => {
        const byDevice = new Map<string, Map<string, Tensor[]>>();
        for (const group of optimizer.paramGroups) {
          for (const p of group.params) {
            const g = p.grad;
            if (g === null) continue;
            if (!allowFp16 && g.dtype === 'float16') throw new TypeError('Attempting to unscale FP16 gradients.');
            const dev = g.device;
            let byDtype = byDevice.get(dev);
            if (!byDtype) byDevice.set(dev, (byDtype = new Map()));
            const list = byDtype.get(g.dtype) ?? [];
            list.push(g);
            byDtype.set(g.dtype, list);
          }
        }
        for (const [dev, byDtype] of byDevice) {
          // like _MultiDeviceReplicator: one copy of found_inf and inv_scale per device
          const fi = torch.keep(foundInf.to({ device: dev, copy: true }));
          perDevice.set(dev, fi);
          const inv = invScale.to({ device: dev, copy: true });
          for (const grads of byDtype.values()) nonFiniteCheckAndUnscale(grads, fi, inv);
        }
      }),
    );
    return perDevice;
  }

  /** Divides ("unscales") the optimizer's gradients by the scale, recording whether any is inf/nan. */
  unscale_(optimizer: Optimizer): void {
    if (!this.enabled) return;
    this.check('unscale_');
    const st = this.stateFor(optimizer);
    if (st.stage === OptState.UNSCALED) throw new Error('unscale_() has already been called on this optimizer since the last update().');
    if (st.stage === OptState.STEPPED) throw new Error('unscale_() is being called after step().');
    const scale = this._scale!;
    torch.tidy(() => {
      const invScale = scale.double().reciprocal().float();
      const foundInf = torch.full([1], 0.0, { dtype: 'float32', device: scale.device });
      disposeAll(st.foundInfPerDevice);
      st.foundInfPerDevice = this.unscaleGrads(optimizer, invScale, foundInf, false);
    });
    st.stage = OptState.UNSCALED;
  }

  /**
   * Unscales the gradients (unless unscale_ was called this iteration) and runs optimizer.step()
   * unless they contain inf or nan, in which case the step is skipped. Extra arguments go to
   * optimizer.step(). Returns step()'s result, or undefined when skipped.
   */
  step<T = unknown>(optimizer: Optimizer, ...args: unknown[]): T | undefined {
    const run = () => (optimizer.step as (...a: unknown[]) => T | undefined).apply(optimizer, args);
    if (!this.enabled) return run();
    this.check('step');
    const st = this.stateFor(optimizer);
    if (st.stage === OptState.STEPPED) throw new Error('step() has already been called since the last update().');
    if (st.stage === OptState.READY) this.unscale_(optimizer);
    if (st.foundInfPerDevice.size === 0) throw new Error('No inf checks were recorded for this optimizer.');
    let found = 0;
    for (const v of st.foundInfPerDevice.values()) found += v.item();
    let ret: T | undefined;
    if (!found) ret = run();
    st.stage = OptState.STEPPED;
    return ret;
  }

  /**
   * Updates the scale: backs off if any optimizer step this iteration found inf/nan, grows it after
   * growthInterval clean steps. newScale (a number or a one-element float32 tensor) sets it directly.
   */
  update(newScale?: number | Tensor): void {
    if (!this.enabled) return;
    const [scale, tracker] = this.check('update');
    torch.noGrad(() =>
      torch.tidy(() => {
        if (newScale !== undefined) {
          if (typeof newScale === 'number') scale.fill_(newScale);
          else {
            if (newScale.numel() !== 1 || newScale.requiresGrad || newScale.dtype !== 'float32')
              throw new TypeError('new_scale should be a float or a 1-element float32 tensor with requires_grad=False.');
            scale.copy_(newScale);
          }
        } else {
          const found: Tensor[] = [];
          for (const st of this.perOptimizer.values()) for (const f of st.foundInfPerDevice.values()) found.push(f.to({ device: scale.device }));
          if (found.length === 0) throw new Error('No inf checks were recorded prior to update.');
          let combined = found[0];
          for (let i = 1; i < found.length; i++) combined = combined.add(found[i]);
          updateScale(scale, tracker, combined, this.growthFactor, this.backoffFactor, this.growthInterval);
        }
      }),
    );
    for (const st of this.perOptimizer.values()) disposeAll(st.foundInfPerDevice);
    this.perOptimizer.clear();
  }

  /** The current scale as a number (initScale before the first scale(); 1.0 when disabled). */
  getScale(): number {
    if (!this.enabled) return 1.0;
    return this._scale === null ? this.initScale : this._scale.item();
  }
  getGrowthFactor(): number {
    return this.growthFactor;
  }
  setGrowthFactor(v: number): void {
    this.growthFactor = v;
  }
  getBackoffFactor(): number {
    return this.backoffFactor;
  }
  setBackoffFactor(v: number): void {
    this.backoffFactor = v;
  }
  getGrowthInterval(): number {
    return this.growthInterval;
  }
  setGrowthInterval(v: number): void {
    this.growthInterval = v;
  }
  /** Consecutive clean steps since the last growth or backoff. */
  getGrowthTracker(): number {
    if (!this.enabled) return 0;
    return this._growthTracker === null ? this.initGrowthTracker : this._growthTracker.item();
  }
  isEnabled(): boolean {
    return this.enabled;
  }

  stateDict(): GradScalerStateDict {
    if (!this.enabled) return {};
    return {
      scale: this.getScale(),
      growth_factor: this.growthFactor,
      backoff_factor: this.backoffFactor,
      growth_interval: this.growthInterval,
      _growth_tracker: this.getGrowthTracker(),
    };
  }

  loadStateDict(sd: GradScalerStateDict): void {
    if (!this.enabled) return;
    if (!sd || Object.keys(sd).length === 0)
      throw new Error('The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.');
    this.initScale = Number(sd.scale);
    if (this._scale) this._scale.fill_(this.initScale);
    this.growthFactor = Number(sd.growth_factor);
    this.backoffFactor = Number(sd.backoff_factor);
    this.growthInterval = Number(sd.growth_interval);
    this.initGrowthTracker = Number(sd._growth_tracker);
    if (this._growthTracker) this._growthTracker.fill_(this.initGrowthTracker);
  }

  /** The scaler's tensors (scale, growth tracker, pending inf flags), so torch.dispose(scaler) frees them. */
  *tensors(): Iterable<Tensor> {
    if (this._scale) yield this._scale;
    if (this._growthTracker) yield this._growthTracker;
    for (const st of this.perOptimizer.values()) yield* st.foundInfPerDevice.values();
  }

  /** Frees the scaler's tensors; the scale is kept as initScale and re-created by the next scale(). */
  dispose(): void {
    if (this._scale) {
      this.initScale = this._scale.item();
      this.initGrowthTracker = this._growthTracker!.item();
    }
    for (const t of [...this.tensors()]) t.dispose();
    this._scale = null;
    this._growthTracker = null;
    this.perOptimizer.clear();
  }
}

function disposeAll(m: Map<string, Tensor>): void {
  for (const t of m.values()) t.dispose();
  m.clear();
}

function isCuda(t: Tensor): boolean {
  return t.device.startsWith('cuda');
}

/** _amp_foreach_non_finite_check_and_unscale_: libtorch's kernel on CUDA, its transcription elsewhere. */
function nonFiniteCheckAndUnscale(grads: Tensor[], foundInf: Tensor, invScale: Tensor): void {
  if (isCuda(foundInf)) {
    torch.ops._ampForeachNonFiniteCheckAndUnscale_(grads, foundInf, invScale);
    return;
  }
  const unit = invScale.item() === 1.0;
  for (const g of grads) {
    torch.tidy(() => {
      if (!torch.isfinite(g).all().item()) foundInf.fill_(1.0);
      // the kernel computes in float (opmath) for half/bfloat16 grads: mul_ by a float32 [1] tensor does the same
      if (!unit) g.mul_(invScale);
    });
  }
}

/** _amp_update_scale_: libtorch's kernel on CUDA, its transcription elsewhere (float32 scale, int32 tracker). */
function updateScale(scale: Tensor, tracker: Tensor, foundInf: Tensor, growth: number, backoff: number, interval: number): void {
  if (isCuda(scale)) {
    torch.ops._ampUpdateScale_(scale, tracker, foundInf, growth, backoff, interval);
    return;
  }
  const s = scale.item();
  if (foundInf.item()) {
    scale.fill_(Math.fround(s * backoff));
    tracker.fill_(0);
  } else {
    const successful = tracker.item() + 1;
    if (successful === interval) {
      const next = Math.fround(s * growth);
      if (Number.isFinite(next)) scale.fill_(next);
      tracker.fill_(0);
    } else {
      tracker.fill_(successful);
    }
  }
}
