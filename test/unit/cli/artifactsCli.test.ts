import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { seedStore, tableRows, trackside } from './cliFixture';

describe('trackside artifacts (in-process store)', function () {
  this.timeout(60_000);
  let store: string;
  let work: string;
  let runId: string;

  before(async () => {
    store = tempFolder('trackside-cli-artifacts-');
    work = tempFolder('trackside-cli-files-');
    runId = await seedStore(store, async (client) => (await client.runs.create({ experimentId: '0' })).info.run_id);
    fs.writeFileSync(path.join(work, 'notes.txt'), 'hello artifacts\n');
    fs.mkdirSync(path.join(work, 'plots', 'loss'), { recursive: true });
    fs.writeFileSync(path.join(work, 'plots', 'loss', 'curve.svg'), '<svg/>');
    fs.writeFileSync(path.join(work, 'plots', 'summary.json'), Buffer.alloc(2048, 0x20));
  });
  after(() => {
    removeFolder(store);
    removeFolder(work);
  });

  it('uploads a file and a folder, and lists them as a table and as JSON', async () => {
    const file = await trackside(['artifacts', 'log-artifact', '--local-file', path.join(work, 'notes.txt'), '--run-id', runId, '--artifact-path', 'docs', '--store', store]);
    assert.equal(file.code, 0, file.stderr);
    assert.equal(file.stdout.trim(), `Logged ${path.join(work, 'notes.txt')} to mlflow-artifacts:/0/${runId}/artifacts/docs/notes.txt.`);
    const folder = await trackside(['artifacts', 'log-artifacts', '--local-dir', path.join(work, 'plots'), '--run-id', runId, '--artifact-path', 'plots', '--store', store]);
    assert.equal(folder.code, 0, folder.stderr);
    assert.match(folder.stdout, /^Logged 2 file\(s\) from .*plots to mlflow-artifacts:\/0\/\w+\/artifacts\/plots\.$/m);

    const root = await trackside(['artifacts', 'list', '--run-id', runId, '--store', store]);
    assert.deepEqual(tableRows(root.stdout), [['Path', 'Type', 'Size'], ['docs/', 'dir'], ['plots/', 'dir']]);
    const plots = await trackside(['artifacts', 'list', '--run-id', runId, '--artifact-path', 'plots', '--store', store]);
    assert.deepEqual(tableRows(plots.stdout), [['Path', 'Type', 'Size'], ['plots/loss/', 'dir'], ['plots/summary.json', 'file', '2.0 kB']]);
    const json = JSON.parse((await trackside(['artifacts', 'list', '-r', runId, '-a', 'docs', '--json', '--store', store])).stdout);
    assert.deepEqual(json, { root_uri: `mlflow-artifacts:/0/${runId}/artifacts`, files: [{ path: 'docs/notes.txt', is_dir: false, file_size: 16 }] });
  });

  it('downloads a file, a folder and a runs:/ URI into --dst-path, printing the local path', async () => {
    const target = tempFolder('trackside-cli-download-');
    try {
      const file = await trackside(['artifacts', 'download', '--run-id', runId, '--artifact-path', 'docs/notes.txt', '--dst-path', target, '--store', store]);
      assert.equal(file.code, 0, file.stderr);
      assert.equal(file.stdout.trim(), path.join(target, 'docs', 'notes.txt'));
      assert.equal(fs.readFileSync(path.join(target, 'docs', 'notes.txt'), 'utf8'), 'hello artifacts\n');

      const folder = await trackside(['artifacts', 'download', '--artifact-uri', `runs:/${runId}/plots`, '--dst-path', target, '--json', '--store', store]);
      assert.deepEqual(JSON.parse(folder.stdout), { local_path: path.join(target, 'plots'), files: 2 });
      assert.equal(fs.readFileSync(path.join(target, 'plots', 'loss', 'curve.svg'), 'utf8'), '<svg/>');

      const everything = await trackside(['artifacts', 'download', '--run-id', runId, '--store', store]);
      const local = everything.stdout.trim();
      try {
        assert.ok(fs.existsSync(path.join(local, 'docs', 'notes.txt')), 'the whole run lands in a temporary folder');
      } finally {
        removeFolder(local);
      }
    } finally {
      removeFolder(target);
    }
  });

  it('reports missing files and artifacts, and conflicting options', async () => {
    const noFile = await trackside(['artifacts', 'log-artifact', '--local-file', path.join(work, 'nope.txt'), '--run-id', runId, '--store', store]);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /No such file: .*nope\.txt/);
    const missing = await trackside(['artifacts', 'download', '--run-id', runId, '--artifact-path', 'nope.txt', '--store', store]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^trackside artifacts download: RESOURCE_DOES_NOT_EXIST: Artifact '[^']*nope\.txt' does not exist/);
    const both = await trackside(['artifacts', 'download', '--artifact-uri', `runs:/${runId}/docs`, '--run-id', runId, '--store', store]);
    assert.equal(both.code, 2);
    const badUri = await trackside(['artifacts', 'download', '--artifact-uri', 's3://bucket/x', '--store', store]);
    assert.equal(badUri.code, 2);
    assert.match(badUri.stderr, /must be a runs:\/<run_id>\/<path> URI/);
  });
});
