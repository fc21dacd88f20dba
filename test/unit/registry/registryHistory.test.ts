import assert from 'node:assert/strict';
import { RegistryFixture, rejects } from './registryFixture';

const day = (d: number, month = 3): number => Date.UTC(2024, month - 1, d, 12);

describe('registry: history', () => {
  let f: RegistryFixture;
  beforeEach(async () => (f = await RegistryFixture.create()));
  afterEach(() => f.close());

  /** A month of a model's life: versions, promotions, an alias moved and a version deleted. */
  function calendar(): void {
    f.now = day(1);
    f.registry.createRegisteredModel({ name: 'fraud' });
    f.registry.createModelVersion({ name: 'fraud', source: '/models/1' }); // 1 March: v1
    f.now = day(2);
    f.registry.transitionModelVersionStage({ name: 'fraud', version: '1', stage: 'Production', user_id: 'ana' });
    f.registry.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '1' });
    f.now = day(4);
    f.registry.createModelVersion({ name: 'fraud', source: '/models/2' }); // 4 March: v2
    f.registry.transitionModelVersionStage({ name: 'fraud', version: '2', stage: 'Staging' });
    f.now = day(8);
    f.registry.transitionModelVersionStage({ name: 'fraud', version: '2', stage: 'Production', archive_existing_versions: true, user_id: 'bo' });
    f.registry.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '2' });
    f.now = day(12);
    f.registry.createModelVersion({ name: 'fraud', source: '/models/3' }); // 12 March: v3
    f.registry.transitionModelVersionStage({ name: 'fraud', version: '3', stage: 'Production' }); // two in Production
    f.now = day(20);
    f.registry.deleteModelVersion({ name: 'fraud', version: '3' });
    f.registry.deleteModelVersion({ name: 'fraud', version: '2' }); // drops 'champion'
    f.now = day(31);
  }

  it('lists every event oldest first', () => {
    calendar();
    const events = f.registry.getRegistryHistory({ name: 'fraud' }).events;
    const summary = events.map((e) => [e.kind, e.version, e.alias ?? '', e.from ?? '', e.to ?? '', new Date(e.timestamp).getUTCDate()].join(' '));
    assert.deepEqual(summary, [
      'version_created 1   None 1',
      'stage 1  None Production 2',
      'alias 1 champion  1 2',
      'version_created 2   None 4',
      'stage 2  None Staging 4',
      'stage 2  Staging Production 8',
      'stage 1  Production Archived 8',
      'alias 2 champion 1 2 8',
      'version_created 3   None 12',
      'stage 3  None Production 12',
      'version_deleted 3  Production  20',
      'alias 2 champion 2  20',
      'version_deleted 2  Production  20',
    ]);
    assert.equal(events[1].user_id, 'ana');
    assert.equal(events[6].user_id, 'bo', 'the archiving is attributed to whoever caused it');
  });

  it('answers which version was in a stage at a past time', () => {
    calendar();
    const production = (time: unknown): unknown => f.registry.stageAt({ name: 'fraud', stage: 'production', time });
    assert.deepEqual(production(day(29, 2)), { versions: [] }, 'before the model existed');
    assert.deepEqual(production(day(1)), { versions: [] });
    assert.deepEqual(production(day(3)), { version: '1', versions: ['1'] }, '3 March');
    assert.deepEqual(production('2024-03-08T12:00:00Z'), { version: '2', versions: ['2'] }, 'the archive applies at the same instant');
    assert.deepEqual(production(day(8) - 1), { version: '1', versions: ['1'] }, 'a millisecond before');
    assert.deepEqual(production(day(15)), { version: '3', versions: ['2', '3'] }, 'two in Production: the highest is what models:/fraud/Production meant');
    assert.deepEqual(production(day(25)), { versions: [] }, 'after both were deleted');
    assert.deepEqual(f.registry.stageAt({ name: 'fraud', stage: 'Archived', time: String(day(10)) }), { version: '1', versions: ['1'] });
    assert.deepEqual(f.registry.stageAt({ name: 'fraud', stage: 'None', time: day(1) }), { version: '1', versions: ['1'] });
    assert.deepEqual(f.registry.stageAt({ name: 'fraud', stage: 'Staging', time: day(5) }), { version: '2', versions: ['2'] });
  });

  it('answers where an alias pointed at a past time', () => {
    calendar();
    const champion = (time: number): unknown => f.registry.aliasAt({ name: 'fraud', alias: 'champion', time });
    assert.deepEqual(champion(day(1)), {});
    assert.deepEqual(champion(day(3)), { version: '1' });
    assert.deepEqual(champion(day(9)), { version: '2' });
    assert.deepEqual(champion(day(21)), {}, 'deleting v2 removed the alias');
    assert.deepEqual(f.registry.aliasAt({ name: 'fraud', alias: 'never', time: day(9) }), {});
  });

  it('follows a renamed model and refuses bad questions', () => {
    calendar();
    f.registry.renameRegisteredModel({ name: 'fraud', new_name: 'fraud-v2' });
    assert.deepEqual(f.registry.stageAt({ name: 'fraud-v2', stage: 'Production', time: day(3) }), { version: '1', versions: ['1'] });
    rejects(() => f.registry.getRegistryHistory({ name: 'fraud' }), 'RESOURCE_DOES_NOT_EXIST');
    rejects(() => f.registry.stageAt({ name: 'fraud-v2', stage: 'Live', time: day(3) }), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: Live/);
    rejects(() => f.registry.stageAt({ name: 'fraud-v2', stage: 'Production', time: 'yesterday-ish' }), 'INVALID_PARAMETER_VALUE', /ISO 8601/);
    rejects(() => f.registry.aliasAt({ name: 'fraud-v2', alias: 'champion' }), 'INVALID_PARAMETER_VALUE', "Missing value for required parameter 'time'.");
  });
});
