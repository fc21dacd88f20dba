import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Run } from '../../../src/shared/entities';
import { CLI, seedStore, trackside } from '../cli/cliFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { allRuns, copyDemoProject, tagValue, writeProject } from './projectFixtures';

/** Every run in the store (read after the CLI has let go of it). */
function storedRuns(store: string): Promise<Run[]> {
  return seedStore(store, async (client) => {
    const ids = await allRuns(client);
    return Promise.all(ids.map((id) => client.runs.get(id)));
  });
}

function paramsOf(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value]));
}

describe('trackside run (the CLI, end to end with python3)', function () {
  this.timeout(90_000);
  const roots: string[] = [];
  let project: string;
  let failing: string;

  before(() => {
    project = copyDemoProject();
    roots.push(path.dirname(project));
    failing = writeProject({
      MLproject: [
        'entry_points:',
        '  fail:',
        '    parameters: {code: int}',
        '    command: "python -c \'import sys; print(\\"about to fail\\"); sys.exit({code})\'"',
        '  wait:',
        '    command: "python wait.py"',
      ].join('\n'),
      'wait.py': "import time\nprint('ready', flush=True)\ntime.sleep(60)\n",
    });
    roots.push(failing);
  });
  after(() => roots.forEach(removeFolder));

  it('runs an entry point into a new experiment: the output on stdout, the run tracked with its params', async () => {
    const store = tempFolder('trackside-cli-project-');
    roots.push(store);
    const result = await trackside(['run', project, '-e', 'main', '-P', 'alpha=0.4', '-P', 'epochs=5', '--experiment-name', 'cli-projects', '--store', store]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Training on 120 rows, validating on 40 rows of churn\.csv$/m);
    assert.match(result.stdout, /^epoch {3}4 {2}loss /m);
    assert.doesNotMatch(result.stdout, /===/, "Trackside's own lines go to stderr");
    assert.match(result.stderr, /=== Running command 'python train\.py --alpha 0\.4 --epochs 5 --data .*churn\.csv' in run with ID '([0-9a-f]{32})' ===/);
    assert.match(result.stderr, /=== Run \(ID '[0-9a-f]{32}'\) succeeded ===/);

    const [run] = await storedRuns(store);
    assert.equal(run.info.status, 'FINISHED');
    assert.deepEqual(paramsOf(run), { alpha: '0.4', epochs: '5', data: path.join(project, 'data', 'churn.csv') });
    assert.equal(tagValue(run, 'mlflow.project.entryPoint'), 'main');
    assert.equal(tagValue(run, 'mlflow.source.type'), 'PROJECT');
    assert.equal(run.data.metrics?.find((m) => m.key === 'val_auc')?.step, 4, "the script's metrics, logged into the same run");
    const experiment = await seedStore(store, (client) => client.experiments.getByName('cli-projects'));
    assert.equal(run.info.experiment_id, experiment?.experiment_id);
  });

  it('resolves a relative path parameter against the folder the CLI runs in', async () => {
    const store = tempFolder('trackside-cli-project-');
    const work = tempFolder('trackside-cli-cwd-');
    roots.push(store, work);
    fs.copyFileSync(path.join(project, 'data', 'churn.csv'), path.join(work, 'mine.csv'));
    const result = await trackside(['run', project, '-P', 'data=mine.csv', '-P', 'epochs=1', '--store', store], { cwd: work });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /rows of mine\.csv$/m);
    const [run] = await storedRuns(store);
    assert.equal(paramsOf(run).data, path.join(fs.realpathSync(work), 'mine.csv'));
  });

  it("exits with the command's exit code and leaves the run FAILED with it", async () => {
    const store = tempFolder('trackside-cli-project-');
    roots.push(store);
    const result = await trackside(['run', failing, '-e', 'fail', '-P', 'code=4', '--store', store]);
    assert.equal(result.code, 4, result.stderr);
    assert.equal(result.stdout, 'about to fail\n');
    assert.match(result.stderr, /failed with exit code 4 ===/);
    const [run] = await storedRuns(store);
    assert.equal(run.info.status, 'FAILED');
    assert.equal(tagValue(run, 'trackside.exit_code'), '4');
  });

  it('refuses a badly typed or unknown parameter with the message, and creates no run', async () => {
    const store = tempFolder('trackside-cli-project-');
    roots.push(store);
    const typed = await trackside(['run', project, '-e', 'main', '-P', 'alpha=fast', '--store', store]);
    assert.equal(typed.code, 1);
    assert.equal(typed.stdout, '');
    assert.equal(typed.stderr, "trackside run: Parameter 'alpha' of entry point 'main' must be a float (a number such as 0.5), got 'fast'.\n");
    const unknown = await trackside(['run', project, '-e', 'evaluate', '-P', 'model_uri=runs:/x/model', '-P', 'treshold=0.3', '--store', store]);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, "trackside run: Unknown parameter 'treshold' for entry point 'evaluate'; it accepts model_uri (uri), threshold (float).\n");
    const malformed = await trackside(['run', project, '-P', 'alpha', '--store', store]);
    assert.equal(malformed.stderr, "trackside run: Parameters are given as -P name=value; got 'alpha'.\n");
    assert.deepEqual(await storedRuns(store), []);
  });

  it('stops the command on Ctrl-C: the run ends KILLED and the exit code is 130', async () => {
    const store = tempFolder('trackside-cli-project-');
    roots.push(store);
    const env = { ...process.env };
    for (const name of ['MLFLOW_TRACKING_URI', 'MLFLOW_TRACKING_TOKEN', 'TRACKSIDE_STORE']) delete env[name];
    const child = spawn(process.execPath, [CLI, 'run', failing, '-e', 'wait', '--store', store], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('ready')) child.kill('SIGINT');
      });
      child.on('exit', (exitCode) => resolve(exitCode));
    });
    assert.equal(code, 130, stderr);
    assert.match(stderr, /KeyboardInterrupt/);
    assert.match(stderr, /was stopped ===/);
    const [run] = await storedRuns(store);
    assert.equal(run.info.status, 'KILLED');
  });
});
