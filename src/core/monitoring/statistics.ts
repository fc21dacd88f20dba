/**
 * Distribution tests for drift checks: PSI, two-sample Kolmogorov–Smirnov, chi-square homogeneity,
 * and the special functions behind their p-values.
 */

/** Share used in place of an empty bin in PSI (evidently's choice), so the logarithm stays finite. */
export const psiEmptyShare = 1e-4;

/**
 * Population stability index between two binnings of the same bins:
 * sum over bins of (current% - reference%) * ln(current% / reference%), each share replaced by
 * `psiEmptyShare` where it is zero. Shares are not renormalised afterwards (as evidently does).
 * 0 for identical shares; > 0.1 is usually read as a moderate shift, > 0.2 as a large one.
 */
export function populationStabilityIndex(referenceCounts: readonly number[], currentCounts: readonly number[]): number {
  if (referenceCounts.length !== currentCounts.length) {
    throw new RangeError(`PSI needs the same bins on both sides, not ${referenceCounts.length} and ${currentCounts.length}`);
  }
  const referenceTotal = sum(referenceCounts);
  const currentTotal = sum(currentCounts);
  if (referenceTotal === 0 || currentTotal === 0) {
    return NaN;
  }
  let psi = 0;
  for (let index = 0; index < referenceCounts.length; index++) {
    const reference = Math.max(referenceCounts[index] / referenceTotal, psiEmptyShare);
    const current = Math.max(currentCounts[index] / currentTotal, psiEmptyShare);
    psi += (current - reference) * Math.log(current / reference);
  }
  return psi;
}

export interface TestResult {
  statistic: number;
  pValue: number;
}

/**
 * Two-sample Kolmogorov–Smirnov test on two ascending samples. D = sup |F_ref(x) - F_cur(x)|
 * (ties are stepped over together). The two-sided p-value is asymptotic: the Kolmogorov
 * distribution's survival function at λ = (√n_e + 0.12 + 0.11/√n_e)·D, n_e = n·m/(n+m) — Stephens'
 * small-sample correction, as in Numerical Recipes' `probks` and SciPy's `ks_2samp` up to 1.4
 * (`mode='asymp'`). SciPy 1.5+ evaluates the finite-n distribution `kstwo.sf(D, round(n_e))`
 * instead; the two agree to within a few thousandths for n_e in the hundreds and more.
 * NaN for an empty sample.
 */
export function kolmogorovSmirnovTest(referenceSorted: ArrayLike<number>, currentSorted: ArrayLike<number>): TestResult {
  const n = referenceSorted.length;
  const m = currentSorted.length;
  if (n === 0 || m === 0) {
    return { statistic: NaN, pValue: NaN };
  }
  let i = 0;
  let j = 0;
  let statistic = 0;
  while (i < n && j < m) {
    const a = referenceSorted[i];
    const b = currentSorted[j];
    const x = a <= b ? a : b;
    while (i < n && referenceSorted[i] <= x) {
      i++;
    }
    while (j < m && currentSorted[j] <= x) {
      j++;
    }
    const gap = Math.abs(i / n - j / m);
    if (gap > statistic) {
      statistic = gap;
    }
  }
  const effective = Math.sqrt((n * m) / (n + m));
  const lambda = (effective + 0.12 + 0.11 / effective) * statistic;
  return { statistic, pValue: kolmogorovSurvival(lambda) };
}

/**
 * P(K > λ) for the Kolmogorov distribution: 2·Σ(-1)^(k-1)·e^(-2k²λ²) for λ ≥ 1.18, and
 * 1 - (√(2π)/λ)·Σ e^(-(2k-1)²π²/(8λ²)) below, where the first series converges slowly.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (Number.isNaN(lambda)) {
    return NaN;
  }
  if (lambda <= 0) {
    return 1;
  }
  if (lambda < 1.18) {
    const factor = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let total = 0;
    for (let k = 1; k <= 20; k++) {
      const odd = 2 * k - 1;
      const term = Math.exp(factor * odd * odd);
      total += term;
      if (term < 1e-17 * total) {
        break;
      }
    }
    return clampProbability(1 - (Math.sqrt(2 * Math.PI) / lambda) * total);
  }
  let total = 0;
  let sign = 1;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    total += sign * term;
    if (term < 1e-17 * Math.abs(total) || term === 0) {
      break;
    }
    sign = -sign;
  }
  return clampProbability(2 * total);
}

/**
 * Chi-square test of homogeneity on a 2×K table (reference counts, current counts per category),
 * without Yates' continuity correction. Categories empty on both sides are dropped; df = K' - 1.
 * Fewer than two categories left: statistic 0, p-value 1.
 */
