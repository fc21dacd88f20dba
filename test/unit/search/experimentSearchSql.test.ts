import assert from 'node:assert/strict';
import type { ViewType } from '../../../src/shared/entities';
import { buildExperimentSearchSql } from '../../../src/core/search/experimentSearchSql';
import { TrackingError } from '../../../src/core/store/trackingError';
import { SearchFixture } from './searchFixture';

describe('buildExperimentSearchSql', () => {
  let f: SearchFixture;
  let names: Map<number, string>;
  before(async () => {
    f = await SearchFixture.create();
    // id, name, creation_time, last_update_time, stage
    f.experiment(0, 'Default', 100, 900);
    f.experiment(1, 'fraud-model', 200, 300);
    f.experiment(2, 'Fraud-baseline', 300, 300);
    f.experiment(3, 'churn', 300, 800);
    f.experiment(4, 'old-churn', 50, 60, 'deleted');
    f.experimentTag(1, 'team', 'risk');
    f.experimentTag(2, 'team', 'Risk');
    f.experimentTag(3, 'team', 'growth');
    f.experimentTag(3, 'owner', 'ann');
    names = new Map(f.db.values('SELECT experiment_id, name FROM experiments').map((r) => [Number(r[0]), String(r[1])]));
  });
  after(() => f.close());

  const search = (filter?: string, orderBy?: string[], viewType: ViewType = 'ACTIVE_ONLY', limit = 100, offset = 0): string[] =>
    f.firstColumn(buildExperimentSearchSql({ filter, orderBy, viewType, limit, offset })).map((id) => names.get(Number(id)) ?? '?');

  function errorOf(filter: string): string {
    try {
      buildExperimentSearchSql({ filter, viewType: 'ALL', limit: 10, offset: 0 });
    } catch (e) {
      assert.ok(e instanceof TrackingError);
      assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
      return e.message;
    }
    assert.fail(`expected ${filter} to be rejected`);
  }

  it('defaults to creation_time DESC then experiment_id ASC, honouring the view type', () => {
    assert.deepEqual(search(), ['Fraud-baseline', 'churn', 'fraud-model', 'Default']);
    assert.deepEqual(search(undefined, undefined, 'DELETED_ONLY'), ['old-churn']);
    assert.deepEqual(search(undefined, undefined, 'ALL'), ['Fraud-baseline', 'churn', 'fraud-model', 'Default', 'old-churn']);
  });

  it('filters on name with = != LIKE (case-sensitive) ILIKE', () => {
    assert.deepEqual(search("name = 'churn'"), ['churn']);
    assert.deepEqual(search("attribute.name != 'churn'"), ['Fraud-baseline', 'fraud-model', 'Default']);
    assert.deepEqual(search("name LIKE 'fraud%'"), ['fraud-model']);
    assert.deepEqual(search("name ILIKE 'fraud%'"), ['Fraud-baseline', 'fraud-model']);
  });

  it('filters on creation_time and last_update_time', () => {
    assert.deepEqual(search('creation_time >= 300'), ['Fraud-baseline', 'churn']);
    assert.deepEqual(search('last_update_time < 500'), ['Fraud-baseline', 'fraud-model']);
  });

  it('filters on tags, with AND / OR', () => {
    assert.deepEqual(search("tags.team = 'risk'"), ['fraud-model']);
    assert.deepEqual(search("tag.team ILIKE 'RISK'"), ['Fraud-baseline', 'fraud-model']);
    assert.deepEqual(search("tags.team != 'risk'"), ['Fraud-baseline', 'churn']);
    assert.deepEqual(search("tags.owner = 'ann' OR name = 'Default'"), ['churn', 'Default']);
    assert.deepEqual(search("tags.team LIKE '%r%' AND creation_time < 300"), ['fraud-model']);
  });

  it('orders by name, experiment_id, creation_time and last_update_time', () => {
    assert.deepEqual(search(undefined, ['name']), ['Default', 'Fraud-baseline', 'churn', 'fraud-model']);
    assert.deepEqual(search(undefined, ['last_update_time DESC']), ['Default', 'churn', 'Fraud-baseline', 'fraud-model']);
    // Ties on creation_time (2 and 3) fall back to experiment_id DESC.
    assert.deepEqual(search(undefined, ['creation_time']), ['Default', 'fraud-model', 'churn', 'Fraud-baseline']);
    assert.deepEqual(search(undefined, ['experiment_id DESC'], 'ACTIVE_ONLY', 2, 1), ['Fraud-baseline', 'fraud-model']);
  });

  it("rejects bad keys, values and comparators with MLflow's messages", () => {
    assert.equal(errorOf("metrics.x = 'a'"), "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')");
    assert.equal(
      errorOf("artifact_location = 'a'"),
      "Invalid attribute key 'artifact_location' specified. Valid keys are '{'name', 'creation_time', 'last_update_time'}'",
    );
    assert.equal(errorOf("name IN ('a')"), 'Invalid comparator for string attribute: IN');
    assert.equal(errorOf("name > 'a'"), 'Invalid comparator for string attribute: >');
    assert.equal(errorOf('creation_time LIKE 5'), 'Invalid comparator for numeric attribute: LIKE');
    assert.equal(errorOf("tags.team IN ('a')"), 'Invalid comparator for tag: IN');
    assert.equal(errorOf("creation_time = 'x'"), "Expected numeric value type for numeric attribute: creation_time. Found 'x'");
    assert.equal(errorOf('name = 5'), 'Expected a quoted string value for attributes. Got value 5');
    assert.equal(errorOf('name ='), "Invalid clause(s) in filter string: 'name ='");
  });
});
