import * as assert from 'node:assert/strict';
import { AlertRule, compare, describeFiring, evaluate, validateRules } from '../../../src/core/monitoring/alertRules';

const accuracyRule = {
  id: 'accuracy-drop',
  metric: 'val_accuracy',
  comparison: '<',
  threshold: 0.8,
  scope: { kind: 'experiment', experimentId: '3' },
  trigger: { pipeline: 'pipelines/retrain.py', parameters: { epochs: '20' } },
  schedule: { everyMinutes: 15 },
};

function errorsOf(json: unknown): string[] {
  const result = validateRules(json);
  assert.ok('errors' in result, `expected errors, got ${JSON.stringify(result)}`);
  return result.errors;
}

function rulesOf(json: unknown): AlertRule[] {
  const result = validateRules(json);
  assert.ok('rules' in result, `expected rules, got ${JSON.stringify(result)}`);
  return result.rules;
}

describe('alert rules', () => {
  describe('validateRules', () => {
    it('accepts a full rule file and a bare array', () => {
      const rules = rulesOf({ rules: [accuracyRule, { id: 'loss', metric: 'loss', comparison: '>=', threshold: 2, scope: { kind: 'all' } }] });
      assert.equal(rules.length, 2);
      assert.deepEqual(rules[0], accuracyRule);
      assert.deepEqual(rules[1], { id: 'loss', metric: 'loss', comparison: '>=', threshold: 2, scope: { kind: 'all' } });
      assert.equal(rulesOf([{ id: 'm', metric: 'rmse', comparison: '>', threshold: 1, scope: { kind: 'model', name: 'churn' } }]).length, 1);
      assert.deepEqual(rulesOf({ rules: [] }), []);
    });

    it('names the field and what was wrong, for every problem at once', () => {
      const errors = errorsOf({
        rules: [
          { id: '', metric: 'acc', comparison: '=>', threshold: '0.8', scope: { kind: 'experiment', experimentId: 3 } },
          { id: 'b', metric: 7, comparison: '<', scope: { kind: 'run' } },
        ],
      });
      assert.deepEqual(errors, [
        'rules[0].id: expected a non-empty string but found "" (a string)',
        'rules[0].comparison: expected one of >, >=, <, <=, ==, != but found "=>" (a string)',
        'rules[0].threshold: expected a number but found "0.8" (a string) (write 0.8 without quotes)',
        'rules[0].scope.experimentId: expected a string but found 3 (a number); write "3"',
        'rules[1].metric: expected a non-empty string but found 7 (a number)',
        'rules[1].threshold: missing; give the number to compare the metric with',
        'rules[1].scope.kind: expected "experiment", "model" or "all" but found "run" (a string)',
      ]);
    });

    it('suggests the field meant by a misspelt one', () => {
      const errors = errorsOf([{ ...accuracyRule, treshold: 1 }]);
      assert.deepEqual(errors, ['rules[0].treshold: unknown field; did you mean "threshold"?']);
      assert.deepEqual(errorsOf({ rule: [] }), ['rule: unknown field; did you mean "rules"?', 'rules: missing; the file needs a "rules" array, e.g. { "rules": [] }']);
      assert.deepEqual(errorsOf([{ ...accuracyRule, scope: { kind: 'all', experimentId: '3' } }]), ['rules[0].scope.experimentId: unknown field; known fields: kind']);
    });

    it('checks triggers and schedules', () => {
      const errors = errorsOf([
        { ...accuracyRule, trigger: { pipeline: 'p.py', parameters: { epochs: 20, name: 'x' } }, schedule: { everyMinutes: 0 } },
        { ...accuracyRule, id: 'second', trigger: 'p.py', schedule: { every: 5 } },
      ]);
      assert.deepEqual(errors, [
        'rules[0].trigger.parameters.epochs: expected a string but found 20 (a number); write "20"',
        'rules[0].schedule.everyMinutes: expected a whole number of minutes, at least 1, but found 0 (a number)',
        'rules[1].trigger: expected an object { "pipeline": "…", "parameters": { … } } but found "p.py" (a string)',
        'rules[1].schedule.every: unknown field; known fields: everyMinutes',
        'rules[1].schedule.everyMinutes: expected a whole number of minutes, at least 1, but found nothing',
      ]);
    });

    it('refuses duplicate ids, pointing at the first use', () => {
      assert.deepEqual(errorsOf([accuracyRule, accuracyRule]), ['rules[1].id: "accuracy-drop" is already the id of rules[0]; ids must be unique']);
    });

    it('explains a file that is not a rule list', () => {
      assert.deepEqual(errorsOf('rules'), ['expected an object with a "rules" array but found "rules" (a string)']);
      assert.deepEqual(errorsOf({ rules: {} }), ['rules: expected an array of rules but found an object']);
      assert.deepEqual(errorsOf([null]), ['rules[0]: expected a rule object but found null']);
    });
  });

  describe('evaluate', () => {
    const rule = rulesOf([accuracyRule])[0];

    it('fires when the metric crosses the threshold in the rule scope', () => {
      assert.equal(evaluate(rule, { experimentId: '3', key: 'val_accuracy', value: 0.79 }), true);
      assert.equal(evaluate(rule, { experimentId: '3', key: 'val_accuracy', value: 0.8 }), false, 'strictly below');
    });

    it('ignores other metrics, other experiments and NaN', () => {
      assert.equal(evaluate(rule, { experimentId: '3', key: 'accuracy', value: 0.1 }), false);
      assert.equal(evaluate(rule, { experimentId: '4', key: 'val_accuracy', value: 0.1 }), false);
      assert.equal(evaluate(rule, { experimentId: '3', key: 'val_accuracy', value: NaN }), false);
    });

    it('scopes model rules by model name and "all" rules by nothing', () => {
      const modelRule: AlertRule = { id: 'm', metric: 'rmse', comparison: '>', threshold: 1, scope: { kind: 'model', name: 'churn' } };
      assert.equal(evaluate(modelRule, { experimentId: '1', modelName: 'churn', key: 'rmse', value: 2 }), true);
      assert.equal(evaluate(modelRule, { experimentId: '1', key: 'rmse', value: 2 }), false);
      const allRule: AlertRule = { ...modelRule, scope: { kind: 'all' } };
      assert.equal(evaluate(allRule, { experimentId: '9', key: 'rmse', value: 2 }), true);
    });

    it('implements all six comparisons', () => {
      assert.deepEqual(
        (['>', '>=', '<', '<=', '==', '!='] as const).map((comparison) => [1, 2, 3].map((value) => compare(value, comparison, 2))),
        [
          [false, false, true],
          [false, true, true],
          [true, false, false],
          [true, true, false],
          [false, true, false],
          [true, false, true],
        ],
      );
    });

    it('describes a firing in one line', () => {
      assert.equal(
        describeFiring(rule, { experimentId: '3', runId: 'abc', key: 'val_accuracy', value: 0.71 }),
        'Rule "accuracy-drop": val_accuracy = 0.71 (< 0.8) in run abc, experiment 3.',
      );
    });
  });
});
