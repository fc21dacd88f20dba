import assert from 'node:assert/strict';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { tableRows, trackside } from './cliFixture';

describe('trackside models (registry commands, in-process store)', function () {
  this.timeout(120_000);
  let store: string;
  const cli = (...args: string[]) => trackside([...args, '--store', store]);

  before(() => {
    store = tempFolder('trackside-cli-models-');
  });
  after(() => removeFolder(store));

  it('registers a model and versions, moves an alias, transitions stages with archive, and answers history questions', async () => {
    assert.equal((await cli('models', 'create', '--name', 'churn', '--description', 'Churn classifier', '--tag', 'team=ml')).stdout.trim(), "Registered model 'churn'.");
    assert.equal((await cli('models', 'versions', 'create', '--name', 'churn', '--source', '/models/a')).stdout.trim(), 'Registered churn v1 from /models/a.');
    const v2 = JSON.parse((await cli('models', 'versions', 'create', '-n', 'churn', '-s', '/models/b', '-t', 'validated=yes', '--json')).stdout) as {
      model_version: { version: string; tags: { key: string; value: string }[] };
    };
    assert.equal(v2.model_version.version, '2');
    assert.deepEqual(v2.model_version.tags, [{ key: 'validated', value: 'yes' }]);

    assert.equal((await cli('models', 'alias', 'set', '--name', 'churn', '--alias', 'champion', '--version', '1')).stdout.trim(), 'models:/churn@champion → v1.');
    assert.equal((await cli('models', 'alias', 'set', '-n', 'churn', '-a', 'champion', '-v', '2')).stdout.trim(), 'models:/churn@champion moved from v1 to v2.');
    assert.equal((await cli('models', 'transition', '-n', 'churn', '-v', '1', '--stage', 'production')).stdout.trim(), 'churn v1 is now in Production.');
    const moved = await cli('models', 'transition', '-n', 'churn', '-v', '2', '--stage', 'Production', '--archive-existing-versions');
    assert.equal(moved.stdout.trim(), 'churn v2 is now in Production (other versions there were archived).');

    const listed = tableRows((await cli('models', 'list')).stdout);
    assert.deepEqual(listed[0], ['Name', 'Latest', 'Aliases', 'Updated', 'Description']);
    assert.deepEqual([listed[1][0], listed[1][1], listed[1][2], listed[1][4]], ['churn', '2', '@champion→v2', 'Churn classifier']);

    const described = await cli('models', 'describe', '--name', 'churn');
    assert.match(described.stdout, /Aliases:\s+@champion → v2/);
    assert.match(described.stdout, /team = ml/);
    const versionRows = tableRows(described.stdout.slice(described.stdout.indexOf('Version')));
    assert.deepEqual(versionRows[1].slice(0, 3), ['2', 'Production', '@champion']);
    assert.deepEqual(versionRows[2].slice(0, 2), ['1', 'Archived'], 'archive_existing_versions moved v1 out of Production');
    assert.equal(versionRows.length, 3);

    const filtered = tableRows((await cli('models', 'versions', 'list', '--filter', "tags.validated = 'yes'")).stdout);
    assert.deepEqual(filtered.slice(1).map((r) => [r[0], r[1]]), [['churn', '2']]);

    const history = tableRows((await cli('models', 'history', '--name', 'churn')).stdout).slice(1).map((r) => r[1]);
    assert.deepEqual(history, [
      'version 1 registered',
      'version 2 registered',
      '@champion → version 1',
      '@champion moved: version 1 → 2',
      'version 1: None → Production',
      'version 2: None → Production',
      'version 1: Production → Archived',
    ]);
    const now = new Date(Date.now() + 1000).toISOString();
    assert.equal((await cli('models', 'history', '--name', 'churn', '--at', now, '--stage', 'Production')).stdout.trim(), `churn v2 was in Production at ${now}.`);
    assert.equal((await cli('models', 'history', '--name', 'churn', '--at', '0', '--alias', 'champion')).stdout.trim(), '@champion pointed to no version of churn at 0.');
  });

  it('updates, renames to a catalog.schema.model name, deletes a version and its alias, then the model', async () => {
    assert.equal((await cli('models', 'versions', 'update', '-n', 'churn', '-v', '1', '-d', 'first try', '-t', 'owner=ana')).code, 0);
    const v1 = JSON.parse((await cli('models', 'versions', 'describe', '-n', 'churn', '-v', '1', '--json')).stdout) as {
      model_version: { description: string; tags: { key: string; value: string }[] };
      artifact_uri: string;
    };
    assert.equal(v1.model_version.description, 'first try');
    assert.deepEqual(v1.model_version.tags, [{ key: 'owner', value: 'ana' }]);
    assert.equal(v1.artifact_uri, '/models/a');

    assert.equal((await cli('models', 'rename', '-n', 'churn', '--new-name', 'main.ml.churn')).stdout.trim(), "Registered model 'churn' renamed to 'main.ml.churn'.");
    assert.equal((await cli('models', 'versions', 'delete', '-n', 'main.ml.churn', '-v', '2')).stdout.trim(), 'Deleted main.ml.churn v2.');
    const after = JSON.parse((await cli('models', 'describe', '-n', 'main.ml.churn', '--json')).stdout) as {
      registered_model: { aliases?: unknown[] };
      model_versions: { version: string }[];
    };
    assert.deepEqual(after.model_versions.map((v) => v.version), ['1']);
    assert.equal(after.registered_model.aliases, undefined, 'deleting v2 dropped @champion');
    assert.equal((await cli('models', 'delete', '-n', 'main.ml.churn')).stdout.trim(), "Registered model 'main.ml.churn' deleted.");
    assert.equal((await cli('models', 'list')).stdout.trim(), 'No registered models.');
  });

  it('refuses bad input with the server’s message or a usage error', async () => {
    await cli('models', 'create', '--name', 'ranker');
    const duplicate = await cli('models', 'create', '--name', 'ranker');
    assert.equal(duplicate.code, 1);
    assert.match(duplicate.stderr, /^trackside models create: RESOURCE_ALREADY_EXISTS: .*ranker/m);
    const reserved = await cli('models', 'alias', 'set', '-n', 'ranker', '-a', 'latest', '-v', '1');
    assert.equal(reserved.code, 1);
    assert.match(reserved.stderr, /trackside models alias set: INVALID_PARAMETER_VALUE: 'latest' alias name/);
    const missing = await cli('models', 'versions', 'describe', '-n', 'ranker', '-v', '9');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /RESOURCE_DOES_NOT_EXIST: Model Version \(name=ranker, version=9\) not found/);
    const stage = await cli('models', 'transition', '-n', 'ranker', '-v', '1', '--stage', 'Prod');
    assert.equal(stage.code, 2);
    assert.match(stage.stderr, /--stage must be one of None, Staging, Production, Archived, got 'Prod'/);
    const version = await cli('models', 'versions', 'describe', '-n', 'ranker', '-v', 'two');
    assert.equal(version.code, 2);
    assert.match(version.stderr, /--version must be a version number/);
    const unknown = await cli('models', 'versions', 'promote');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /trackside models versions: unknown subcommand 'promote'/);
    const question = await cli('models', 'history', '-n', 'ranker', '--stage', 'Production');
    assert.equal(question.code, 2);
    assert.match(question.stderr, /give --at TIME too/);
  });
});
