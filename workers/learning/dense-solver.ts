import { lbfgsSteps } from './lbfgs.js';

/**
 * Dense heads with at most this many products per pass (rows × columns × classes) train to convergence with L-BFGS
 * on this thread rather than for a fixed number of Adam steps on the backend. A fixed budget of steps stops short of
 * the optimum exactly where the optimum needs large weights: Seattle weather (4 columns, rain read off precipitation
 * just above 0) reached 77 % at 800 labels after 80 Adam steps and 84.5 % converged, logistic regression's figure.
 * The bar bounds time: an iteration here costs about a millisecond at it, and MAX_ITERATIONS of them a second; above
 * it the backend's products are the faster way, and the fixed steps stay. Numbers (a few dozen columns) stay below
 * it up to thousands of labels; image features (hundreds of columns) pass it within a few dozen.
 */
export const SOLVER_MAX_WORK = 1 << 18;

/** True when a dense head of this size trains with the solver (SOLVER_MAX_WORK). */
export function solvedToConvergence(rows: number, dim: number, classes: number): boolean {
  return rows * dim * classes <= SOLVER_MAX_WORK;
}
/** Enough for the weakest penalty tried (model-selection's grid) to converge on the tasks measured; a bound on time. */
const MAX_ITERATIONS = 1_000;
/**
 * The loss is a weighted mean (the weights sum to 1), so the gradient is an average: this tolerance stops where the
 * predicted probabilities no longer move in their third decimal.
 */
const GRADIENT_TOLERANCE = 1e-6;

export interface DenseSolveOptions {
  rows: readonly Float32Array[];
  /** Columns of every row. */
  dim: number;
  targets: Int32Array;
  classes: number;
  /** Per row, its weight in the loss (0: not this head's row); they sum to 1. */
  sampleWeights: Float32Array;
  /** λ in loss + λ‖W − start‖² (bias unpenalised). */
  l2: number;
  /** The head to start from and be pulled toward, class-major (classes × dim) weights and classes biases; zeros when absent. */
  start?: { w: Float32Array; b: Float32Array };
  breathe: () => Promise<void>;
  shouldStop?: () => Error | null;
}

/**
 * The minimiser of the class-weighted softmax cross-entropy + λ‖W − start‖², the objective head.ts's Adam steps
 * descend, found by L-BFGS. Deterministic: the same rows, weights and λ give the same head. Returns class-major
 * weights (classes × dim), the biases and the loss reached.
 */
export async function solveDenseHead(options: DenseSolveOptions): Promise<{ w: Float32Array; b: Float32Array; loss: number }> {
  const { rows, dim, targets, classes, sampleWeights, l2, start, breathe, shouldStop } = options;
  const used = [...rows.keys()].filter((i) => sampleWeights[i]! > 0);
  const biasAt = classes * dim;
  const logits = new Float64Array(classes);
  const evaluate = (theta: Float64Array, gradient: Float64Array): number => {
    gradient.fill(0);
    let loss = 0;
    for (const i of used) {
      const x = rows[i]!;
      const weight = sampleWeights[i]!;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        let z = theta[biasAt + c]!;
        const row = c * dim;
        for (let a = 0; a < dim; a++) z += theta[row + a]! * x[a]!;
        logits[c] = z;
        if (z > max) max = z;
      }
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(logits[c]! - max);
      const logSum = max + Math.log(sum);
      const target = targets[i]!;
      loss += weight * (logSum - logits[target]!);
      for (let c = 0; c < classes; c++) {
        const d = weight * (Math.exp(logits[c]! - logSum) - (c === target ? 1 : 0));
        if (d === 0) continue;
        gradient[biasAt + c]! += d;
        const row = c * dim;
        for (let a = 0; a < dim; a++) gradient[row + a]! += d * x[a]!;
      }
    }
    for (let k = 0; k < biasAt; k++) {
      const off = theta[k]! - (start ? start.w[k]! : 0);
      loss += l2 * off * off;
      gradient[k]! += 2 * l2 * off;
    }
    return loss;
  };
  const theta = new Float64Array(biasAt + classes);
  if (start) {
    theta.set(start.w);
    theta.set(start.b, biasAt);
  }
  const steps = lbfgsSteps(evaluate, theta, { maxIterations: MAX_ITERATIONS, gradientTolerance: GRADIENT_TOLERANCE, memory: 10 });
  for (;;) {
    const next = steps.next();
    if (next.done) {
      const { x, value } = next.value;
      return { w: Float32Array.from(x.subarray(0, biasAt)), b: Float32Array.from(x.subarray(biasAt)), loss: value };
    }
    const stop = shouldStop?.();
    if (stop) throw stop;
    await breathe();
  }
}
