/**
 * Derivative-free minimisation for the mixed-model deviances, and the finite-difference derivatives
 * lme4 and lmerTest take of them.
 *
 * lme4 minimises with BOBYQA / Nelder–Mead and stops at loose-ish tolerances. plumb instead runs a
 * bounded Nelder–Mead to get near the optimum and then polishes with damped Newton steps on a
 * central-difference Hessian: the deviances are smooth, so this lands on the optimum to ~1e-9 and
 * the comparison with R is limited by R's stopping rule, not ours.
 *
 * Random-intercept deviances are even functions of each θ_k (Λ enters as ΛZ'WZΛ), so θ_k < 0 is as
 * good as |θ_k| and derivatives at the boundary θ_k = 0 are well defined; callers fold θ to |θ|.
 */

export type Objective = (x: Float64Array) => number;

export interface MinimizeResult {
  x: Float64Array;
  f: number;
  evaluations: number;
  converged: boolean;
  message: string;
}

/** Nelder–Mead with lower bounds by clamping. Stops when the simplex's f-spread and size are tiny. */
export function nelderMead(
  f: Objective,
  x0: Float64Array,
  opts: { lower?: number[]; step?: number[]; maxEval?: number; ftol?: number; xtol?: number } = {},
): MinimizeResult {
  const k = x0.length;
  const lower = opts.lower ?? new Array<number>(k).fill(Number.NEGATIVE_INFINITY);
  const clamp = (x: Float64Array) => x.map((v, i) => Math.max(v, lower[i]!));
  const maxEval = opts.maxEval ?? 2000 * k;
  const ftol = opts.ftol ?? 1e-10;
  const xtol = opts.xtol ?? 1e-8;
  let evals = 0;
  const ev = (x: Float64Array) => {
    evals++;
    const v = f(x);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const pts: Float64Array[] = [clamp(x0)];
  for (let i = 0; i < k; i++) {
    const p = Float64Array.from(pts[0]!);
    const s = opts.step?.[i] ?? Math.max(0.1 * Math.abs(p[i]!), 0.05);
    p[i] = p[i]! + s;
    pts.push(clamp(p));
  }
  let fs = pts.map(ev);
  while (evals < maxEval) {
    const order = fs.map((_, i) => i).sort((a, b) => fs[a]! - fs[b]!);
    const P = order.map((i) => pts[i]!);
    fs = order.map((i) => fs[i]!);
    pts.splice(0, pts.length, ...P);
    const spread = fs[k]! - fs[0]!;
    let size = 0;
    for (let i = 1; i <= k; i++)
      for (let j = 0; j < k; j++) size = Math.max(size, Math.abs(pts[i]![j]! - pts[0]![j]!));
    if (spread <= ftol * (1 + Math.abs(fs[0]!)) && size <= xtol * (1 + maxAbs(pts[0]!))) {
      return { x: pts[0]!, f: fs[0]!, evaluations: evals, converged: true, message: '' };
    }
    const c = new Float64Array(k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) c[j]! += pts[i]![j]! / k;
    const along = (t: number) => clamp(c.map((v, j) => v + t * (pts[k]![j]! - v)));
    const xr = along(-1);
    const fr = ev(xr);
    if (fr < fs[0]!) {
      const xe = along(-2);
      const fe = ev(xe);
      [pts[k], fs[k]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < fs[k - 1]!) {
      [pts[k], fs[k]] = [xr, fr];
    } else {
      const xc = fr < fs[k]! ? along(-0.5) : along(0.5);
      const fc = ev(xc);
      if (fc < Math.min(fr, fs[k]!)) [pts[k], fs[k]] = [xc, fc];
      else {
        for (let i = 1; i <= k; i++) {
          pts[i] = clamp(pts[i]!.map((v, j) => pts[0]![j]! + 0.5 * (v - pts[0]![j]!)));
          fs[i] = ev(pts[i]!);
        }
      }
    }
  }
  const b = fs.indexOf(Math.min(...fs));
  return {
    x: pts[b]!,
    f: fs[b]!,
    evaluations: evals,
    converged: false,
    message: `Nelder-Mead stopped after ${evals} evaluations`,
  };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

/**
 * lme4's `deriv12`: central-difference gradient and Hessian with step δ = 1e-4 and no bounds
 * (H_jj = (f₊ − 2f₀ + f₋)/δ², H_ij = (f₊₊ − f₊₋ − f₋₊ + f₋₋)/(4δ²)). Reproduced exactly because lme4's
 * glmer standard errors come from this very Hessian.
 */
export function deriv12(
  f: Objective,
  x: Float64Array,
  fx: number,
  delta = 1e-4,
): { gradient: Float64Array; hessian: Float64Array } {
  const k = x.length;
  const H = new Float64Array(k * k);
  const g = new Float64Array(k);
  const at = (mods: [number, number][]) => {
    const y = Float64Array.from(x);
    for (const [i, d] of mods) y[i] = x[i]! + d;
    return f(y);
  };
  for (let j = 0; j < k; j++) {
    const fadd = at([[j, delta]]);
    const fsub = at([[j, -delta]]);
    H[j * k + j] = fadd / delta ** 2 - (2 * fx) / (delta * delta) + fsub / delta ** 2;
    g[j] = (fadd - fsub) / (2 * delta);
    for (let i = 0; i < j; i++) {
      const v =
        at([
          [i, delta],
          [j, delta],
        ]) /
          (2 * delta) ** 2 -
        at([
          [i, delta],
          [j, -delta],
        ]) /
          (2 * delta) ** 2 -
        at([
          [i, -delta],
          [j, delta],
        ]) /
          (2 * delta) ** 2 +
        at([
          [i, -delta],
          [j, -delta],
        ]) /
          (2 * delta) ** 2;
      H[i * k + j] = v;
      H[j * k + i] = v;
    }
  }
  return { gradient: g, hessian: H };
}

/**
 * Damped Newton polish from a point near the optimum, on central-difference derivatives (step h).
 * The Hessian (k² evaluations) is reused while its steps keep going downhill — a chord iteration,
 * whose gradients cost 2k evaluations — and rebuilt when one does not. Levenberg damping keeps steps
 * downhill where the Hessian is not positive definite.
 */
export function newtonPolish(
  f: Objective,
  x0: Float64Array,
  opts: { maxIter?: number; h?: number } = {},
): MinimizeResult {
  const k = x0.length;
  const h = opts.h ?? 1e-4;
  let evals = 0;
  const counted: Objective = (y) => {
    evals++;
    return f(y);
  };
  let x: Float64Array = Float64Array.from(x0);
  let fx = counted(x);
  let H: Float64Array | null = null;
  let fresh = false;
  for (let it = 0; it < (opts.maxIter ?? 100); it++) {
    let g: Float64Array;
    if (H === null) {
      ({ gradient: g, hessian: H } = deriv12(counted, x, fx, h));
      fresh = true;
    } else {
      g = centralGradient(counted, x, h);
      fresh = false;
    }
    const step = dampedStep(counted, x, fx, H, g, k);
    if (!step) {
      if (!fresh) {
        H = null; // the old Hessian led nowhere: rebuild it before giving up
        continue;
      }
      // No downhill step even with heavy damping on a fresh Hessian: at the optimum to FD precision.
      const gmax = maxAbs(g);
      const ok = gmax < 1e-3;
      return {
        x,
        f: fx,
        evaluations: evals,
        converged: ok,
        message: ok ? '' : `gradient ${gmax.toPrecision(3)} at the end`,
      };
    }
    const small = maxAbs(step.x.map((v, i) => v - x[i]!)) <= 1e-10 * (1 + maxAbs(x));
    const gain = fx - step.f;
    x = step.x;
    fx = step.f;
    if (small || gain <= 1e-14 * (1 + Math.abs(fx)))
      return { x, f: fx, evaluations: evals, converged: true, message: '' };
  }
  return { x, f: fx, evaluations: evals, converged: false, message: 'Newton polish hit its iteration limit' };
}

function centralGradient(f: Objective, x: Float64Array, h: number): Float64Array {
  return x.map((v, j) => {
    const up = Float64Array.from(x);
    const dn = Float64Array.from(x);
    up[j] = v + h;
    dn[j] = v - h;
    return (f(up) - f(dn)) / (2 * h);
  });
}

/** A downhill (H + λI)⁻¹ step with backtracking, raising λ until one is found; null if none. */
function dampedStep(
  f: Objective,
  x: Float64Array,
  fx: number,
  H: Float64Array,
  g: Float64Array,
  k: number,
): { x: Float64Array; f: number } | null {
  let lambda = 0;
  for (let tries = 0; tries < 12; tries++) {
    const step = solveDamped(H, g, k, lambda);
    if (step) {
      for (let t = 1; t >= 1 / 64; t /= 2) {
        const y = x.map((v, i) => v + t * step[i]!);
        const fy = f(y);
        if (fy <= fx) return { x: y, f: fy };
      }
    }
    lambda = lambda === 0 ? 1e-6 * (1 + maxAbs(H)) : lambda * 10;
  }
  return null;
}

/** Solve (H + λI) s = −g by Cholesky; null if not positive definite. */
function solveDamped(H: Float64Array, g: Float64Array, k: number, lambda: number): Float64Array | null {
  const A = H.map((v, i) => (i % (k + 1) === 0 ? v + lambda : v));
  const L = choleskyDense(A, k);
  if (!L) return null;
  return cholSolve(
    L,
    g.map((v) => -v),
    k,
  );
}

/** Lower Cholesky of a dense symmetric k × k matrix; null if not positive definite. */
export function choleskyDense(A: Float64Array, k: number): Float64Array | null {
  const L = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = A[j * k + j]!;
    for (let m = 0; m < j; m++) d -= L[j * k + m]! ** 2;
    if (!(d > 0)) return null;
    L[j * k + j] = Math.sqrt(d);
    for (let i = j + 1; i < k; i++) {
      let v = A[i * k + j]!;
      for (let m = 0; m < j; m++) v -= L[i * k + m]! * L[j * k + m]!;
      L[i * k + j] = v / L[j * k + j]!;
    }
  }
  return L;
}

/** Solve L L' x = b. */
export function cholSolve(L: Float64Array, b: Float64Array, k: number): Float64Array {
  const y = Float64Array.from(b);
  for (let i = 0; i < k; i++) {
    for (let m = 0; m < i; m++) y[i]! -= L[i * k + m]! * y[m]!;
    y[i]! /= L[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    for (let m = i + 1; m < k; m++) y[i]! -= L[m * k + i]! * y[m]!;
    y[i]! /= L[i * k + i]!;
  }
  return y;
}

/** Inverse of a symmetric positive-definite matrix; null if not positive definite. */
export function invertSpd(A: Float64Array, k: number): Float64Array | null {
  const L = choleskyDense(A, k);
  if (!L) return null;
  const out = new Float64Array(k * k);
  for (let c = 0; c < k; c++) {
    const e = new Float64Array(k);
    e[c] = 1;
    const col = cholSolve(L, e, k);
    for (let r = 0; r < k; r++) out[r * k + c] = col[r]!;
  }
  return out;
}

/** Step sizes numDeriv starts from: |d·x| + eps where |x| < zero.tol (numDeriv: d = 1e-4, eps = 1e-4). */
function numDerivSteps(x: Float64Array, d = 1e-4): Float64Array {
  const zeroTol = Math.sqrt(2.220446049250313e-16 / 7e-7);
  return x.map((v) => Math.abs(d * v) + (Math.abs(v) < zeroTol ? 1e-4 : 0));
}

/** Richardson extrapolation of r = 4 estimates at steps h, h/2, h/4, h/8 (numDeriv's scheme). */
function richardson(a: number[]): number {
  const b = [...a];
  for (let m = 1; m < b.length; m++)
    for (let k = 0; k < b.length - m; k++) b[k] = (b[k + 1]! * 4 ** m - b[k]!) / (4 ** m - 1);
  return b[0]!;
}

/** numDeriv::jacobian(method = "Richardson") of a vector function: out[i][j] = ∂f_i/∂x_j. */
export function numDerivJacobian(f: (x: Float64Array) => Float64Array, x: Float64Array): Float64Array[] {
  const h0 = numDerivSteps(x);
  const m = f(x).length;
  const out: Float64Array[] = Array.from({ length: m }, () => new Float64Array(x.length));
  for (let j = 0; j < x.length; j++) {
    const est: number[][] = Array.from({ length: m }, () => []);
    for (let r = 0, h = h0[j]!; r < 4; r++, h /= 2) {
      const up = Float64Array.from(x);
      const dn = Float64Array.from(x);
      up[j] = x[j]! + h;
      dn[j] = x[j]! - h;
      const fu = f(up);
      const fd = f(dn);
      for (let i = 0; i < m; i++) est[i]!.push((fu[i]! - fd[i]!) / (2 * h));
    }
    for (let i = 0; i < m; i++) out[i]![j] = richardson(est[i]!);
  }
  return out;
}

/**
 * numDeriv::hessian (genD, Richardson) of a scalar function, with relative step `d` (numDeriv's
 * default is 1e-4; see satterthwaite.ts for why plumb passes a larger one).
 */
export function numDerivHessian(f: Objective, x: Float64Array, d = 1e-4): Float64Array {
  const k = x.length;
  const h0 = numDerivSteps(x, d);
  const f0 = f(x);
  const H = new Float64Array(k * k);
  const shifted = (pairs: [number, number][]) => {
    const y = Float64Array.from(x);
    for (const [i, d] of pairs) y[i] = y[i]! + d;
    return f(y);
  };
  for (let i = 0; i < k; i++) {
    const est: number[] = [];
    for (let r = 0, h = h0[i]!; r < 4; r++, h /= 2) {
      est.push((shifted([[i, h]]) - 2 * f0 + shifted([[i, -h]])) / (h * h));
    }
    H[i * k + i] = richardson(est);
  }
  for (let i = 0; i < k; i++)
    for (let j = 0; j < i; j++) {
      const est: number[] = [];
      for (let r = 0, s = 1; r < 4; r++, s /= 2) {
        const hi = h0[i]! * s;
        const hj = h0[j]! * s;
        const f1 = shifted([
          [i, hi],
          [j, hj],
        ]);
        const f2 = shifted([
          [i, -hi],
          [j, -hj],
        ]);
        est.push((f1 - 2 * f0 + f2 - H[i * k + i]! * hi * hi - H[j * k + j]! * hj * hj) / (2 * hi * hj));
      }
      H[i * k + j] = richardson(est);
      H[j * k + i] = H[i * k + j]!;
    }
  return H;
}
