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
      properties: {
        comparison: { enum: string[] };
        scope: { oneOf: { required: string[]; properties: { kind: { const: string } } }[] };
        trigger: { required: string[]; properties: Record<string, unknown> };
        schedule: { properties: { everyMinutes: { minimum: number } } };
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
    assert.deepEqual(rule.required.sort(), ['comparison', 'id', 'metric', 'scope', 'threshold']);
    assert.deepEqual(Object.keys(rule.properties).sort(), ['comparison', 'id', 'metric', 'schedule', 'scope', 'threshold', 'trigger']);
    assert.deepEqual(rule.properties.comparison.enum, [...comparisons]);
    assert.deepEqual(
      rule.properties.scope.oneOf.map((scope) => [scope.properties.kind.const, scope.required]),
      [['all', ['kind']], ['experiment', ['kind', 'experimentId']], ['model', ['kind', 'name']]],
    );
    assert.deepEqual(Object.keys(rule.properties.trigger.properties).sort(), ['parameters', 'pipeline']);
    assert.equal(rule.properties.schedule.properties.everyMinutes.minimum, 1);
    assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', 'rules']);
    // Each snippet the editor offers is a rule the validator accepts (with its placeholders filled in).
    const snippets = (rule as unknown as { defaultSnippets: { body: unknown }[] }).defaultSnippets.map((snippet) =>
      JSON.parse(JSON.stringify(snippet.body).replace(/"\^\$\{\d+:([^}]*)\}"/g, '$1').replace(/\$\{\d+\|([^,|]*)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\$\d+/g, 'x')),
    );
    assert.ok('rules' in validateRules(snippets), JSON.stringify(validateRules(snippets)));
  });

  it('creates a file with no rules and offers an example the validator accepts', () => {
    assert.deepEqual(validateRules(JSON.parse(emptyAlertsJson)), { rules: [] });
    const example = validateRules(JSON.parse(exampleAlertsJson));
    assert.ok('rules' in example);
    assert.deepEqual(example.rules.map((rule) => rule.id), ['val-loss-high', 'retrain-on-drift']);
    assert.deepEqual(example.rules[1].trigger, { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } });
  });
});
