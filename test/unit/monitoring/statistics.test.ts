import * as assert from 'node:assert/strict';
import {
  chiSquareHomogeneityTest,
  chiSquareSurvival,
  kolmogorovSmirnovTest,
  kolmogorovSurvival,
  logGamma,
  populationStabilityIndex,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../src/core/monitoring/statistics';
import { SeededRandom, sorted } from './seededRandom';

function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: expected ${expected} ± ${tolerance}, got ${actual}`);
}

function assertRelative(actual: number, expected: number, relative: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= relative * Math.abs(expected), `${what}: expected ${expected} (rel ${relative}), got ${actual}`);
}

describe('statistics', () => {
  describe('populationStabilityIndex', () => {
    it('is 0 for identical shares, whatever the totals', () => {
      assert.equal(populationStabilityIndex([10, 20, 30, 40], [10, 20, 30, 40]), 0);
      assertClose(populationStabilityIndex([10, 20, 30, 40], [100, 200, 300, 400]), 0, 1e-15, 'scaled');
    });

    it('matches the formula on a hand example: 50/50 against 25/75 is 0.2747', () => {
      // (0.25 - 0.5)·ln(0.25/0.5) + (0.75 - 0.5)·ln(0.75/0.5)
      assertClose(populationStabilityIndex([50, 50], [25, 75]), 0.2746530721670274, 1e-12, 'psi');
    });

    it('puts 1e-4 in place of an empty bin', () => {
      // (0.5 - 1)·ln(0.5/1) + (0.5 - 1e-4)·ln(0.5/1e-4)
      assertClose(populationStabilityIndex([100, 0], [50, 50]), 4.60431846666895, 1e-9, 'psi');
      assert.equal(populationStabilityIndex([0, 5], [0, 5]), 0, 'a bin empty on both sides adds nothing');
    });

    it('is NaN when a side has no values, and refuses unequal bins', () => {
      assert.ok(Number.isNaN(populationStabilityIndex([0, 0], [1, 2])));
      assert.throws(() => populationStabilityIndex([1, 2], [1, 2, 3]), /same bins/);
    });
  });

  describe('chi-square', () => {
    it('gives the textbook 5% critical values', () => {
      assertClose(chiSquareSurvival(3.841, 1), 0.05, 1e-4, 'df 1');
      assertClose(chiSquareSurvival(5.991, 2), 0.05, 1e-4, 'df 2');
      assertClose(chiSquareSurvival(7.815, 3), 0.05, 1e-4, 'df 3');
      assertClose(chiSquareSurvival(18.307, 10), 0.05, 1e-4, 'df 10');
      assertClose(chiSquareSurvival(124.342, 100), 0.05, 1e-4, 'df 100');
      assertClose(chiSquareSurvival(6.635, 1), 0.01, 1e-4, 'df 1 at 1%');
    });

    it('matches the closed forms: df 2 is e^(-x/2), df 1 is erfc(√(x/2))', () => {
      for (const x of [0.1, 1, 5.991, 20, 100]) {
        assertRelative(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-13, `df 2 at ${x}`);
      }
      assertRelative(chiSquareSurvival(1, 1), 0.3173105078629141, 1e-12, 'df 1 at 1');
      assertRelative(chiSquareSurvival(20, 1), 7.744216431044074e-6, 1e-10, 'df 1 at 20');
      assertRelative(chiSquareSurvival(100, 1), 1.5239706048320995e-23, 1e-9, 'df 1 at 100: tiny tails keep their digits');
    });

    it('reproduces SciPy chi2_contingency([[10, 10, 20], [20, 20, 20]]) from its documentation', () => {
      const result = chiSquareHomogeneityTest([10, 10, 20], [20, 20, 20]);
      assertClose(result.statistic, 2.7777777777777777, 1e-12, 'statistic');
      assertClose(result.pValue, 0.24935220877729619, 1e-12, 'p-value');
      assert.equal(result.degreesOfFreedom, 2);
    });

    it('computes a 2×2 table by hand, without the Yates correction', () => {
      // Expected 40/60 in each row: (10²/40 + 10²/60)·2 = 8.333; p = erfc(√(8.333/2)).
      const result = chiSquareHomogeneityTest([30, 70], [50, 50]);
      assertClose(result.statistic, 25 / 3, 1e-12, 'statistic');
      assertClose(result.pValue, 0.003892417122778627, 1e-12, 'p-value');
    });

    it('drops categories empty on both sides and has p = 1 for identical or single-category tables', () => {
      assert.equal(chiSquareHomogeneityTest([10, 0, 20], [20, 0, 40]).degreesOfFreedom, 1);
      const identical = chiSquareHomogeneityTest([5, 7, 9], [5, 7, 9]);
      assert.equal(identical.statistic, 0);
      assert.equal(identical.pValue, 1);
      assert.deepEqual(chiSquareHomogeneityTest([5, 0], [9, 0]), { statistic: 0, pValue: 1, degreesOfFreedom: 0 });
    });

    it('keeps P + Q = 1 across the series/continued-fraction switch', () => {
      for (const a of [0.5, 1, 3.5, 10, 50]) {
        for (const x of [0.01, a * 0.5, a + 0.999, a + 1, a + 1.001, a * 3]) {
          assertClose(regularizedGammaP(a, x) + regularizedGammaQ(a, x), 1, 1e-13, `a=${a}, x=${x}`);
        }
      }
      assertClose(regularizedGammaQ(3, 3.999), regularizedGammaQ(3, 4.001), 2e-3, 'continuous at x = a + 1');
      assert.throws(() => regularizedGammaQ(0, 1), /a > 0/);
    });

    it('has an accurate log-gamma', () => {
      assertClose(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14, 'Γ(1/2) = √π');
      assertClose(logGamma(10), Math.log(362880), 1e-12, 'Γ(10) = 9!');
      assertClose(logGamma(1), 0, 1e-14, 'Γ(1) = 1');
    });
  });

  describe('Kolmogorov distribution', () => {
    it("matches SciPy's scipy.special.kolmogorov test values", () => {
      const table: [number, number][] = [
        [0.3, 0.9999906941986655],
        [0.5, 0.9639452436648751],
        [0.8275735551899077, 0.5],
        [0.9, 0.3927307079406543],
        [1, 0.26999967167735456],
        [1.1, 0.1777181926064012],
        [2, 0.0006709252557796953],
        [5, 3.8574996959278356e-22],
        [10, 2.767793053473475e-87],
      ];
      for (const [lambda, expected] of table) {
        assertRelative(kolmogorovSurvival(lambda), expected, 1e-10, `Q(${lambda})`);
      }
      assert.equal(kolmogorovSurvival(0), 1);
    });

    it('gives the asymptotic critical values 1.224, 1.358 and 1.628 for 10%, 5% and 1%', () => {
      assertClose(kolmogorovSurvival(1.2238), 0.1, 1e-4, '10%');
      assertClose(kolmogorovSurvival(1.3581), 0.05, 1e-4, '5%');
      assertClose(kolmogorovSurvival(1.6276), 0.01, 1e-4, '1%');
    });
  });

  describe('kolmogorovSmirnovTest', () => {
    it('gives D = 0 and p = 1 for identical samples', () => {
      const sample = sorted(new SeededRandom(1).normals(500));
      const result = kolmogorovSmirnovTest(sample, sample);
      assert.equal(result.statistic, 0);
      assert.equal(result.pValue, 1);
    });

    it('gives D = 1 for separated samples, with the Stephens-corrected p-value by hand', () => {
      // n_e = 2.5, λ = (√2.5 + 0.12 + 0.11/√2.5)·1 = 1.7707, Q(λ) = 0.003781
      const result = kolmogorovSmirnovTest(sorted([1, 2, 3, 4, 5]), sorted([6, 7, 8, 9, 10]));
      assert.equal(result.statistic, 1);
      assertClose(result.pValue, 0.0037813540593701006, 1e-12, 'p-value');
    });

    it('steps over ties together', () => {
      // At 1: F = 2/4 and 1/4; at 2: both 1. A one-at-a-time walk would report 0.5.
      assert.equal(kolmogorovSmirnovTest(sorted([1, 1, 2, 2]), sorted([1, 2, 2, 2])).statistic, 0.25);
      assert.equal(kolmogorovSmirnovTest(sorted([1, 2, 3]), sorted([3, 2, 1])).statistic, 0);
    });

    it('measures the right D on unequal sizes', () => {
      // F_ref jumps 1/3 at 1, 2, 3; F_cur jumps 1/2 at 2.5 and 10: the gap is 2/3 just before 2.5.
      const result = kolmogorovSmirnovTest(sorted([1, 2, 3]), sorted([2.5, 10]));
      assertClose(result.statistic, 2 / 3, 1e-15, 'D');
    });

    it('finds a half-sigma shift between normal samples of 1,000 and keeps same-distribution samples above 5%', () => {
      const random = new SeededRandom(42);
      const reference = sorted(random.normals(1000));
      const same = sorted(random.normals(1000));
      const shifted = sorted(random.normals(1000, 0.5));
      const null0 = kolmogorovSmirnovTest(reference, same);
      assert.ok(null0.pValue > 0.05, `same distribution: p=${null0.pValue}`);
      assert.ok(null0.statistic < 1.358 * Math.sqrt(2 / 1000), `D=${null0.statistic} is below the 5% critical value 0.0607`);
      const drift = kolmogorovSmirnovTest(reference, shifted);
      assert.ok(drift.pValue < 1e-10, `shifted: p=${drift.pValue}`);
      // The population D for N(0,1) against N(0.5,1) is 2Φ(0.25) - 1 = 0.197.
      assertClose(drift.statistic, 0.197, 0.05, 'D');
    });

    it('is NaN for an empty sample', () => {
      assert.ok(Number.isNaN(kolmogorovSmirnovTest(new Float64Array(0), sorted([1])).pValue));
    });
  });
});
