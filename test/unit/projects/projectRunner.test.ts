import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MLprojectError } from '../../../src/core/projects/mlprojectError';
import { runProject, type ProjectOutputStream, type RunProjectOptions } from '../../../src/core/projects/projectRunner';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { bundledPythonPath } from '../pipelines/pipelineFixtures';
import { allRuns, commitAll, copyDemoProject, tagValue, writeProject } from './projectFixtures';

interface Captured {
  chunks: Array<{ stream: ProjectOutputStream; text: string }>;
  text(stream?: ProjectOutputStream): string;
}

function capture(): Captured & { onOutput: (text: string, stream: ProjectOutputStream) => void } {
  const chunks: Captured['chunks'] = [];
  return {
    chunks,
    onOutput: (text, stream) => chunks.push({ stream, text }),
    text: (stream) => chunks.filter((chunk) => stream === undefined || chunk.stream === stream).map((chunk) => chunk.text).join(''),
  };
}

const WAIT_PROJECT = {
  MLproject: [
    'name: waiting',
    'entry_points:',
    '  wait:',
    '    command: "python wait.py"',
    '  stubborn:',
    `    command: "trap '' INT; echo ready; sleep 30"`,
  ].join('\n'),
  'wait.py': "import time\nprint('ready', flush=True)\ntime.sleep(60)\n",
};