export function chiSquareHomogeneityTest(referenceCounts: readonly number[], currentCounts: readonly number[]): TestResult & { degreesOfFreedom: number } {
  if (referenceCounts.length !== currentCounts.length) {
    throw new RangeError(`The chi-square test needs the same categories on both sides, not ${referenceCounts.length} and ${currentCounts.length}`);
  }
  const referenceTotal = sum(referenceCounts);
  const currentTotal = sum(currentCounts);
  const total = referenceTotal + currentTotal;
  if (referenceTotal === 0 || currentTotal === 0) {
    return { statistic: NaN, pValue: NaN, degreesOfFreedom: 0 };
  }
  let statistic = 0;
  let categories = 0;
  for (let index = 0; index < referenceCounts.length; index++) {
    const both = referenceCounts[index] + currentCounts[index];
    if (both === 0) {
      continue;
    }
    categories++;
    const expectedReference = (both * referenceTotal) / total;
    const expectedCurrent = (both * currentTotal) / total;
    statistic += (referenceCounts[index] - expectedReference) ** 2 / expectedReference;
    statistic += (currentCounts[index] - expectedCurrent) ** 2 / expectedCurrent;
  }
  const degreesOfFreedom = categories - 1;
  if (degreesOfFreedom < 1) {
    return { statistic: 0, pValue: 1, degreesOfFreedom: 0 };
  }
  return { statistic, pValue: chiSquareSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

/** P(X > x) for a chi-square variable with `degreesOfFreedom`: Q(df/2, x/2). */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (x <= 0) {
    return 1;
  }
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}

/** The regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  checkGammaArguments(a, x);
  if (x === 0) {
    return 0;
  }
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/**
 * The regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 - P(a, x): by its
 * power series for x < a + 1, else by its continued fraction (modified Lentz), so neither is used
 * where it converges slowly and small tail probabilities keep their relative precision.
 */
export function regularizedGammaQ(a: number, x: number): number {
  checkGammaArguments(a, x);
  if (x === 0) {
    return 1;
  }
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

const maximumIterations = 10_000;
const relativeTolerance = 1e-15;
const tiny = 1e-300;

/** P(a, x) = e^(-x)·x^a/Γ(a) · Σ x^n / (a(a+1)…(a+n)). */
function gammaSeries(a: number, x: number): number {
  let denominator = a;
  let term = 1 / a;
  let total = term;
  for (let iteration = 0; iteration < maximumIterations; iteration++) {
    denominator += 1;
    term *= x / denominator;
    total += term;
    if (Math.abs(term) < Math.abs(total) * relativeTolerance) {
      break;
    }
  }
  return Math.min(1, total * Math.exp(-x + a * Math.log(x) - logGamma(a)));
}

/** Q(a, x) = e^(-x)·x^a/Γ(a) · 1/(x+1-a- 1·(1-a)/(x+3-a- 2·(2-a)/(x+5-a- …))), by modified Lentz. */
function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let fraction = d;
  for (let iteration = 1; iteration < maximumIterations; iteration++) {
    const an = -iteration * (iteration - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) {
      d = tiny;
    }
    c = b + an / c;
    if (Math.abs(c) < tiny) {
      c = tiny;
    }
    d = 1 / d;
    const delta = d * c;
    fraction *= delta;
    if (Math.abs(delta - 1) < relativeTolerance) {
      break;
    }
  }
  return Math.min(1, Math.exp(-x + a * Math.log(x) - logGamma(a)) * fraction);
}

const lanczosCoefficients = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7; about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1-x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const shifted = x - 1;
  let series = lanczosCoefficients[0];
  for (let index = 1; index < lanczosCoefficients.length; index++) {
    series += lanczosCoefficients[index] / (shifted + index);
  }
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(series);
}

function checkGammaArguments(a: number, x: number): void {
  if (!(a > 0) || !(x >= 0)) {
    throw new RangeError(`The incomplete gamma function needs a > 0 and x >= 0, not a=${a}, x=${x}`);
  }
}

function clampProbability(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) {
    total += value;
  }
  return total;
}
