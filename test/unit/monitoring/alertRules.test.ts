import * as assert from 'node:assert/strict';
import { AlertRule, compare, describeFiring, describeSchedule, evaluate, isMetricRule, isScheduledRun, MetricAlertRule, validateRules } from '../../../src/core/monitoring/alertRules';

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
        'rules[0].schedule.everyMinutes: expected a number of minutes greater than 0 (0.5 is 30 seconds) but found 0 (a number)',
        'rules[1].trigger: expected an object { "pipeline": "…", "parameters": { … } } but found "p.py" (a string)',
        'rules[1].schedule.every: unknown field; known fields: everyMinutes',
        'rules[1].schedule.everyMinutes: expected a number of minutes greater than 0 (0.5 is 30 seconds) but found nothing',
      ]);
      assert.deepEqual(errorsOf([{ ...accuracyRule, schedule: { everyMinutes: '5' } }]), [
        'rules[0].schedule.everyMinutes: expected a number of minutes greater than 0 (0.5 is 30 seconds) but found "5" (a string) (write 5 without quotes)',
      ]);
      assert.deepEqual(rulesOf([{ ...accuracyRule, schedule: { everyMinutes: 0.5 } }])[0].schedule, { everyMinutes: 0.5 }, 'fractions of a minute are allowed');
    });

    it('accepts a scheduled run: schedule and trigger, no metric', () => {
      const nightly = { id: 'nightly-retrain', schedule: { everyMinutes: 1440 }, trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } } };
      const [rule] = rulesOf({ rules: [nightly] });
      assert.deepEqual(rule, nightly);
      assert.ok(isScheduledRun(rule));
      assert.ok(!isMetricRule(rule));
      assert.ok(isMetricRule(rulesOf([accuracyRule])[0]));
      assert.deepEqual(rulesOf([{ id: 'no-params', schedule: { everyMinutes: 60 }, trigger: { pipeline: 'p.py' } }])[0], { id: 'no-params', schedule: { everyMinutes: 60 }, trigger: { pipeline: 'p.py', parameters: {} } });
      assert.equal(evaluate(rule, { experimentId: '1', key: 'anything', value: 1 }), false, 'a scheduled run watches no metric');
    });

    it('wants metric, comparison and threshold all together or not at all', () => {
      assert.deepEqual(errorsOf([{ id: 'half', metric: 'loss', scope: { kind: 'all' } }]), [
        'rules[0].comparison: missing; use one of >, >=, <, <=, ==, !=',
        'rules[0].threshold: missing; give the number to compare the metric with',
      ]);
      assert.deepEqual(errorsOf([{ id: 'no-metric', comparison: '>', threshold: 1, scope: { kind: 'all' } }]), [
        'rules[0].metric: missing; a rule with a comparison or a threshold needs the metric key they apply to (or remove them for a scheduled run)',
      ]);
      assert.deepEqual(errorsOf([{ id: 'just-threshold', threshold: 1, schedule: { everyMinutes: 5 }, trigger: { pipeline: 'p.py' } }]), [
        'rules[0].metric: missing; a rule with a comparison or a threshold needs the metric key they apply to (or remove them for a scheduled run)',
        'rules[0].comparison: missing; use one of >, >=, <, <=, ==, !=',
        'rules[0].scope: missing; use { "kind": "all" }, { "kind": "experiment", "experimentId": "1" } or { "kind": "model", "name": "churn" }',
      ]);
    });

    it('wants a schedule and a trigger on a rule without a metric, and no scope', () => {
      assert.deepEqual(errorsOf([{ id: 'bare' }]), [
        'rules[0].schedule: missing; a rule without a metric is a scheduled run and needs { "everyMinutes": 1440 } (or give metric, comparison and threshold to make it an alert)',
        'rules[0].trigger: missing; a rule without a metric is a scheduled run and needs the pipeline to run, e.g. { "pipeline": "pipelines/train.py" }',
      ]);
      assert.deepEqual(errorsOf([{ id: 'timer-only', schedule: { everyMinutes: 5 } }]), [
        'rules[0].trigger: missing; a rule without a metric is a scheduled run and needs the pipeline to run, e.g. { "pipeline": "pipelines/train.py" }',
      ]);
      assert.deepEqual(errorsOf([{ id: 'scoped', scope: { kind: 'all' }, schedule: { everyMinutes: 5 }, trigger: { pipeline: 'p.py' } }]), [
        'rules[0].scope: a rule without a metric watches no runs; remove the scope, or add metric, comparison and threshold to make it an alert',
      ]);
      assert.deepEqual(errorsOf([{ id: 'zero', schedule: { everyMinutes: -1 }, trigger: { pipeline: 'p.py' } }]), [
        'rules[0].schedule.everyMinutes: expected a number of minutes greater than 0 (0.5 is 30 seconds) but found -1 (a number)',
      ]);
    });

    it('describes a schedule', () => {
      assert.equal(describeSchedule({ everyMinutes: 1440 }), 'every 1440 minutes');
      assert.equal(describeSchedule({ everyMinutes: 1 }), 'every 1 minute');
      assert.equal(describeSchedule({ everyMinutes: 0.5 }), 'every 0.5 minutes');
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
    const rule = rulesOf([accuracyRule])[0] as MetricAlertRule;

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
      const modelRule: MetricAlertRule = { id: 'm', metric: 'rmse', comparison: '>', threshold: 1, scope: { kind: 'model', name: 'churn' } };
      assert.equal(evaluate(modelRule, { experimentId: '1', modelName: 'churn', key: 'rmse', value: 2 }), true);
      assert.equal(evaluate(modelRule, { experimentId: '1', key: 'rmse', value: 2 }), false);
      const allRule: MetricAlertRule = { ...modelRule, scope: { kind: 'all' } };
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
