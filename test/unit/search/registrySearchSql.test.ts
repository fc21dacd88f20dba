import assert from 'node:assert/strict';
import { buildModelVersionSearchSql, buildRegisteredModelSearchSql } from '../../../src/core/search/registrySearchSql';
import { TrackingError } from '../../../src/core/store/trackingError';
import { SearchFixture } from './searchFixture';

describe('registry search SQL', () => {
  let f: SearchFixture;
  before(async () => {
    f = await SearchFixture.create();
    const model = (id: number, name: string, created: number, updated: number): void => {
      f.db.run('INSERT INTO registered_models(model_id, name, creation_time, last_updated_time) VALUES (?, ?, ?, ?)', [
        id, name, created, updated,
      ]);
    };
    const version = (modelId: number, v: number, updated: number, runId: string | null, source: string, stage = 'None'): void => {
      f.db.run(
        `INSERT INTO model_versions(model_id, version, creation_time, last_updated_time, source, run_id, current_stage)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [modelId, v, v * 10, updated, source, runId, stage],
      );
    };
    model(1, 'fraud', 100, 500);
    model(2, 'Fraud-v2', 200, 300);
    model(3, 'churn', 300, 400);
    f.db.run("INSERT INTO registered_model_tags(model_id, key, value) VALUES (1, 'team', 'risk'), (2, 'team', 'Risk'), (3, 'team', 'growth')");
    version(1, 1, 110, 'run-a', 'runs:/run-a/model');
    version(1, 2, 120, 'run-b', 'runs:/run-b/model');
    version(1, 3, 130, null, 's3://bucket/fraud');
    version(2, 1, 140, 'run-a', 'runs:/run-a/model2');
    version(3, 1, 120, 'run-c', 'runs:/run-c/model');
    version(3, 2, 150, 'run-d', 'runs:/run-d/model', 'Deleted_Internal');
    f.db.run("INSERT INTO model_version_tags(model_id, version, key, value) VALUES (1, 2, 'validated', 'true'), (2, 1, 'validated', 'false')");
  });
  after(() => f.close());

  const modelNames = (filter?: string, orderBy?: string[], limit = 100, offset = 0): string[] => {
    const ids = f.firstColumn(buildRegisteredModelSearchSql({ filter, orderBy, limit, offset }));
    return ids.map((id) => String(f.db.scalar('SELECT name FROM registered_models WHERE model_id = ?', [id])));
  };
  const versions = (filter?: string, orderBy?: string[]): string[] => {
    const q = buildModelVersionSearchSql({ filter, orderBy, limit: 100, offset: 0 });
    return f.db.values(q.sql, q.params).map(([modelId, v]) => {
      const name = String(f.db.scalar('SELECT name FROM registered_models WHERE model_id = ?', [modelId]));
      return `${name}/${String(v)}`;
    });
  };
  function errorOf(fn: () => unknown): string {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof TrackingError);
      assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
      return e.message;
    }
    assert.fail('expected an INVALID_PARAMETER_VALUE error');
  }
  const modelError = (filter: string): string => errorOf(() => buildRegisteredModelSearchSql({ filter, limit: 1, offset: 0 }));
  const versionError = (filter: string): string => errorOf(() => buildModelVersionSearchSql({ filter, limit: 1, offset: 0 }));

  describe('registered models', () => {
    it('defaults to name ASC and pages', () => {
      assert.deepEqual(modelNames(), ['Fraud-v2', 'churn', 'fraud']);
      assert.deepEqual(modelNames(undefined, undefined, 1, 1), ['churn']);
    });

    it('filters on name with = != LIKE ILIKE IN and on tags', () => {
      assert.deepEqual(modelNames("name = 'fraud'"), ['fraud']);
      assert.deepEqual(modelNames("name != 'fraud'"), ['Fraud-v2', 'churn']);
      assert.deepEqual(modelNames("name LIKE 'fr%'"), ['fraud']);
      assert.deepEqual(modelNames("name ILIKE 'fr%'"), ['Fraud-v2', 'fraud']);
      assert.deepEqual(modelNames("name IN ('churn', 'fraud')"), ['churn', 'fraud']);
      assert.deepEqual(modelNames("tags.team = 'Risk'"), ['Fraud-v2']);
      assert.deepEqual(modelNames("tags.team ILIKE 'risk' AND name LIKE '%v2'"), ['Fraud-v2']);
      assert.deepEqual(modelNames("tags.team = 'growth' OR name = 'fraud'"), ['churn', 'fraud']);
    });

    it('orders by timestamps', () => {
      assert.deepEqual(modelNames(undefined, ['creation_timestamp DESC']), ['churn', 'Fraud-v2', 'fraud']);
      assert.deepEqual(modelNames(undefined, ['last_updated_timestamp DESC']), ['fraud', 'churn', 'Fraud-v2']);
      assert.deepEqual(modelNames(undefined, ['timestamp']), ['Fraud-v2', 'churn', 'fraud']);
    });

    it("rejects bad keys and comparators with MLflow's messages", () => {
      assert.equal(modelError("run_id = 'a'"), "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'");
      assert.equal(modelError("params.x = 'a'"), "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')");
      assert.equal(modelError("name > 'a'"), 'Invalid comparator for attribute: >');
      assert.equal(modelError("tags.t < 'a'"), 'Invalid comparator for tag: <');
      assert.equal(
        modelError('name = 5'),
        'Expected a quoted string value or a list of quoted string values for attributes. Got value 5',
      );
    });
  });

  describe('model versions', () => {
    it('defaults to last_updated_timestamp DESC, name ASC, version DESC and hides deleted versions', () => {
      assert.deepEqual(versions(), ['Fraud-v2/1', 'fraud/3', 'churn/1', 'fraud/2', 'fraud/1']);
    });

    it('filters on name, run_id, source_path, version_number and tags', () => {
      assert.deepEqual(versions("name = 'fraud'", ['version_number']), ['fraud/1', 'fraud/2', 'fraud/3']);
      assert.deepEqual(versions("run_id = 'run-a'"), ['Fraud-v2/1', 'fraud/1']);
      assert.deepEqual(versions("run_id IN ('run-b', 'run-c')"), ['churn/1', 'fraud/2']);
      assert.deepEqual(versions("run_id != 'run-a'"), ['churn/1', 'fraud/2']);
      assert.deepEqual(versions("source_path LIKE 's3://%'"), ['fraud/3']);
      assert.deepEqual(versions("name ILIKE 'FRAUD%' AND version_number >= 2"), ['fraud/3', 'fraud/2']);
      assert.deepEqual(versions("version_number = '1'", ['name']), ['Fraud-v2/1', 'churn/1', 'fraud/1']);
      assert.deepEqual(versions("tags.validated = 'true'"), ['fraud/2']);
      assert.deepEqual(versions("tags.validated != 'true' OR run_id = 'run-c'"), ['Fraud-v2/1', 'churn/1']);
    });

    it('combines top-level tag conditions (joined on the tag index) with attributes and nested ORs', () => {
      f.db.run("INSERT INTO model_version_tags(model_id, version, key, value) VALUES (1, 2, 'owner', 'ana'), (1, 3, 'owner', 'bo'), (3, 1, 'owner', 'ana')");
      try {
        assert.deepEqual(versions("tags.owner = 'ana'"), ['churn/1', 'fraud/2']);
        assert.deepEqual(versions("tags.owner = 'ana' AND tags.validated = 'true'"), ['fraud/2']);
        assert.deepEqual(versions("tags.owner = 'ana' AND (name = 'churn' AND version_number = 1)"), ['churn/1']);
        assert.deepEqual(versions("tags.owner != 'ana'"), ['fraud/3']);
        assert.deepEqual(versions("tags.owner LIKE 'a%' AND name LIKE 'fr%'"), ['fraud/2']);
        assert.deepEqual(versions("tags.owner IN ('bo', 'cy') AND tags.owner ILIKE 'B%'"), ['fraud/3']);
        assert.deepEqual(versions("tags.owner = 'ana' AND (tags.validated = 'true' OR name = 'churn')"), ['churn/1', 'fraud/2']);
        assert.deepEqual(versions("name = 'fraud' AND tags.owner = 'ana' AND run_id = 'run-b'", ['version_number']), ['fraud/2']);
        // A selective tag starts the search from the tag index, not from a test on every version.
        const q = buildModelVersionSearchSql({ filter: "tags.owner = 'ana'", limit: 100, offset: 0 });
        const plan = f.db.values(`EXPLAIN QUERY PLAN ${q.sql}`, q.params).map((row) => String(row[3])).join(' | ');
        assert.match(plan, /model_version_tags_by_key \(key=\? AND value=\?\)/);
      } finally {
        f.db.run("DELETE FROM model_version_tags WHERE key = 'owner'");
      }
    });

    it('orders by name, version_number and timestamps', () => {
      assert.deepEqual(versions(undefined, ['name DESC']), ['fraud/3', 'fraud/2', 'fraud/1', 'churn/1', 'Fraud-v2/1']);
      assert.deepEqual(versions(undefined, ['creation_timestamp', 'version_number DESC']), [
        'Fraud-v2/1', 'churn/1', 'fraud/1', 'fraud/2', 'fraud/3',
      ]);
    });

    it("rejects bad keys and comparators with MLflow's messages", () => {
      assert.equal(
        versionError("stage = 'a'"),
        "Invalid attribute key 'stage' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'",
      );
      assert.equal(versionError("version_number LIKE '1'"), 'Invalid comparator for attribute version_number: LIKE');
      assert.equal(versionError("run_id > 'a'"), 'Invalid comparator for attribute: >');
      assert.equal(
        versionError('run_id = 5'),
        "Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.",
      );
      assert.equal(versionError("version_number = 'x'"), "Expected numeric value type for numeric attribute: version_number. Found 'x'");
      assert.equal(versionError("tags.t >= 'a'"), 'Invalid comparator for tag: >=');
    });
  });
});
