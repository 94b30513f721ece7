/** Running mean and variance (Welford), so numeric rows are standardised with statistics of the data seen. */
export class RunningStats {
  count = 0;
  mean: Float64Array;
  private m2: Float64Array;

  constructor(readonly dim: number) {
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
  }

  add(row: Float32Array): void {
    this.count += 1;
    for (let i = 0; i < this.dim; i++) {
      const x = row[i]!;
      const delta = x - this.mean[i]!;
      this.mean[i]! += delta / this.count;
      this.m2[i]! += delta * (x - this.mean[i]!);
    }
  }

  /** Mean and standard deviation as float32, with a floor so constant columns do not divide by zero. */
  snapshot(): { mean: Float32Array; std: Float32Array } {
    const mean = Float32Array.from(this.mean);
    const std = new Float32Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const variance = this.count > 1 ? this.m2[i]! / (this.count - 1) : 0;
      std[i] = Math.max(Math.sqrt(variance), 1e-6 + Math.abs(this.mean[i]!) * 1e-3, 1e-3);
    }
    return { mean, std };
  }
}

export function standardize(row: Float32Array, mean: Float32Array, std: Float32Array, out = new Float32Array(row.length)): Float32Array {
  for (let i = 0; i < row.length; i++) out[i] = (row[i]! - mean[i]!) / std[i]!;
  return out;
}
