import assert from 'node:assert/strict';
import { parseModelUri, resolveModelUri } from '../../../src/core/models/modelUri';
import { RegistryFixture, rejects } from './registryFixture';

describe('models:/ and runs:/ URIs', () => {
  describe('parseModelUri', () => {
    it('reads every form', () => {
      assert.deepEqual(parseModelUri('models:/fraud/3'), { kind: 'version', name: 'fraud', version: '3' });
      assert.deepEqual(parseModelUri('models:/fraud/003'), { kind: 'version', name: 'fraud', version: '3' });
      assert.deepEqual(parseModelUri('models:/fraud/Production'), { kind: 'stage', name: 'fraud', stage: 'Production' });
      assert.deepEqual(parseModelUri('models:/fraud/latest'), { kind: 'latest', name: 'fraud' });
      assert.deepEqual(parseModelUri('models:/fraud/LATEST'), { kind: 'latest', name: 'fraud' });
      assert.deepEqual(parseModelUri('models:/fraud@champion'), { kind: 'alias', name: 'fraud', alias: 'champion' });
      assert.deepEqual(parseModelUri('models:/a@b@champion'), { kind: 'alias', name: 'a@b', alias: 'champion' });
      assert.deepEqual(parseModelUri('models:/main.risk.fraud/2'), { kind: 'version', name: 'main.risk.fraud', version: '2' });
      assert.deepEqual(parseModelUri('runs:/abc123/model/sub'), { kind: 'run', runId: 'abc123', path: 'model/sub' });
      assert.deepEqual(parseModelUri('runs:/abc123'), { kind: 'run', runId: 'abc123' });
    });

    it('refuses malformed URIs with MLflow\'s messages', () => {
      for (const uri of ['models:/', 'models:/fraud', 'models:/fraud/', 'models:/fraud/1/extra', 'models:/@champion', 'models:/fraud@', 'models://fraud/1', 'models:fraud/1']) {
        assert.throws(() => parseModelUri(uri), (e: Error) => e.message.startsWith(`Not a proper models:/ URI: ${uri}. Models URIs must be of the form`), uri);
      }
      for (const uri of ['runs:/', 'runs://abc/model', 'runs:abc']) {
        assert.throws(() => parseModelUri(uri), /Not a proper runs:\/ URI/, uri);
      }
      assert.throws(() => parseModelUri('s3://bucket/model'), /Not a model URI: 's3:\/\/bucket\/model'\. Expected models:\/<name>\/<version>/);
    });
  });

  describe('resolveModelUri', () => {
    let f: RegistryFixture;
    let runs: { runId: string; artifactUri: string }[];
    beforeEach(async () => {
      f = await RegistryFixture.create();
      f.registry.createRegisteredModel({ name: 'fraud' });
      runs = [f.run(), f.run(), f.run(), f.run()];
      for (const run of runs) f.registry.createModelVersion({ name: 'fraud', source: `runs:/${run.runId}/model`, run_id: run.runId });
      f.stage('fraud', '1', 'Production');
      f.stage('fraud', '2', 'Production');
      f.stage('fraud', '3', 'Staging');
      f.stage('fraud', '4', 'Archived');
      f.registry.setRegisteredModelAlias({ name: 'fraud', alias: 'champion', version: '1' });
    });
    afterEach(() => f.close());

    const resolve = (uri: string): unknown => f.registry.resolveModelUri(uri);
    const files = (i: number): string => `${runs[i].artifactUri}/model`;

    it('resolves a version, a stage, latest and an alias', () => {
      assert.deepEqual(resolve('models:/fraud/3'), { name: 'fraud', version: '3', runId: runs[2].runId, artifactUri: files(2) });
      assert.deepEqual(resolve('models:/fraud/production'), { name: 'fraud', version: '2', runId: runs[1].runId, artifactUri: files(1) });
      assert.deepEqual(resolve('models:/fraud/Staging'), { name: 'fraud', version: '3', runId: runs[2].runId, artifactUri: files(2) });
      assert.deepEqual(resolve('models:/fraud/latest'), { name: 'fraud', version: '4', runId: runs[3].runId, artifactUri: files(3) });
      assert.deepEqual(resolve('models:/fraud@champion'), { name: 'fraud', version: '1', runId: runs[0].runId, artifactUri: files(0) });
    });

    it('resolves runs:/ URIs to the run\'s artifact URI plus the path', () => {
      assert.deepEqual(resolve(`runs:/${runs[0].runId}/model/MLmodel`), { runId: runs[0].runId, artifactUri: `${runs[0].artifactUri}/model/MLmodel` });
      assert.deepEqual(resolve(`runs:/${runs[0].runId}`), { runId: runs[0].runId, artifactUri: runs[0].artifactUri });
      rejects(() => resolve('runs:/nope/model'), 'RESOURCE_DOES_NOT_EXIST', 'Run with id=nope not found');
    });

    it('leaves runId out for a version registered without a run', () => {
      f.registry.createModelVersion({ name: 'fraud', source: '/srv/models/fraud' });
      assert.deepEqual(resolve('models:/fraud/5'), { name: 'fraud', version: '5', artifactUri: '/srv/models/fraud' });
    });

    it('says clearly what does not resolve', () => {
      rejects(() => resolve('models:/fraud/9'), 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=fraud, version=9) not found');
      rejects(() => resolve('models:/nope/1'), 'RESOURCE_DOES_NOT_EXIST');
      rejects(() => resolve('models:/fraud/None'), 'RESOURCE_DOES_NOT_EXIST', "No versions of model with name 'fraud' and stage 'None' found");
      rejects(() => resolve('models:/fraud@challenger'), 'INVALID_PARAMETER_VALUE', 'Registered model alias challenger not found.');
      rejects(() => resolve('models:/fraud/champion'), 'INVALID_PARAMETER_VALUE', /Invalid Model Version stage: champion\..* To name an alias, write models:\/fraud@champion\./);
      f.registry.createRegisteredModel({ name: 'empty' });
      rejects(() => resolve('models:/empty/latest'), 'RESOURCE_DOES_NOT_EXIST', /has no versions/);
      rejects(() => resolve('models:/fraud'), 'INVALID_PARAMETER_VALUE', /Not a proper models:\/ URI/);
    });

    it('works from the stores directly, as the models layer uses it', () => {
      const resolved = resolveModelUri('models:/fraud@champion', { registry: f.registry, tracking: f.backend.tracking });
      assert.equal(resolved.version, '1');
    });
  });
});
