import assert from 'node:assert/strict';
import type { AlertRule } from '../../../src/core/monitoring/alertRules';
import { validateRules } from '../../../src/core/monitoring/alertRules';
import { emptyAlertsJson, exampleAlertsJson } from '../../../src/core/monitoring/alertsExample';
import {
  addRuleToText,
  checkNewRule,
  formatParameterAssignments,
  formatRule,
  inlineJson,
  newAlertsText,
  parseMinutes,
  parseParameterAssignments,
  parseThreshold,
  removeRuleFromText,
  ruleEntriesInText,
  ruleIdProblem,
  ruleIdsInText,
  suggestRuleId,
  summarizeRule,
} from '../../../src/core/monitoring/alertsFileEdit';
import { parsePipeline } from '../../../src/core/pipelines/parsePipeline';

const lossHigh: AlertRule = { id: 'loss-high', metric: 'val_loss', comparison: '>', threshold: 0.9, scope: { kind: 'all' } };
const nightly: AlertRule = { id: 'nightly', schedule: { everyMinutes: 1440 }, trigger: { pipeline: 'pipelines/train.py', parameters: { data_window: '30' } } };

function added(text: string | undefined, rule: AlertRule): { text: string; line: number } {
  const result = addRuleToText(text, rule);
  assert.ok('text' in result, JSON.stringify(result));
  return result;
}

function rulesIn(text: string): AlertRule[] {
  const checked = validateRules(JSON.parse(text));
  assert.ok('rules' in checked, JSON.stringify(checked));
  return checked.rules;
}

