import assert from 'node:assert/strict';
import { buildRunSearchSql } from '../../../src/core/search/runSearchSql';
import { TrackingError } from '../../../src/core/store/trackingError';
import { SearchFixture, seedRuns } from './searchFixture';

describe('buildRunSearchSql', () => {
  let f: SearchFixture;
  before(async () => {
    f = await SearchFixture.create();
    seedRuns(f);
  });
  after(() => f.close());

  const names = (filter: string, extra: Parameters<SearchFixture['runNames']>[0] = {}): string[] =>
    f.runNames({ filter, ...extra });
  const sorted = (filter: string): string[] => names(filter).sort();

  it('returns the active runs of the experiments, newest first then by run id, without a filter', () => {
    assert.deepEqual(f.runNames(), ['Gamma', 'beta', 'zeta', 'alpha']);
    assert.deepEqual(f.runNames({ filter: '   ' }), ['Gamma', 'beta', 'zeta', 'alpha']);
    assert.deepEqual(f.runNames({ experimentIds: [1, 2] }), ['epsilon', 'Gamma', 'beta', 'zeta', 'alpha']);
    assert.deepEqual(f.runNames({ experimentIds: [] }), []);
  });

  it('honours the view type', () => {
    assert.deepEqual(f.runNames({ viewType: 'DELETED_ONLY' }), ['delta']);
    assert.deepEqual(f.runNames({ viewType: 'ALL' }), ['delta', 'Gamma', 'beta', 'zeta', 'alpha']);
  });

  describe('metrics', () => {
    it('compares the latest value with each numeric comparator', () => {
      assert.deepEqual(sorted('metrics.rmse > 0.5'), ['beta']);
      assert.deepEqual(sorted('metrics.rmse >= 0.5'), ['alpha', 'beta']);
      assert.deepEqual(sorted('metrics.rmse < 0.8'), ['alpha']);
      assert.deepEqual(sorted('metrics.rmse <= 0.8'), ['alpha', 'beta']);
      assert.deepEqual(sorted('metrics.rmse = 0.5'), ['alpha']);
      assert.deepEqual(sorted('metric.acc = 0.9'), ['alpha']);
    });

    it('reads negative, decimal and exponent numbers', () => {
      assert.deepEqual(sorted('metrics.loss = -0.001'), ['alpha']);
      assert.deepEqual(sorted('metrics.loss < -1e-4'), ['alpha']);
      assert.deepEqual(sorted('metrics.loss > -1E-2'), ['alpha']);
      assert.deepEqual(sorted('metrics.rmse < .6'), ['alpha']);
      assert.deepEqual(sorted('metrics.rmse>=5e-1'), ['alpha', 'beta']);
    });

    it('never matches a NaN latest value, not even with !=', () => {
      assert.deepEqual(sorted('metrics.rmse != 0.5'), ['beta']);
      assert.deepEqual(sorted('metrics.rmse > -1e308'), ['alpha', 'beta']);
    });

    it('matches nothing for a metric never logged', () => {
      assert.deepEqual(names('metrics.never_logged > 0'), []);
      assert.deepEqual(names('metrics.never_logged != 0'), []);
    });
  });

  describe('params and tags', () => {
    it('compares with = and != (runs lacking the key do not match !=)', () => {
      assert.deepEqual(sorted("params.model = 'rf'"), ['alpha']);
      assert.deepEqual(sorted("params.model != 'rf'"), ['Gamma', 'beta']);
      assert.deepEqual(sorted("tags.team != 'ml'"), ['Gamma', 'beta']);
    });

    it('accepts every entity alias', () => {
      for (const prefix of ['param', 'params', 'parameter', 'parameters']) {
        assert.deepEqual(sorted(`${prefix}.model = 'xgb'`), ['Gamma'], prefix);
      }
      for (const prefix of ['tag', 'tags']) assert.deepEqual(sorted(`${prefix}.team = 'ml'`), ['alpha'], prefix);
    });

    it('takes values in single or double quotes, with escaped quotes', () => {
      assert.deepEqual(sorted('params.model = "rf"'), ['alpha']);
      assert.deepEqual(sorted(`tags.quote = 'it''s "quoted"'`), ['Gamma']);
      assert.deepEqual(sorted(`tags.quote = 'it\\'s "quoted"'`), ['Gamma']);
      assert.deepEqual(sorted(`tags.quote = "it's \\"quoted\\""`), ['Gamma']);
      assert.deepEqual(sorted(`tags.quote = "it's ""quoted"""`), ['Gamma']);
    });

    it('takes keys quoted with backticks or double quotes, and dotted keys', () => {
      assert.deepEqual(sorted("tags.`my tag` = 'yes'"), ['alpha']);
      assert.deepEqual(sorted('params."a b" = \'x\''), ['alpha']);
      assert.deepEqual(sorted("tags.`mlflow.source.type` = 'LOCAL'"), ['alpha']);
      assert.deepEqual(sorted("tags.mlflow.source.type = 'LOCAL'"), ['alpha']);
    });

    it('LIKE is case-sensitive with % and _ wildcards; ILIKE is not', () => {
      assert.deepEqual(sorted("params.model LIKE 'r%'"), ['alpha']);
      assert.deepEqual(sorted("params.model LIKE 'R%'"), ['beta']);
      assert.deepEqual(sorted("params.model ILIKE 'r%'"), ['alpha', 'beta']);
      assert.deepEqual(sorted("params.model like '_f'"), ['alpha']);
      assert.deepEqual(sorted("params.model ilike '_F'"), ['alpha', 'beta']);
      assert.deepEqual(sorted("tags.team LIKE '%l%'"), ['alpha']);
      assert.deepEqual(sorted("tags.team ILIKE '%L%'"), ['alpha', 'beta']);
      assert.deepEqual(sorted("tags.team LIKE 'data_eng'"), ['Gamma']);
    });

    it('treats GLOB characters in a LIKE pattern literally', () => {
      assert.deepEqual(sorted("tags.glob LIKE 'a*b'"), ['alpha']);
      assert.deepEqual(sorted("tags.glob LIKE 'a?b'"), []);
      assert.deepEqual(sorted("tags.glob LIKE 'a%b'"), ['alpha', 'beta']);
      assert.deepEqual(sorted("tags.glob LIKE 'a[x]%'"), []);
    });

    it('supports IN and NOT IN on params and tags (Trackside extension)', () => {
      assert.deepEqual(sorted("params.model IN ('rf', 'xgb')"), ['Gamma', 'alpha']);
      assert.deepEqual(sorted("params.model NOT IN ('rf', 'xgb')"), ['beta']);
      assert.deepEqual(sorted("tags.team in ('ML-ops')"), ['beta']);
      assert.deepEqual(sorted("tags.team not in ('ml', \"ML-ops\")"), ['Gamma']);
    });
  });

  describe('attributes', () => {
    it('bare keys and every prefix mean attributes', () => {
      assert.deepEqual(names("run_name = 'beta'"), ['beta']);
      assert.deepEqual(names("status = 'FINISHED'"), ['alpha']);
      for (const prefix of ['attribute', 'attributes', 'attr', 'run']) {
        assert.deepEqual(names(`${prefix}.user_id = 'cat'`), ['zeta'], prefix);
      }
    });

    it("accepts run_name's aliases through quoting", () => {
      for (const key of ['"run name"', '`Run name`', '`Run Name`', 'attributes."run name"', 'attributes.`Run Name`']) {
        assert.deepEqual(names(`${key} = 'Gamma'`), ['Gamma'], key);
      }
    });

    it('compares string attributes with = != LIKE ILIKE IN NOT IN', () => {
      assert.deepEqual(sorted("attributes.status != 'FINISHED'"), ['Gamma', 'beta', 'zeta']);
      assert.deepEqual(sorted("run_name LIKE 'g%'"), []);
      assert.deepEqual(sorted("run_name ILIKE 'g%'"), ['Gamma']);
      assert.deepEqual(sorted("user_id IN ('ann', 'cat')"), ['Gamma', 'alpha', 'zeta']);
      assert.deepEqual(sorted("user_id NOT IN ('ann', 'cat')"), ['beta']);
      assert.deepEqual(sorted("artifact_uri LIKE 'mlflow-artifacts:/1/%'"), ['Gamma', 'alpha', 'beta', 'zeta']);
      const ids = [SearchFixture.uuid(1), SearchFixture.uuid(3)];
      assert.deepEqual(sorted(`attributes.run_id IN ('${ids[0]}','${ids[1]}')`), ['Gamma', 'alpha']);
      assert.deepEqual(sorted(`run_id = '${ids[0]}'`), ['alpha']);
    });

    it('compares numeric attributes (created = start_time); a missing end_time matches nothing', () => {
      assert.deepEqual(sorted('attributes.start_time >= 2000'), ['Gamma', 'beta']);
      assert.deepEqual(sorted('created < 1500'), ['alpha']);
      assert.deepEqual(sorted('Created = 1500'), ['zeta']);
      assert.deepEqual(sorted('end_time > 0'), ['alpha', 'zeta']);
      assert.deepEqual(sorted('end_time != 2000'), ['zeta']);
    });
  });

  describe('datasets', () => {
    it('filters on name, digest and context', () => {
      assert.deepEqual(sorted("datasets.name = 'train'"), ['Gamma', 'alpha']);
      assert.deepEqual(sorted("dataset.digest LIKE 'def%'"), ['beta']);
      assert.deepEqual(sorted("datasets.context = 'training'"), ['alpha']);
      assert.deepEqual(sorted("datasets.context IN ('training', 'evaluation')"), ['alpha', 'beta']);
      assert.deepEqual(sorted("datasets.name NOT IN ('train')"), ['beta']);
      assert.deepEqual(sorted("datasets.name ILIKE 'TRAIN'"), ['Gamma', 'alpha']);
    });
  });

  describe('AND, OR and parentheses', () => {
    it('AND joins clauses, case-insensitively', () => {
      assert.deepEqual(sorted("params.model = 'rf' AND metrics.rmse < 1"), ['alpha']);
      assert.deepEqual(sorted("metrics.rmse < 1 and tags.team = 'ML-ops'"), ['beta']);
      assert.deepEqual(sorted("metrics.rmse > 0 AND params.lr = '0.1' AND tags.`my tag` = 'yes'"), ['alpha']);
    });

    it('OR and parentheses are supported, with AND binding tighter than OR', () => {
      assert.deepEqual(sorted("params.model = 'xgb' OR status = 'KILLED'"), ['Gamma', 'zeta']);
      // a OR b AND c  ==  a OR (b AND c)
      assert.deepEqual(sorted("run_name = 'zeta' OR user_id = 'ann' AND status = 'RUNNING'"), ['Gamma', 'zeta']);
      assert.deepEqual(sorted("(run_name = 'zeta' OR user_id = 'ann') AND status = 'RUNNING'"), ['Gamma']);
      assert.deepEqual(sorted('((metrics.rmse < 0.6) or (metrics.rmse > 0.7))'), ['alpha', 'beta']);
      assert.deepEqual(sorted("user_id = 'bob' or (tags.team = 'ml' and metrics.acc > 0.5) or run_name = 'nope'"), ['alpha', 'beta']);
    });
  });

  describe('SQL injection', () => {
    const injection = "'; DROP TABLE runs; --";
    const runCount = (): number => Number(f.db.scalar('SELECT COUNT(*) FROM runs'));

    it('binds a hostile value as a value: no rows, table intact', () => {
      assert.deepEqual(names(`params.model = "${injection}"`), []);
      assert.deepEqual(names(`run_name IN ("${injection}", 'x')`), []);
      assert.deepEqual(names(`tags.team LIKE "%${injection}"`), []);
      assert.equal(runCount(), 6);
    });

    it('binds a hostile backticked key as a value: no rows, table intact', () => {
      assert.deepEqual(names(`params.\`${injection}\` = 'x'`), []);
      assert.deepEqual(names(`metrics.\`${injection}\` > 0`), []);
      assert.deepEqual(f.runNames({ orderBy: [`metrics.\`${injection}\` DESC`] }), ['Gamma', 'beta', 'zeta', 'alpha']);
      assert.equal(runCount(), 6);
    });

    it('rejects unquoted SQL outright', () => {
      assert.throws(() => names("params.model = 'rf'; DROP TABLE runs; --"), TrackingError);
      assert.throws(() => names("params.model = 'rf' OR 1=1"), TrackingError);
      assert.throws(() => f.runNames({ orderBy: ['start_time; DROP TABLE runs'] }), TrackingError);
      assert.equal(runCount(), 6);
    });

    it('never puts user text into the SQL', () => {
      const { sql, params } = buildRunSearchSql({
        experimentIds: [1],
        filter: `params.\`${injection}\` = "${injection}" AND tags.x LIKE '${"x''y"}'`,
        viewType: 'ALL',
        orderBy: [`tags.\`${injection}\``],
        limit: 10,
        offset: 0,
      });
      assert.ok(!sql.includes('DROP'), sql);
      assert.ok(params.includes(injection));
    });
  });

  it('applies LIMIT and OFFSET after ordering', () => {
    assert.deepEqual(f.runNames({ limit: 2, offset: 0 }), ['Gamma', 'beta']);
    assert.deepEqual(f.runNames({ limit: 2, offset: 2 }), ['zeta', 'alpha']);
    assert.deepEqual(f.runNames({ limit: 2, offset: 4 }), []);
  });
});
