import * as assert from 'node:assert/strict';
import { classificationMetrics, detectTask, labelKey, regressionMetrics } from '../../../src/core/monitoring/metrics';

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: expected ${expected}, got ${actual}`);
}

describe('metrics', () => {
  describe('regressionMetrics', () => {
    it('scores a small hand-computed example', () => {
      // errors 0.5, -0.5, 0, -1 → squared 0.25, 0.25, 0, 1 (sum 1.5), absolute sum 2.
      const actual = [3, 2.5, 5, 8.5];
      const predicted = [2.5, 3, 5, 9.5];
      const result = regressionMetrics(actual, predicted);
      assertClose(result.mse, 1.5 / 4, 'mse');
      assertClose(result.rmse, Math.sqrt(0.375), 'rmse');
      assertClose(result.mae, 0.5, 'mae');
      // mean 4.75; deviations -1.75, -2.25, 0.25, 3.75 → squares sum 3.0625 + 5.0625 + 0.0625 + 14.0625 = 22.25
      assertClose(result.r2, 1 - 1.5 / 22.25, 'r2');
      assert.equal(result.count, 4);
    });

    it('gives R² 1 for a perfect fit and negative R² for a worse-than-mean one', () => {
      assert.equal(regressionMetrics([1, 2, 3], [1, 2, 3]).r2, 1);
      assertClose(regressionMetrics([1, 2, 3], [3, 2, 1]).r2, 1 - 8 / 2, 'r2');
    });

    it('follows scikit-learn for constant targets: 1 when perfect, 0 otherwise', () => {
      assert.equal(regressionMetrics([2, 2], [2, 2]).r2, 1);
      assert.equal(regressionMetrics([2, 2], [2, 3]).r2, 0);
    });

    it('refuses unpaired, empty or non-finite input with a clear message', () => {
      assert.throws(() => regressionMetrics([1, 2], [1]), /2 true values but 1 predictions/);
      assert.throws(() => regressionMetrics([], []), /no rows/);
      assert.throws(() => regressionMetrics([1, NaN], [1, 2]), /Row 2/);
    });
  });

  describe('classificationMetrics', () => {
    it('scores a binary example by hand against the positive label', () => {
      // TP 2 (rows 1, 4), FP 1 (row 3), FN 1 (row 2), TN 2.
      const actual = [1, 1, 0, 1, 0, 0];
      const predicted = [1, 0, 1, 1, 0, 0];
      const result = classificationMetrics(actual, predicted, { positiveLabel: 1 });
      assert.equal(result.average, 'binary');
      assertClose(result.accuracy, 4 / 6, 'accuracy');
      assertClose(result.precision, 2 / 3, 'precision');
      assertClose(result.recall, 2 / 3, 'recall');
      assertClose(result.f1, 2 / 3, 'f1');
      assert.equal(result.positiveLabel, '1');
    });

    it('uses the label given as positive, strings included', () => {
      const actual = ['spam', 'ham', 'spam', 'spam'];
      const predicted = ['spam', 'spam', 'ham', 'spam'];
      const spam = classificationMetrics(actual, predicted, { positiveLabel: 'spam' });
      assertClose(spam.precision, 2 / 3, 'precision');
      assertClose(spam.recall, 2 / 3, 'recall');
      const ham = classificationMetrics(actual, predicted, { positiveLabel: 'ham' });
      assert.equal(ham.precision, 0);
      assert.equal(ham.recall, 0);
      assert.equal(ham.f1, 0, 'zero division gives 0, not NaN');
    });

    it('macro-averages over every label seen in either list', () => {
      // a: TP 1, predicted 2, actual 2 → P 1/2, R 1/2, F1 1/2
      // b: TP 1, predicted 1, actual 1 → 1, 1, 1
      // c: TP 0, predicted 1, actual 1 → 0, 0, 0
      const actual = ['a', 'a', 'b', 'c'];
      const predicted = ['a', 'c', 'b', 'a'];
      const result = classificationMetrics(actual, predicted);
      assert.equal(result.average, 'macro');
      assertClose(result.precision, (0.5 + 1 + 0) / 3, 'precision');
      assertClose(result.recall, (0.5 + 1 + 0) / 3, 'recall');
      assertClose(result.f1, (0.5 + 1 + 0) / 3, 'f1');
      assertClose(result.accuracy, 0.5, 'accuracy');
      assert.deepEqual(
        result.perClass.map((entry) => [entry.label, entry.support]),
        [
          ['a', 2],
          ['b', 1],
          ['c', 1],
        ],
      );
    });

    it('counts a label only ever predicted as a class with zero recall support', () => {
      const result = classificationMetrics(['x', 'x'], ['x', 'y']);
      assert.deepEqual(
        result.perClass.map((entry) => entry.label),
        ['x', 'y'],
      );
      assertClose(result.recall, (0.5 + 0) / 2, 'macro recall');
    });

    it('matches numeric text with numbers, so CSV labels meet model outputs', () => {
      assert.equal(labelKey('1.0'), '1');
      assert.equal(labelKey(1), '1');
      assert.equal(labelKey('01'), '1');
      assert.equal(labelKey('cat'), 'cat');
      const result = classificationMetrics(['1', '0', '1.0'], [1, 0, 1], { positiveLabel: '1' });
      assert.equal(result.accuracy, 1);
      assert.equal(result.f1, 1);
    });

    it('orders classes numbers first by value, then texts', () => {
      const result = classificationMetrics([10, 9, 'b', 'a'], [10, 9, 'b', 'a']);
      assert.deepEqual(
        result.perClass.map((entry) => entry.label),
        ['9', '10', 'a', 'b'],
      );
    });

    it('refuses a positive label that occurs nowhere', () => {
      assert.throws(() => classificationMetrics([0, 1], [0, 1], { positiveLabel: 'yes' }), /positive label 'yes' is in neither/);
    });
  });

  describe('detectTask', () => {
    it('calls text, booleans and a few integers classification', () => {
      assert.equal(detectTask(['cat', 'dog', 'cat']), 'classification');
      assert.equal(detectTask([true, false]), 'classification');
      assert.equal(detectTask([0, 1, 1, 0]), 'classification');
      assert.equal(detectTask(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']), 'classification');
      assert.equal(detectTask([1.0, 2.0, 3.0]), 'classification', 'whole-valued floats are class ids');
    });

    it('calls many distinct numbers, or fractional ones, regression', () => {
      assert.equal(detectTask(Array.from({ length: 50 }, (_, index) => index)), 'regression');
      assert.equal(detectTask([0.5, 1.25, 3.75]), 'regression');
      assert.equal(detectTask(['1.5', '2.25', '', '3.1']), 'regression', 'numeric text counts, empty labels are skipped');
    });

    it('needs more than two distinct values before fractions mean regression', () => {
      assert.equal(detectTask([0.5, 1.5, 0.5]), 'classification');
    });
  });
});