describe('alerts.json edits (Add / Remove Alert Rule)', () => {
  it('formats a rule one field a line, its small objects inline', () => {
    assert.equal(
      formatRule(nightly, '    ', '  '),
      ['{', '      "id": "nightly",', '      "schedule": { "everyMinutes": 1440 },', '      "trigger": { "pipeline": "pipelines/train.py", "parameters": { "data_window": "30" } }', '    }'].join('\n'),
    );
    assert.equal(inlineJson({ kind: 'experiment', experimentId: '3' }), '{ "kind": "experiment", "experimentId": "3" }');
    assert.equal(inlineJson({ pipeline: 'p.py', parameters: {} }), '{ "pipeline": "p.py", "parameters": {} }');
  });

  it('creates the file for a first rule', () => {
    const { text, line } = added(undefined, lossHigh);
    assert.equal(text, newAlertsText(lossHigh));
    assert.equal(text.split('\n')[line].trim(), '{');
    assert.deepEqual(rulesIn(text), [lossHigh]);
    assert.deepEqual(rulesIn(added('  \n', nightly).text), [nightly]);
  });

  it('adds to the empty file "Edit Alert Rules" creates', () => {
    const { text, line } = added(emptyAlertsJson, nightly);
    assert.equal(text, `{\n  "rules": [\n    ${formatRule(nightly, '    ', '  ')}\n  ]\n}\n`);
    assert.equal(line, 2);
    assert.deepEqual(rulesIn(text), [nightly]);
  });

  it('appends after the last rule and leaves the others’ text alone', () => {
    const { text, line } = added(exampleAlertsJson, { ...nightly, id: 'weekly', schedule: { everyMinutes: 10080 } });
    assert.ok(text.startsWith(exampleAlertsJson.slice(0, exampleAlertsJson.lastIndexOf('}\n  ]'))), 'the text before the new rule is unchanged');
    assert.deepEqual(
      rulesIn(text).map((rule) => rule.id),
      ['val-loss-high', 'retrain-on-drift', 'nightly-retrain', 'weekly'],
    );
    const lines = text.split('\n');
    assert.equal(lines[line], '    {');
    assert.equal(lines[line + 1], '      "id": "weekly",');
    assert.ok(text.endsWith('    }\n  ]\n}\n'));
  });

  it('keeps a file’s own indentation, and handles one-line files and bare arrays', () => {
    const tabs = '{\n\t"rules": [\n\t\t{ "id": "a", "schedule": { "everyMinutes": 5 }, "trigger": { "pipeline": "p.py" } }\n\t]\n}\n';
    const withTabs = added(tabs, lossHigh).text;
    assert.match(withTabs, /\n\t\t\{\n\t\t\t"id": "loss-high",\n/);
    assert.deepEqual(
      rulesIn(withTabs).map((rule) => rule.id),
      ['a', 'loss-high'],
    );
    const oneLine = added('{"rules":[]}', lossHigh).text;
    assert.deepEqual(rulesIn(oneLine), [lossHigh]);
    const compact = added('{"$schema":"x","rules":[{"id":"a","schedule":{"everyMinutes":5},"trigger":{"pipeline":"p.py"}}]}', lossHigh).text;
    assert.deepEqual(
      rulesIn(compact).map((rule) => rule.id),
      ['a', 'loss-high'],
    );
    assert.equal(JSON.parse(compact).$schema, 'x');
    const bare = added('[\n  { "id": "a", "schedule": { "everyMinutes": 5 }, "trigger": { "pipeline": "p.py" } }\n]\n', lossHigh).text;
    assert.deepEqual(
      rulesIn(bare).map((rule) => rule.id),
      ['a', 'loss-high'],
    );
  });

  it('finds the rules array after other keys, with strings that look like JSON', () => {
    const tricky = '{ "$schema": "a \\" ] } [ ,", "rules": [ { "id": "x, ] }", "schedule": { "everyMinutes": 5 }, "trigger": { "pipeline": "[p].py" } } ] }';
    assert.deepEqual(ruleIdsInText(tricky), ['x, ] }']);
    assert.deepEqual(
      rulesIn(added(tricky, lossHigh).text).map((rule) => rule.id),
      ['x, ] }', 'loss-high'],
    );
  });

  it('refuses a file that is not JSON, has no rules array, or has the id already', () => {
    assert.match((addRuleToText('{ "rules": [', lossHigh) as { error: string }).error, /is not valid JSON .*; fix it first/);
    assert.deepEqual(addRuleToText('{ "other": 1 }', lossHigh), { error: '.trackside/alerts.json has no "rules" array; add "rules": [] first' });
    assert.deepEqual(addRuleToText('{ "rules": {} }', lossHigh), { error: '.trackside/alerts.json: "rules" is not an array; fix it first' });
    assert.deepEqual(addRuleToText('"rules"', lossHigh), { error: '.trackside/alerts.json is not an object with a "rules" array; fix it first' });
    const once = added(emptyAlertsJson, lossHigh).text;
    assert.deepEqual(addRuleToText(once, lossHigh), { error: '.trackside/alerts.json already has a rule "loss-high"; choose another id' });
  });

  it('removes a rule, first, middle, last or only, and the file stays valid', () => {
    const ids = (text: string): string[] => rulesIn(text).map((rule) => rule.id);
    const removed = (text: string, id: string): string => {
      const result = removeRuleFromText(text, id);
      assert.ok('text' in result, JSON.stringify(result));
      return result.text;
    };
    assert.deepEqual(ids(removed(exampleAlertsJson, 'val-loss-high')), ['retrain-on-drift', 'nightly-retrain']);
    assert.deepEqual(ids(removed(exampleAlertsJson, 'retrain-on-drift')), ['val-loss-high', 'nightly-retrain']);
    const last = removed(exampleAlertsJson, 'nightly-retrain');
    assert.deepEqual(ids(last), ['val-loss-high', 'retrain-on-drift']);
    assert.ok(last.endsWith('    }\n  ]\n}\n'), last);
    const only = removed(added(emptyAlertsJson, lossHigh).text, 'loss-high');
    assert.equal(only, '{\n  "rules": []\n}\n');
    assert.deepEqual(removeRuleFromText(exampleAlertsJson, 'nope'), { error: '.trackside/alerts.json has no rule "nope"' });
    // Adding then removing gives the file back.
    assert.equal(removed(added(exampleAlertsJson, nightly).text, 'nightly'), exampleAlertsJson);
  });

  it('lists the entries of a file, even one the validator refuses', () => {
    const entries = ruleEntriesInText('{ "rules": [ { "id": "a", "metric": "m" }, 5, { "id": "b" } ] }');
    assert.deepEqual(
      (entries as { id: string }[]).map((entry) => entry.id),
      ['a', 'b'],
    );
    assert.deepEqual(ruleIdsInText('not json'), []);
  });

  it('checks a rule given as an object, without the rules[0] prefix', () => {
    assert.deepEqual(checkNewRule(nightly, []), { rule: nightly });
    assert.deepEqual(checkNewRule({ id: 'x', metric: 'loss', threshold: 1 }, []), {
      errors: ['comparison: missing; use one of >, >=, <, <=, ==, !=', 'scope: missing; use { "kind": "all" }, { "kind": "experiment", "experimentId": "1" } or { "kind": "model", "name": "churn" }'],
    });
    assert.deepEqual(checkNewRule(nightly, ['nightly']), { errors: ['id: "nightly" is already the id of a rule in .trackside/alerts.json; ids must be unique'] });
    assert.deepEqual(checkNewRule('rule', []), { errors: ['expected a rule object but found "rule" (a string)'] });
  });

  it('suggests unused ids and explains unusable ones', () => {
    assert.equal(suggestRuleId({ metric: 'val_loss', comparison: '>', threshold: 0.9 }, []), 'val_loss-above-0.9');
    assert.equal(suggestRuleId({ metric: 'perf.accuracy', comparison: '<=', threshold: 0.7 }, ['perf.accuracy-at-most-0.7']), 'perf.accuracy-at-most-0.7-2');
    assert.equal(suggestRuleId({ trigger: { pipeline: 'pipelines/train.py' }, schedule: { everyMinutes: 1440 } }, ['train-every-1440m', 'train-every-1440m-2']), 'train-every-1440m-3');
    assert.equal(suggestRuleId({ metric: 'loss', comparison: '=>' as never, threshold: '1' as never }, []), 'loss', 'fields of the wrong type are left out');
    assert.equal(suggestRuleId({ trigger: { pipeline: 5 as never } }, []), 'scheduled');
    assert.equal(ruleIdProblem('', []), 'Give the rule an id (it names the run tag trackside.alert.<id>).');
    assert.equal(ruleIdProblem(' a', []), 'No spaces at the start or end, please.');
    assert.equal(ruleIdProblem('a', ['a']), 'A rule "a" exists already; ids must be unique.');
    assert.equal(ruleIdProblem('b', ['a']), undefined);
  });

  it('reads thresholds and minutes as the prompts validate them', () => {
    assert.deepEqual(parseThreshold(' 0.9 '), { value: 0.9 });
    assert.deepEqual(parseThreshold('-1e-3'), { value: -0.001 });
    assert.deepEqual(parseThreshold('abc'), { error: 'Type a number such as 0.9 or 1e-3, not "abc".' });
    assert.deepEqual(parseThreshold(''), { error: 'Type a number such as 0.9 or 1e-3.' });
    assert.deepEqual(parseMinutes('1440'), { value: 1440 });
    assert.deepEqual(parseMinutes('0.5'), { value: 0.5 });
    assert.deepEqual(parseMinutes('0'), { error: 'Type a number of minutes greater than 0 (1440 is a day, 0.5 is 30 seconds), not "0".' });
  });

  it('reads name=value parameters, checked against the parameters cell', () => {
    const declared = parsePipeline('# %% tags=["parameters"]\ndata_window: int = 7\nname = "churn"\nlayers = [1, 2]\n\n# %%\nprint(data_window)\n').parameters;
    assert.deepEqual(parseParameterAssignments('data_window=30, name=churn v2, layers=[3, 4]', declared), {
      parameters: { data_window: '30', name: 'churn v2', layers: '[3, 4]' },
    });
    assert.deepEqual(parseParameterAssignments('', declared), { parameters: {} });
    assert.deepEqual(parseParameterAssignments('extra = "a, b" ,', declared), { parameters: { extra: '"a, b"' } }, 'a name the cell lacks is passed as written');
    assert.deepEqual(parseParameterAssignments('data_window=thirty', declared), { error: "Parameter 'data_window' expects an int (a whole number such as 10), got 'thirty'." });
    assert.deepEqual(parseParameterAssignments('data_window', declared), { error: '"data_window" is not name=value.' });
    assert.deepEqual(parseParameterAssignments('1x=2'), { error: '"1x" is not a Python variable name.' });
    assert.deepEqual(parseParameterAssignments('a=1, a=2'), { error: 'a is given twice.' });
    assert.equal(formatParameterAssignments({ data_window: '30', layers: '[3, 4]' }), 'data_window=30, layers=[3, 4]');
    assert.deepEqual(parseParameterAssignments(formatParameterAssignments({ data_window: '30', layers: '[3, 4]' }), declared), { parameters: { data_window: '30', layers: '[3, 4]' } });
  });

  it('sums a rule up in one line', () => {
    assert.equal(summarizeRule(lossHigh), 'val_loss > 0.9 · all runs');
    assert.equal(summarizeRule(nightly), 'runs every 1440 minutes · pipelines/train.py');
    assert.equal(
      summarizeRule({ ...lossHigh, scope: { kind: 'model', name: 'churn' }, trigger: { pipeline: 'p.py' }, schedule: { everyMinutes: 5 } }),
      'val_loss > 0.9 · model churn · checked every 5 minutes · runs p.py',
    );
  });
});