describe('runProject (python3 against a real server)', function () {
  this.timeout(60_000);
  let fixture: ServerFixture;
  /** Temp folders to remove afterwards. */
  const roots: string[] = [];
  let trainRunId: string;

  const options = (extra: Partial<RunProjectOptions> & Pick<RunProjectOptions, 'projectDir'>): RunProjectOptions => ({
    client: fixture.client,
    interpreter: 'python3',
    bundledPythonPath: bundledPythonPath(),
    user: 'tester',
    ...extra,
  });

  before(async () => {
    fixture = await ServerFixture.start();
  });
  after(async () => {
    await fixture.stop();
    for (const folder of roots) removeFolder(folder);
  });

  it('runs the demo main entry point as a tracked run with its params, tags, metrics and output', async () => {
    const project = copyDemoProject();
    roots.push(path.dirname(project));
    const commit = commitAll(project);
    const output = capture();
    const result = await runProject(options({ projectDir: project, entryPoint: 'main', parameters: { alpha: '0.5', epochs: '8' }, onOutput: output.onOutput }));
    trainRunId = result.runId;
    assert.equal(result.status, 'FINISHED', output.text());
    assert.equal(result.exitCode, 0);
    const data = path.join(project, 'data', 'churn.csv');
    assert.equal(result.command, `python train.py --alpha 0.5 --epochs 8 --data ${data}`);

    const run = await fixture.client.runs.get(result.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.equal(run.info.experiment_id, '0');
    assert.deepEqual(
      Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])),
      { alpha: '0.5', epochs: '8', data },
      'the effective parameters, the default path made absolute',
    );
    assert.equal(tagValue(run, 'mlflow.source.name'), project);
    assert.equal(tagValue(run, 'mlflow.source.type'), 'PROJECT');
    assert.equal(tagValue(run, 'mlflow.project.entryPoint'), 'main');
    assert.equal(tagValue(run, 'mlflow.user'), 'tester');
    assert.equal(tagValue(run, 'mlflow.source.git.commit'), commit);
    assert.deepEqual(JSON.parse(tagValue(run, 'trackside.project.parameters') ?? '{}'), { alpha: '0.5', epochs: '8', data });
    assert.equal(tagValue(run, 'trackside.project.environment_note'), undefined, 'the demo project names no environment');

    // The script's own calls landed in the same run (MLFLOW_RUN_ID): one val_auc point per epoch, and the model.
    const history = await fixture.client.metrics.getHistory(result.runId, 'val_auc');
    assert.deepEqual(history.map((m) => m.step), [0, 1, 2, 3, 4, 5, 6, 7]);
    const model = JSON.parse((await fixture.client.artifacts.read(result.runId, 'model/model.json')).toString('utf8')) as { weights: number[] };
    assert.equal(model.weights.length, 4);

    assert.match(output.text('stdout'), /^Training on 120 rows, validating on 40 rows of churn\.csv$/m);
    assert.match(output.text('stdout'), new RegExp(`^Model saved: runs:/${result.runId}/model$`, 'm'));
    assert.doesNotMatch(output.text('trackside'), /Warning/);
    const saved = (await fixture.client.artifacts.read(result.runId, 'project/output.txt')).toString('utf8');
    assert.match(saved, /=== Running command 'python train\.py --alpha 0\.5 --epochs 8 --data .*churn\.csv' in run with ID '[0-9a-f]{32}' ===/);
    assert.match(saved, /^epoch {3}7 {2}loss \d\.\d{4} {2}val_auc \d\.\d{4}$/m);
    assert.match(saved, /=== Run \(ID '[0-9a-f]{32}'\) succeeded ===/);
  });

  it('runs the evaluate entry point with its default threshold on a runs:/ model of the first run', async () => {
    const project = copyDemoProject();
    roots.push(path.dirname(project));
    const result = await runProject(options({ projectDir: project, entryPoint: 'evaluate', parameters: { model_uri: `runs:/${trainRunId}/model` } }));
    assert.equal(result.status, 'FINISHED');
    const run = await fixture.client.runs.get(result.runId);
    assert.deepEqual(Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])), { model_uri: `runs:/${trainRunId}/model`, threshold: '0.5' });
    assert.equal(tagValue(run, 'mlflow.project.entryPoint'), 'evaluate');
    assert.equal(tagValue(run, 'mlflow.source.git.commit'), undefined, 'not in a git repository');
    const accuracy = Number(run.data.metrics?.find((m) => m.key === 'eval_accuracy')?.value);
    assert.ok(accuracy > 0.5 && accuracy <= 1, `eval_accuracy ${accuracy}`);
  });

  it('ends FAILED with the exit code as a tag when the command fails', async () => {
    const project = writeProject({
      MLproject: 'entry_points:\n  fail:\n    parameters:\n      code: int\n    command: "python fail.py {code}"\n  missing:\n    command: "no-such-program-for-trackside --flag"\n',
      'fail.py': "import sys\nprint('bad input', file=sys.stderr)\nsys.exit(int(sys.argv[1]))\n",
    });
    roots.push(project);
    const output = capture();
    const result = await runProject(options({ projectDir: project, entryPoint: 'fail', parameters: { code: '3' }, onOutput: output.onOutput }));
    assert.equal(result.status, 'FAILED');
    assert.equal(result.exitCode, 3);
    assert.equal(output.text('stderr'), 'bad input\n');
    const run = await fixture.client.runs.get(result.runId);
    assert.equal(run.info.status, 'FAILED');
    assert.equal(tagValue(run, 'trackside.exit_code'), '3');
    const saved = (await fixture.client.artifacts.read(result.runId, 'project/output.txt')).toString('utf8');
    assert.match(saved, /bad input\n/);
    assert.match(saved, /failed with exit code 3 ===/);

    const missing = await runProject(options({ projectDir: project, entryPoint: 'missing' }));
    assert.equal(missing.status, 'FAILED');
    assert.equal(missing.exitCode, 127, 'a program that is not there, as a shell reports it');
    const missingRun = await fixture.client.runs.get(missing.runId);
    assert.equal(tagValue(missingRun, 'trackside.exit_code'), '127');
    assert.match(tagValue(missingRun, 'trackside.error') ?? '', /ENOENT/);
  });

  it('refuses unknown, missing and badly typed parameters before creating anything', async () => {
    const project = copyDemoProject();
    roots.push(path.dirname(project));
    const before = await allRuns(fixture.client);
    const refused = async (entryPoint: string, parameters: Record<string, string>, message: RegExp): Promise<void> => {
      await assert.rejects(
        runProject(options({ projectDir: project, entryPoint, parameters, experimentName: 'must-not-be-created' })),
        (error: unknown) => error instanceof MLprojectError && message.test(error.message),
        `${entryPoint} ${JSON.stringify(parameters)}`,
      );
    };
    await refused('main', { alpha: 'fast' }, /^Parameter 'alpha' of entry point 'main' must be a float \(a number such as 0\.5\), got 'fast'\.$/);
    await refused('main', { epochs: '2.5' }, /^Parameter 'epochs' of entry point 'main' must be an int \(a whole number such as 10\), got '2\.5'\.$/);
    await refused('main', { alpah: '0.1' }, /^Unknown parameter 'alpah' for entry point 'main'; it accepts alpha \(float\), epochs \(int\), data \(path\)\.$/);
    await refused('main', { data: 'data/nope.csv' }, /^Parameter 'data' of entry point 'main' must be an existing path, but '.*data\/nope\.csv' was not found\.$/);
    await refused('evaluate', {}, /^No value given for missing parameters of entry point 'evaluate': 'model_uri' \(uri\)\.$/);
    await refused('evaluate', { model_uri: 'model.json' }, /^Parameter 'model_uri' of entry point 'evaluate' must be a uri/);
    await refused('train', {}, /^Could not find train among entry points \['main', 'evaluate'\]/);
    assert.deepEqual(await allRuns(fixture.client), before, 'no run was created');
    assert.equal(await fixture.client.experiments.getByName('must-not-be-created'), undefined, 'no experiment was created');
  });

  it('stops the command on abort: Ctrl-C first, and the run ends KILLED', async () => {
    const project = writeProject(WAIT_PROJECT);
    roots.push(project);
    const controller = new AbortController();
    const output = capture();
    const started = Date.now();
    const running = runProject(
      options({
        projectDir: project,
        entryPoint: 'wait',
        signal: controller.signal,
        onOutput: (text, stream) => {
          output.onOutput(text, stream);
          if (stream === 'stdout' && text.includes('ready')) controller.abort();
        },
      }),
    );
    const result = await running;
    assert.equal(result.status, 'KILLED');
    assert.equal(result.exitSignal, 'SIGINT', 'Python ends itself with SIGINT after KeyboardInterrupt');
    assert.equal(result.exitCode, 130);
    assert.ok(Date.now() - started < 10_000, 'well before the 60 s sleep');
    assert.match(output.text('stderr'), /KeyboardInterrupt/);
    assert.equal((await fixture.client.runs.get(result.runId)).info.status, 'KILLED');
  });

  it('escalates to SIGTERM when the command ignores Ctrl-C', async () => {
    const project = writeProject(WAIT_PROJECT);
    roots.push(project);
    const controller = new AbortController();
    const started = Date.now();
    const result = await runProject(
      options({
        projectDir: project,
        entryPoint: 'stubborn',
        signal: controller.signal,
        stopGraceMs: 300,
        onOutput: (text, stream) => stream === 'stdout' && text.includes('ready') && controller.abort(),
      }),
    );
    assert.equal(result.status, 'KILLED');
    assert.equal(result.exitSignal, 'SIGTERM');
    assert.ok(Date.now() - started < 10_000);
  });

  it('gives the command the run, the server, the bundled module and the chosen interpreter as python', async () => {
    const project = writeProject({
      MLproject: [
        'name: environment',
        'python_env: python_env.yaml',
        'entry_points:',
        '  direct:',
        '    command: "python env.py"',
        '  shell:',
        '    command: "python env.py | cat"',
      ].join('\n'),
      'python_env.yaml': 'python: "3.11"\n',
      'env.py': [
        'import json, os, sys, trackside',
        "keys = ['MLFLOW_RUN_ID', 'MLFLOW_TRACKING_URI', 'MLFLOW_EXPERIMENT_ID', 'WRAPPED']",
        "out = {key: os.environ.get(key) for key in keys}",
        "out['token'] = os.environ.get('MLFLOW_TRACKING_TOKEN') is not None",
        "out['trackside'] = os.path.dirname(os.path.dirname(trackside.__file__))",
        'print(json.dumps(out))',
      ].join('\n'),
    });
    roots.push(project);
    const bin = tempFolder('trackside-interpreter-');
    roots.push(bin);
    const wrapper = path.join(bin, 'my-python');
    fs.writeFileSync(wrapper, '#!/bin/sh\nWRAPPED=yes exec python3 "$@"\n', { mode: 0o755 });
    for (const entryPoint of ['direct', 'shell']) {
      const output = capture();
      const result = await runProject(options({ projectDir: project, entryPoint, interpreter: wrapper, experimentName: 'environment-check', onOutput: output.onOutput }));
      assert.equal(result.status, 'FINISHED', output.text());
      const experiment = await fixture.client.experiments.getByName('environment-check');
      const seen = JSON.parse(output.text('stdout')) as Record<string, unknown>;
      assert.deepEqual(seen, {
        MLFLOW_RUN_ID: result.runId,
        MLFLOW_TRACKING_URI: fixture.client.trackingUri,
        MLFLOW_EXPERIMENT_ID: experiment?.experiment_id,
        WRAPPED: 'yes',
        token: true,
        trackside: bundledPythonPath(),
      }, entryPoint);
      assert.match(output.text('trackside'), /^Warning: The project asks for a Python environment \(python_env: python_env\.yaml\); Trackside does not create environments/m);
      const run = await fixture.client.runs.get(result.runId);
      assert.equal(run.info.experiment_id, experiment?.experiment_id);
      assert.match(tagValue(run, 'trackside.project.environment_note') ?? '', /python_env: python_env\.yaml.*the interpreter .*my-python/);
    }
  });

  it('passes values with spaces, quotes and $ to the command intact, with and without a shell', async () => {
    const project = writeProject({
      MLproject: [
        'entry_points:',
        '  direct:',
        '    parameters: {text: string}',
        '    command: "python show.py {text}"',
        '  shell:',
        '    parameters: {text: string}',
        '    command: "python show.py {text} > shown.json && cat shown.json"',
      ].join('\n'),
      'show.py': 'import json, sys\nprint(json.dumps(sys.argv[1:]))\n',
    });
    roots.push(project);
    const text = `it's "quoted" $HOME \`id\` and  spaces`;
    for (const entryPoint of ['direct', 'shell']) {
      const output = capture();
      const result = await runProject(options({ projectDir: project, entryPoint, parameters: { text }, onOutput: output.onOutput }));
      assert.equal(result.status, 'FINISHED', output.text());
      assert.deepEqual(JSON.parse(output.text('stdout')), [text], entryPoint);
    }
  });

  it('runs a lone script as the main entry point of a project without an MLproject file', async () => {
    const project = writeProject({ 'hello.py': "print('hello from a script')\n" });
    roots.push(project);
    const output = capture();
    const result = await runProject(options({ projectDir: path.join(project, 'hello.py'), onOutput: output.onOutput }));
    assert.equal(result.status, 'FINISHED');
    assert.equal(output.text('stdout'), 'hello from a script\n');
    const run = await fixture.client.runs.get(result.runId);
    assert.equal(tagValue(run, 'mlflow.source.name'), path.join(project, 'hello.py'));
    assert.equal(tagValue(run, 'mlflow.project.entryPoint'), 'main');
  });
});
