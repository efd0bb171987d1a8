/**
 * Adam with PyTorch's arithmetic (torch/optim/adam.py, single-tensor path, amsgrad off): L2 weight decay is
 * added to the gradient (`torch.optim.Adam`, not AdamW), state is float32 like PyTorch's.
 */
export interface AdamOptions {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  weightDecay: number;
}

export class Adam {
  private readonly options: AdamOptions;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private step = 0;

  constructor(size: number, options: AdamOptions) {
    this.options = options;
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /** Optimisation steps taken so far. */
  get steps(): number {
    return this.step;
  }

  /**
   * One update of `params` (in place) from the mean gradient `grad`:
   * g += wd·w; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
   * w −= (lr / (1−β1^t)) · m / (sqrt(v) / sqrt(1−β2^t) + eps).
   */
  update(params: Float32Array, grad: Float64Array): void {
    const { lr, betas, eps, weightDecay } = this.options;
    const [beta1, beta2] = betas;
    this.step += 1;
    const biasCorrection1 = 1 - beta1 ** this.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** this.step);
    const stepSize = lr / biasCorrection1;
    const { m, v } = this;
    for (let i = 0; i < params.length; i++) {
      const w = params[i]!;
      const g = Math.fround(grad[i]! + weightDecay * w);
      const mi = Math.fround(beta1 * m[i]! + (1 - beta1) * g);
      const vi = Math.fround(beta2 * v[i]! + (1 - beta2) * g * g);
      m[i] = mi;
      v[i] = vi;
      const denom = Math.fround(Math.sqrt(vi) / biasCorrection2Sqrt + eps);
      params[i] = w - stepSize * (mi / denom);
    }
  }
}
