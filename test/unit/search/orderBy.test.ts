import assert from 'node:assert/strict';
import {
  parseExperimentOrderBy,
  parseModelVersionOrderBy,
  parseOrderByClause,
  parseRegisteredModelOrderBy,
  parseRunOrderBy,
} from '../../../src/core/search/orderBy';
import { TrackingError } from '../../../src/core/store/trackingError';
import { SearchFixture, seedRuns } from './searchFixture';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TrackingError, String(e));
    assert.equal(e.code, 'INVALID_PARAMETER_VALUE');
    return e.message;
  }
  assert.fail('expected an INVALID_PARAMETER_VALUE error');
}

describe('order_by parsing', () => {
  it('reads a key with an optional ASC/DESC in any case', () => {
    assert.deepEqual(parseOrderByClause('metrics.rmse DESC'), {
      identifier: { entity: 'metrics', key: 'rmse', text: 'metrics.rmse' },
      ascending: false,
    });
    assert.equal(parseOrderByClause('start_time').ascending, true);
    assert.equal(parseOrderByClause('  start_time   asc ').ascending, true);
    assert.equal(parseOrderByClause('tags.`my tag` desc').identifier.key, 'my tag');
    assert.equal(parseOrderByClause('params."a b"').identifier.key, 'a b');
  });

  it("rejects what MLflow cannot parse, with MLflow's messages", () => {
    assert.equal(
      errorOf(() => parseOrderByClause('metrics.rmse DESC NULLS LAST')),
      "Invalid order_by clause 'metrics.rmse DESC NULLS LAST'. Could not be parsed.",
    );
    assert.equal(errorOf(() => parseOrderByClause('')), "Invalid order_by clause ''. Could not be parsed.");
    assert.equal(errorOf(() => parseOrderByClause("'start_time'")), "Invalid order_by clause ''start_time''. Could not be parsed.");
    assert.equal(
      errorOf(() => parseOrderByClause('metrics.rmse upward')),
      "Invalid ordering key in order_by clause 'metrics.rmse upward'.",
    );
  });

  it('runs: checks entities and orderable attributes, adds start_time DESC and run_id', () => {
    assert.deepEqual(parseRunOrderBy(['metrics.rmse DESC', 'attributes.run_name ASC']), [
      { entity: 'metric', key: 'rmse', ascending: false },
      { entity: 'attribute', key: 'run_name', ascending: true },
      { entity: 'attribute', key: 'start_time', ascending: false },
      { entity: 'attribute', key: 'run_id', ascending: true },
    ]);
    assert.deepEqual(parseRunOrderBy(['created']), [
      { entity: 'attribute', key: 'start_time', ascending: true },
      { entity: 'attribute', key: 'run_id', ascending: true },
    ]);
    assert.equal(
      errorOf(() => parseRunOrderBy(['attributes.lifecycle_stage'])),
      "Invalid attribute key 'lifecycle_stage' specified. Valid keys are " +
        "'{'artifact_uri', 'created', 'Created', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id'}'",
    );
    assert.match(errorOf(() => parseRunOrderBy(['foo.bar'])), /^Invalid entity type 'foo'/);
    assert.equal(errorOf(() => parseRunOrderBy(['datasets.name'])), "Invalid identifier type 'dataset'");
    assert.equal(
      errorOf(() => parseRunOrderBy(['metrics.a', 'metric.a DESC'])),
      "`order_by` contains duplicate fields: ['metrics.a', 'metric.a DESC']",
    );
    assert.match(errorOf(() => parseRunOrderBy(['start_time', 'created DESC'])), /duplicate fields/);
  });

  it('experiments: default creation_time DESC, experiment_id ASC; tie-breaker experiment_id DESC', () => {
    assert.deepEqual(parseExperimentOrderBy(undefined), [
      { key: 'creation_time', ascending: false },
      { key: 'experiment_id', ascending: true },
    ]);
    assert.deepEqual(parseExperimentOrderBy(['name']), [
      { key: 'name', ascending: true },
      { key: 'experiment_id', ascending: false },
    ]);
    assert.equal(errorOf(() => parseExperimentOrderBy(['tags.x'])), 'Invalid order_by entity: tag');
    assert.equal(
      errorOf(() => parseExperimentOrderBy(['metrics.x'])),
      "Invalid entity type 'metrics'. Valid entity types are ('attribute', 'tag', 'tags')",
    );
    assert.equal(
      errorOf(() => parseExperimentOrderBy(['artifact_location'])),
      "Invalid attribute key 'artifact_location' specified. Valid keys are " +
        "'{'name', 'experiment_id', 'creation_time', 'last_update_time'}'",
    );
  });

  it('registered models: timestamp means last updated; name ASC is the tie-breaker', () => {
    assert.deepEqual(parseRegisteredModelOrderBy(undefined), [{ key: 'name', ascending: true }]);
    assert.deepEqual(parseRegisteredModelOrderBy(['timestamp DESC']), [
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
    ]);
    assert.deepEqual(parseRegisteredModelOrderBy(['creation_timestamp', 'name DESC']), [
      { key: 'creation_timestamp', ascending: true },
      { key: 'name', ascending: false },
    ]);
    assert.equal(
      errorOf(() => parseRegisteredModelOrderBy(['version'])),
      "Invalid order by key 'version' specified. Valid keys are " +
        "'{'name', 'creation_timestamp', 'timestamp', 'last_updated_timestamp'}'",
    );
    assert.equal(
      errorOf(() => parseRegisteredModelOrderBy(['timestamp', 'last_updated_timestamp'])),
      "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp']",
    );
  });

  it('model versions: default last_updated_timestamp DESC, name ASC, version_number DESC', () => {
    const defaults = [
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ];
    assert.deepEqual(parseModelVersionOrderBy(undefined), defaults);
    assert.deepEqual(parseModelVersionOrderBy([]), defaults);
    assert.deepEqual(parseModelVersionOrderBy(['version_number ASC']), [
      { key: 'version_number', ascending: true },
      { key: 'name', ascending: true },
    ]);
    assert.match(errorOf(() => parseModelVersionOrderBy(['run_id'])), /^Invalid attribute key 'run_id' specified\./);
    assert.match(errorOf(() => parseModelVersionOrderBy(['tags.x'])), /^Invalid order by key 'x' specified\./);
    assert.match(errorOf(() => parseModelVersionOrderBy(['name', 'name DESC'])), /duplicate fields/);
  });
});

