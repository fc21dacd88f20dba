import assert from 'node:assert/strict';
import { RegistryFixture, rejects } from './registryFixture';

describe('registry: aliases', () => {
  let f: RegistryFixture;
  beforeEach(async () => (f = await RegistryFixture.create()));
  afterEach(() => f.close());

  it('points an alias at one version; moving it leaves the old version without it', () => {
    f.model('m', 2);
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '1' });
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'stable', version: '1' });
    assert.deepEqual(f.registry.getModelVersion({ name: 'm', version: '1' }).aliases, ['champion', 'stable']);
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: 2 });
    assert.deepEqual(f.registry.getModelVersion({ name: 'm', version: '1' }).aliases, ['stable']);
    const byAlias = f.registry.getModelVersionByAlias({ name: 'm', alias: 'champion' });
    assert.equal(byAlias.version, '2');
    assert.deepEqual(byAlias.aliases, ['champion']);
    assert.deepEqual(f.registry.getRegisteredModel({ name: 'm' }).aliases, [
      { alias: 'champion', version: '2' },
      { alias: 'stable', version: '1' },
    ]);
  });

  it('records set, move and delete in the history, and nothing for a no-op', () => {
    f.model('m', 2);
    const t0 = f.tick();
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '1', user_id: 'ana' });
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '1' });
    const t1 = f.tick();
    f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '2' });
    const t2 = f.tick();
    f.registry.deleteRegisteredModelAlias({ name: 'm', alias: 'champion' });
    f.registry.deleteRegisteredModelAlias({ name: 'm', alias: 'champion' });
    f.registry.deleteRegisteredModelAlias({ name: 'm', alias: 'never-set' });
    const aliasEvents = f.registry.getRegistryHistory({ name: 'm' }).events.filter((e) => e.kind === 'alias');
    assert.deepEqual(aliasEvents, [
      { kind: 'alias', alias: 'champion', version: '1', to: '1', timestamp: t0, user_id: 'ana' },
      { kind: 'alias', alias: 'champion', version: '2', from: '1', to: '2', timestamp: t1 },
      { kind: 'alias', alias: 'champion', version: '2', from: '2', timestamp: t2 },
    ]);
  });

  it('refuses an alias for a missing version or model', () => {
    f.model('m', 1);
    rejects(() => f.registry.setRegisteredModelAlias({ name: 'm', alias: 'champion', version: '5' }), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=5) not found');
    rejects(() => f.registry.setRegisteredModelAlias({ name: 'x', alias: 'champion', version: '1' }), 'RESOURCE_DOES_NOT_EXIST');
    rejects(() => f.registry.getModelVersionByAlias({ name: 'm', alias: 'champion' }), 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
    rejects(() => f.registry.getModelVersionByAlias({ name: 'x', alias: 'champion' }), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=x not found');
    rejects(() => f.registry.deleteRegisteredModelAlias({ name: 'x', alias: 'champion' }), 'RESOURCE_DOES_NOT_EXIST');
  });
});
