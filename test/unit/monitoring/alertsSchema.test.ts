import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { comparisons, validateRules } from '../../../src/core/monitoring/alertRules';
import { emptyAlertsJson, exampleAlertsJson } from '../../../src/core/monitoring/alertsExample';

function projectFile(...parts: string[]): string {
  for (let folder = __dirname; folder !== path.dirname(folder); folder = path.dirname(folder)) {
    const candidate = path.join(folder, ...parts);
    if (fs.existsSync(candidate)) return candidate;
  }
  return path.resolve(...parts);
}

interface Schema {
  required: string[];
  properties: Record<string, unknown>;
  definitions: {
    rule: {
      required: string[];
      dependencies: Record<string, string[]>;
      anyOf: { required: string[] }[];
      properties: {
        comparison: { enum: string[] };
        scope: { oneOf: { required: string[]; properties: { kind: { const: string } } }[] };
        trigger: { required: string[]; properties: Record<string, unknown> };
        schedule: { properties: { everyMinutes: { type: string; exclusiveMinimum: number } } };
      } & Record<string, unknown>;
    };
  };
}

describe('alerts.json: the contributed JSON schema and the example agree with validateRules', () => {
  const schema = JSON.parse(fs.readFileSync(projectFile('media', 'schemas', 'alerts.schema.json'), 'utf8')) as Schema;
  const manifest = JSON.parse(fs.readFileSync(projectFile('package.json'), 'utf8'));

  it('is contributed for .trackside/alerts.json', () => {
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '**/.trackside/alerts.json', url: './media/schemas/alerts.schema.json' }]);
  });

  it('has the fields, comparisons and scopes the validator accepts', () => {
    const rule = schema.definitions.rule;
    // A metric alert (metric, comparison, threshold, scope together) or a scheduled run (schedule and trigger).
    assert.deepEqual(rule.required, ['id']);
    assert.deepEqual(rule.dependencies, { metric: ['comparison', 'threshold', 'scope'], comparison: ['metric'], threshold: ['metric'], scope: ['metric'] });
    assert.deepEqual(rule.anyOf, [{ required: ['metric'] }, { required: ['schedule', 'trigger'] }]);
    assert.deepEqual(Object.keys(rule.properties).sort(), ['comparison', 'id', 'metric', 'schedule', 'scope', 'threshold', 'trigger']);
    assert.deepEqual(rule.properties.comparison.enum, [...comparisons]);
    assert.deepEqual(
      rule.properties.scope.oneOf.map((scope) => [scope.properties.kind.const, scope.required]),
      [['all', ['kind']], ['experiment', ['kind', 'experimentId']], ['model', ['kind', 'name']]],
    );
    assert.deepEqual(Object.keys(rule.properties.trigger.properties).sort(), ['parameters', 'pipeline']);
    assert.deepEqual(rule.properties.schedule.properties.everyMinutes, { ...rule.properties.schedule.properties.everyMinutes, type: 'number', exclusiveMinimum: 0 });
    assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', 'rules']);
    // Each snippet the editor offers is a rule the validator accepts (with its placeholders filled in).
    const snippets = (rule as unknown as { defaultSnippets: { body: unknown }[] }).defaultSnippets.map((snippet) =>
      JSON.parse(JSON.stringify(snippet.body).replace(/"\^\$\{\d+:([^}]*)\}"/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, 'x')),
    );
    assert.equal(snippets.length, 3);
    assert.ok('rules' in validateRules(snippets), JSON.stringify(validateRules(snippets)));
  });

  it('agrees with the validator on which fields a rule needs together (every combination)', () => {
    const rule = schema.definitions.rule;
    const values: Record<string, unknown> = {
      metric: 'val_loss',
      comparison: '>',
      threshold: 0.9,
      scope: { kind: 'all' },
      trigger: { pipeline: 'pipelines/train.py' },
      schedule: { everyMinutes: 60 },
    };
    const fields = Object.keys(values);
    const schemaAccepts = (candidate: Record<string, unknown>): boolean =>
      rule.required.every((field) => field in candidate) &&
      Object.entries(rule.dependencies).every(([field, needed]) => !(field in candidate) || needed.every((other) => other in candidate)) &&
      rule.anyOf.some((option) => option.required.every((field) => field in candidate));
    let accepted = 0;
    for (let mask = 0; mask < 1 << fields.length; mask++) {
      const candidate: Record<string, unknown> = { id: 'r' };
      fields.forEach((field, index) => {
        if (mask & (1 << index)) candidate[field] = values[field];
      });
      const valid = 'rules' in validateRules([candidate]);
      assert.equal(schemaAccepts(candidate), valid, `${Object.keys(candidate).join(', ')}: validator says ${valid ? 'valid' : JSON.stringify(validateRules([candidate]))}`);
      if (valid) accepted++;
    }
    assert.equal(accepted, 5, 'a metric alert with or without trigger and schedule (4), and a scheduled run (1)');
  });

  it('creates a file with no rules and offers an example the validator accepts', () => {
    assert.deepEqual(validateRules(JSON.parse(emptyAlertsJson)), { rules: [] });
    const example = validateRules(JSON.parse(exampleAlertsJson));
    assert.ok('rules' in example);
    assert.deepEqual(example.rules.map((rule) => rule.id), ['val-loss-high', 'retrain-on-drift', 'nightly-retrain']);
    assert.deepEqual(example.rules[1].trigger, { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } });
    assert.deepEqual(example.rules[2], { id: 'nightly-retrain', schedule: { everyMinutes: 1440 }, trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } } });
  });
});