describe('run search order', () => {
  let f: SearchFixture;
  before(async () => {
    f = await SearchFixture.create();
    seedRuns(f);
  });
  after(() => f.close());

  const order = (...orderBy: string[]): string[] => f.runNames({ orderBy });

  it('orders metrics with numbers first, then NaN, then runs missing the metric, in either direction', () => {
    // rmse: alpha 0.5, beta 0.8, Gamma NaN, zeta none; ties keep start_time DESC.
    assert.deepEqual(order('metrics.rmse'), ['alpha', 'beta', 'Gamma', 'zeta']);
    assert.deepEqual(order('metrics.rmse DESC'), ['beta', 'alpha', 'Gamma', 'zeta']);
    assert.deepEqual(order('metrics.never_logged DESC'), ['Gamma', 'beta', 'zeta', 'alpha']);
  });

  it('puts runs missing an ordered param or tag last in either direction', () => {
    // lr: alpha '0.1', beta '0.01'; Gamma and zeta have none (then start_time DESC).
    assert.deepEqual(order('params.lr ASC'), ['beta', 'alpha', 'Gamma', 'zeta']);
    assert.deepEqual(order('params.lr DESC'), ['alpha', 'beta', 'Gamma', 'zeta']);
    assert.deepEqual(order('tags.team'), ['beta', 'Gamma', 'alpha', 'zeta']);
  });

  it('orders by attributes, missing end_time last either way', () => {
    assert.deepEqual(order('attributes.start_time'), ['alpha', 'zeta', 'beta', 'Gamma']);
    assert.deepEqual(order('created DESC'), ['Gamma', 'beta', 'zeta', 'alpha']);
    assert.deepEqual(order('end_time'), ['zeta', 'alpha', 'Gamma', 'beta']);
    assert.deepEqual(order('end_time DESC'), ['alpha', 'zeta', 'Gamma', 'beta']);
    assert.deepEqual(order('run_name'), ['Gamma', 'alpha', 'beta', 'zeta']);
    assert.deepEqual(order('user_id DESC', 'status'), ['zeta', 'beta', 'alpha', 'Gamma']);
    assert.deepEqual(order('run_id DESC'), ['zeta', 'Gamma', 'beta', 'alpha']);
  });

  it('combines order and filter', () => {
    assert.deepEqual(f.runNames({ filter: 'metrics.rmse > 0', orderBy: ['metrics.rmse DESC'] }), ['beta', 'alpha']);
  });
});
