import assert from 'node:assert/strict';
import { filterString } from '../../../src/core/search/filterLiteral';
import { parseFilter } from '../../../src/core/search/filterParser';
import { parseRunFilter, validateRunFilter } from '../../../src/core/search/runFilter';
import { TrackingError } from '../../../src/core/store/trackingError';

/** The INVALID_PARAMETER_VALUE message a run filter gets. */
function runFilterError(filter: string): string {
  try {
    parseRunFilter(filter);
  } catch (e) {
    assert.ok(e instanceof TrackingError, String(e));
    assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
    return e.message;
  }
  assert.fail(`expected ${JSON.stringify(filter)} to be rejected`);
}

describe('parseFilter', () => {
  it('is undefined for an empty or blank filter', () => {
    assert.equal(parseFilter(undefined), undefined);
    assert.equal(parseFilter(''), undefined);
    assert.equal(parseFilter(' \t\n '), undefined);
    assert.equal(parseRunFilter('  '), undefined);
  });

  it('splits entity and key at the first dot and unquotes quoted keys', () => {
    const tree = parseFilter("tags.mlflow.source.type = 'x' AND `Run Name` = \"y\" AND params.`a.b` LIKE 'z'");
    assert.ok(tree && tree.kind === 'and');
    const identifiers = tree.operands.map((o) => (o.kind === 'condition' ? o.condition.identifier : undefined));
    assert.deepEqual(identifiers, [
      { entity: 'tags', key: 'mlflow.source.type', text: 'tags.mlflow.source.type' },
      { key: 'Run Name', text: '`Run Name`' },
      { entity: 'params', key: 'a.b', text: 'params.`a.b`' },
    ]);
  });

  it('binds AND tighter than OR and keeps parentheses', () => {
    const shape = (filter: string): unknown => {
      const simplify = (t: NonNullable<ReturnType<typeof parseFilter>>): unknown =>
        t.kind === 'condition' ? t.condition.identifier.key : { [t.kind]: t.operands.map(simplify) };
      const tree = parseFilter(filter);
      return tree && simplify(tree);
    };
    assert.deepEqual(shape("a = 'x' OR b = 'x' AND c = 'x'"), { or: ['a', { and: ['b', 'c'] }] });
    assert.deepEqual(shape("(a = 'x' OR b = 'x') AND c = 'x'"), { and: [{ or: ['a', 'b'] }, 'c'] });
    assert.deepEqual(shape("a = 'x' and b = 'x' and c = 'x'"), { and: ['a', 'b', 'c'] });
    assert.deepEqual(shape("((a = 'x'))"), 'a');
  });

  it('reads back exactly the value filterString quoted, quotes and backslashes included', () => {
    for (const value of ["churn", "it's", 'C:\\models\\', "a\\'b", '']) {
      const tree = parseFilter(`name = ${filterString(value)}`);
      assert.ok(tree && tree.kind === 'condition');
      assert.equal(tree.condition.value.kind, 'string');
      assert.equal(tree.condition.value.value, value);
    }
  });

  it('reads comparators, keywords in any case, numbers and lists', () => {
    const tree = parseFilter("m.a >= -1.5e3 and p.b not in ('x', \"y\") AND p.c ilike '%z'");
    assert.ok(tree && tree.kind === 'and');
    const conditions = tree.operands.map((o) => (o.kind === 'condition' ? o.condition : undefined));
    assert.equal(conditions[0]?.comparator, '>=');
    assert.deepEqual(conditions[0]?.value, { kind: 'number', value: -1500, text: '-1.5e3' });
    assert.equal(conditions[1]?.comparator, 'NOT IN');
    assert.deepEqual(conditions[1]?.value, {
      kind: 'list',
      text: "('x', \"y\")",
      items: [
        { kind: 'string', value: 'x', text: "'x'" },
        { kind: 'string', value: 'y', text: '"y"' },
      ],
    });
    assert.equal(conditions[2]?.comparator, 'ILIKE');
  });
});

