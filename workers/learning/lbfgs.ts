/**
 * Limited-memory BFGS with a backtracking (Armijo) line search: minimises a smooth convex function to a tight
 * tolerance in tens to hundreds of gradient evaluations, where plain gradient descent would need thousands. It is how
 * scikit-learn fits LogisticRegression by default (solver 'lbfgs'). The engine's small dense heads train with it
 * (dense-solver.ts), and so does the learning benchmark's logistic-regression reference.
 */

export interface LbfgsOptions {
  /** Pairs of steps remembered. */
  memory?: number;
  maxIterations?: number;
  /** Stops when the largest gradient component is below this. */
  gradientTolerance?: number;
  /** Stops when an iteration lowers the value by less than this share of it (of 1 when the value is below 1). */
  valueTolerance?: number;
}

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  iterations: number;
}

/** `evaluate(x, gradient)` writes the gradient at x and returns the value there. Returns the minimiser (x is updated). */
export function minimize(evaluate: (x: Float64Array, gradient: Float64Array) => number, x: Float64Array, options: LbfgsOptions = {}): LbfgsResult {
  const steps = lbfgsSteps(evaluate, x, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/**
 * The same minimisation, one yield per iteration (the value reached so far), so a caller can give way to other work
 * or stop between iterations; it returns what `minimize` returns.
 */
export function* lbfgsSteps(
  evaluate: (x: Float64Array, gradient: Float64Array) => number,
  x: Float64Array,
  { memory = 7, maxIterations = 100, gradientTolerance = 1e-4, valueTolerance = 1e-10 }: LbfgsOptions = {},
): Generator<number, LbfgsResult, void> {
  const n = x.length;
  const g = new Float64Array(n);
  let value = evaluate(x, g);
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const direction = new Float64Array(n);
  const nextX = new Float64Array(n);
  const nextG = new Float64Array(n);
  const alpha = new Float64Array(memory);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    if (maxAbs(g) < gradientTolerance) break;
    // Two-loop recursion: direction = −H·g.
    for (let i = 0; i < n; i++) direction[i] = -g[i]!;
    for (let k = s.length - 1; k >= 0; k--) {
      alpha[k] = rho[k]! * dot(s[k]!, direction);
      axpy(-alpha[k]!, y[k]!, direction);
    }
    const scale = s.length > 0 ? dot(s.at(-1)!, y.at(-1)!) / dot(y.at(-1)!, y.at(-1)!) : 1 / Math.max(1e-12, Math.sqrt(dot(g, g)));
    for (let i = 0; i < n; i++) direction[i]! *= scale;
    for (let k = 0; k < s.length; k++) {
      const beta = rho[k]! * dot(y[k]!, direction);
      axpy(alpha[k]! - beta, s[k]!, direction);
    }
    let slope = dot(g, direction);
    if (slope >= 0) {
      // Not a descent direction (curvature information gone stale): restart from steepest descent.
      s.length = y.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = -g[i]! / Math.max(1e-12, Math.sqrt(dot(g, g)));
      slope = dot(g, direction);
    }
    let step = 1;
    let nextValue = Infinity;
    for (let tries = 0; tries < 30; tries++) {
      for (let i = 0; i < n; i++) nextX[i] = x[i]! + step * direction[i]!;
      nextValue = evaluate(nextX, nextG);
      if (nextValue <= value + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(nextValue < value)) break;
    const sk = new Float64Array(n);
    const yk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      sk[i] = nextX[i]! - x[i]!;
      yk[i] = nextG[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    x.set(nextX);
    g.set(nextG);
    const previous = value;
    value = nextValue;
    if (previous - value <= valueTolerance * Math.max(1, Math.abs(value))) {
      iterations += 1;
      break;
    }
    yield value;
  }
  return { x, value, iterations };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i]! += a * x[i]!;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (const v of a) if (Math.abs(v) > max) max = Math.abs(v);
  return max;
}