describe('run filter errors (MLflow messages)', () => {
  it('rejects an unknown entity prefix', () => {
    assert.equal(
      runFilterError("foo.x = 'a'"),
      "Invalid entity type 'foo'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
    );
  });

  it('rejects non-numeric metric and numeric-attribute values', () => {
    assert.equal(runFilterError("metrics.rmse = 'x'"), "Expected numeric value type for metric. Found 'x'");
    assert.equal(runFilterError('metrics.rmse > 1abc'), 'Expected numeric value type for metric. Found 1abc');
    assert.equal(
      runFilterError("start_time = 'x'"),
      "Expected numeric value type for numeric attribute: start_time. Found 'x'",
    );
    assert.equal(runFilterError("created IN ('1')"), "Expected numeric value type for numeric attribute: created. Found ('1')");
  });

  it('rejects comparators an entity does not take', () => {
    const stringSet = "'{'!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'";
    const numericSet = "'{'>', '>=', '!=', '=', '<', '<='}'";
    assert.equal(runFilterError("params.model > 'a'"), `Invalid comparator '>' not one of ${stringSet}`);
    assert.equal(runFilterError("tags.t <= 'a'"), `Invalid comparator '<=' not one of ${stringSet}`);
    assert.equal(runFilterError("status < 'a'"), `Invalid comparator '<' not one of ${stringSet}`);
    assert.equal(runFilterError("datasets.name >= 'a'"), `Invalid comparator '>=' not one of ${stringSet}`);
    assert.equal(runFilterError('metrics.rmse LIKE 1'), `Invalid comparator 'LIKE' not one of ${numericSet}`);
    assert.equal(runFilterError('end_time ILIKE 5'), `Invalid comparator 'ILIKE' not one of ${numericSet}`);
    assert.equal(runFilterError('metrics.rmse == 1'), `Invalid comparator '==' not one of ${numericSet}`);
    assert.equal(runFilterError('metrics.rmse <> 1'), `Invalid comparator '<>' not one of ${numericSet}`);
  });

  it('rejects unknown attribute and dataset keys; lifecycle_stage is not searchable', () => {
    assert.equal(
      runFilterError("attributes.lifecycle_stage = 'active'"),
      "Invalid attribute key 'lifecycle_stage' specified. Valid keys are '{'Created', 'Run Name', 'Run name', " +
        "'artifact_uri', 'created', 'end_time', 'run name', 'run_id', 'run_name', 'start_time', 'status', 'user_id'}'",
    );
    assert.match(runFilterError("experiment_id = '1'"), /^Invalid attribute key 'experiment_id' specified\./);
    assert.equal(
      runFilterError("datasets.foo = 'x'"),
      "Invalid dataset key 'foo' specified. Valid keys are '{'name', 'digest', 'context'}'",
    );
  });

  it('rejects unquoted and wrongly typed string values', () => {
    assert.equal(
      runFilterError('params.model = rf'),
      'Parameter value is either not quoted or unidentified quote types used for string value rf. Use either single or double quotes.',
    );
    assert.equal(
      runFilterError('params.model = `rf`'),
      'Parameter value is either not quoted or unidentified quote types used for string value `rf`. Use either single or double quotes.',
    );
    assert.equal(runFilterError('params.model = 5'), "Expected a quoted string value for parameter (e.g. 'my-value'). Got value 5");
    assert.equal(runFilterError('tags.t = 5'), "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5");
    assert.equal(runFilterError('status = 5'), 'Expected a quoted string value for attributes. Got value 5');
    assert.equal(runFilterError('datasets.name = 5'), 'Expected a quoted string value for dataset attributes. Got value 5');
  });

  it('rejects empty and mixed lists', () => {
    assert.equal(
      runFilterError('run_id IN ()'),
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    );
    assert.equal(
      runFilterError("run_id IN ('a', 1)"),
      "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ('a', 1)",
    );
  });

  it('names the clause it cannot read', () => {
    const cases: [string, string][] = [
      ['metrics.rmse > 1 foo', 'foo'],
      ['metrics.rmse', 'metrics.rmse'],
      ['metrics.rmse >', 'metrics.rmse >'],
      ['metrics.rmse > 1 AND', 'AND'],
      ['metrics.rmse > 1 OR', 'OR'],
      ['AND', 'AND'],
      ['()', '()'],
      ['(metrics.rmse > 1', '(metrics.rmse > 1'],
      ['metrics.rmse > 1)', ')'],
      ["params.x = 'unterminated", "params.x = 'unterminated"],
      ["tags.`unterminated = 'x'", "tags.`unterminated = 'x'"],
      ["run_id IN 'a'", "run_id IN 'a'"],
      ["params.x = ('a')", "params.x = ('a')"],
      ["params.x NOT LIKE 'a'", "params.x NOT LIKE 'a'"],
      ['metrics.a IS NULL', 'metrics.a IS NULL'],
      ["params.a-b = 'x'", "params.a-b = 'x'"],
      ['metrics.a > 1 AND (metrics.b > 2 OR foo)', 'foo'],
      ['metrics.a > 1 ; metrics.b > 2', '; metrics.b > 2'],
      ['metrics..a > 1', 'metrics..a > 1'],
    ];
    for (const [filter, fragment] of cases) {
      assert.equal(runFilterError(filter), `Invalid clause(s) in filter string: '${fragment}'`, filter);
    }
  });
});

describe('filter limits', () => {
  it('accepts 64 levels of parentheses and refuses deeper nesting instead of overflowing', () => {
    const nested = (depth: number): string => `${'('.repeat(depth)}metrics.a > 1${')'.repeat(depth)}`;
    assert.equal(validateRunFilter(nested(64)), undefined);
    assert.equal(runFilterError(nested(65)), 'Invalid filter: parentheses nested more than 64 deep.');
    assert.equal(runFilterError(nested(100_000)), 'Invalid filter: parentheses nested more than 64 deep.');
  });
});

describe('validateRunFilter', () => {
  it('is undefined for valid filters, including the Trackside extensions', () => {
    for (const filter of [
      '',
      "metrics.rmse < 1 and params.model = 'rf'",
      "params.model IN ('rf', 'xgb') OR (tags.`my tag` = 'yes' AND created > 0)",
      "`Run Name` ILIKE '%x%'",
      "datasets.context NOT IN ('training')",
      'params.`a-b` = "x"',
    ]) {
      assert.equal(validateRunFilter(filter), undefined, filter);
    }
  });

  it('returns the message a search would give', () => {
    assert.equal(validateRunFilter("metrics.rmse = 'x'"), "Expected numeric value type for metric. Found 'x'");
    assert.equal(validateRunFilter('metrics.rmse >'), "Invalid clause(s) in filter string: 'metrics.rmse >'");
  });
});
