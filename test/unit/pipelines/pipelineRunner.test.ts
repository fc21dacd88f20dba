import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { INJECTED_PARAMETERS_CELL, parsePipeline } from '../../../src/core/pipelines/parsePipeline';
import type { PipelineEvent } from '../../../src/core/pipelines/pipelineEvent';
import { runPipeline, type RunPipelineOptions } from '../../../src/core/pipelines/pipelineRunner';
import type {
  ArtifactContent,
  PipelineBatch,
  PipelineMetric,
  PipelineRunCreate,
  PipelineTracking,
  RunEndStatus,
} from '../../../src/core/pipelines/pipelineTracking';
import { bundledPythonPath, temporaryFolder } from './pipelineFixtures';

/** An in-memory tracking server: records every call, in order. */
class RecordingTracking implements PipelineTracking {
  readonly calls: string[] = [];
  created: PipelineRunCreate | undefined;
  params: Record<string, string> = {};
  metrics: PipelineMetric[] = [];
  tags: Record<string, string> = {};
  artifacts = new Map<string, Buffer>();
  ended: { status: RunEndStatus; endTime: number } | undefined;

  async createRun(request: PipelineRunCreate): Promise<string> {
    this.calls.push('createRun');
    this.created = request;
    return 'run0001';
  }

  async logBatch(runId: string, batch: PipelineBatch): Promise<void> {
    assert.equal(runId, 'run0001');
    this.calls.push('logBatch');
    Object.assign(this.params, batch.params);
    this.metrics.push(...(batch.metrics ?? []));
    Object.assign(this.tags, batch.tags);
  }

  async setTags(runId: string, tags: Record<string, string>): Promise<void> {
    assert.equal(runId, 'run0001');
    this.calls.push('setTags');
    Object.assign(this.tags, tags);
  }

  async uploadArtifact(runId: string, artifactPath: string, content: ArtifactContent): Promise<void> {
    assert.equal(runId, 'run0001');
    this.calls.push(`upload ${artifactPath}`);
    this.artifacts.set(artifactPath, 'file' in content ? fs.readFileSync(content.file) : Buffer.from(content));
  }

  async endRun(runId: string, status: RunEndStatus, endTime: number): Promise<void> {
    assert.equal(runId, 'run0001');
    this.calls.push('endRun');
    this.ended = { status, endTime };
  }

  metric(key: string): number | undefined {
    return this.metrics.find((metric) => metric.key === key)?.value;
  }

  artifact(artifactPath: string): string {
    return this.artifacts.get(artifactPath)?.toString('utf8') ?? '<missing>';
  }
}

const TRAIN = [
  '# %% [markdown]', //                                 1
  '# # Train', //                                       2
  '', //                                                3
  '# %% tags=["parameters"]', //                        4
  'alpha: float = 0.5  # learning rate', //             5
  'epochs = 10', //                                     6
  'name = "iris"', //                                   7
  'data_path = str(10 ** 2)', //                        8
  '', //                                                9
  '# %% Prepare', //                                    10
  'print(f"alpha={alpha!r} epochs={epochs} name={name}")', // 11
  'from trackside_kernel.dataframes import register_dataframe_type', // 12
  'class Table:', //                                    13
  '    def __init__(self, n): self.n = n', //           14
  '    def __len__(self): return self.n', //            15
  '    shape = property(lambda self: (self.n, 2))', //  16
  'register_dataframe_type(Table)', //                  17
  'frame = Table(epochs * 10)', //                      18
  '', //                                                19
  '# %% Report', //                                     20
  'import os, sys', //                                  21
  'print("run", os.environ["MLFLOW_RUN_ID"])', //      22
  'print("to stderr", file=sys.stderr)', //             23
].join('\n');

describe('runPipeline', function () {
  this.timeout(30_000);
  let folder: string;
  let script: string;
  let tracking: RecordingTracking;
  let events: PipelineEvent[];

  beforeEach(() => {
    folder = temporaryFolder('runner');
    script = path.join(folder, 'train.py');
    fs.writeFileSync(script, TRAIN.replace('import os, sys', 'import os, sys  # on disk'));
    tracking = new RecordingTracking();
    events = [];
  });

  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  function run(options: Partial<RunPipelineOptions> = {}): ReturnType<typeof runPipeline> {
    return runPipeline({
      scriptPath: script,
      text: TRAIN,
      tracking,
      interpreter: 'python3',
      bundledPythonPath: bundledPythonPath(),
      env: { DATA: 'from-env.csv' },
      onEvent: (event) => events.push(event),
      user: 'tester',
      ...options,
    });
  }

  const stdoutOf = (cell: number): string =>
    events.filter((event) => event.type === 'stream' && event.cell === cell && event.name === 'stdout').map((event) => (event as { text: string }).text).join('');

  it('records a run: tags, effective parameters, cell metrics, DataFrame rows, artifacts, FINISHED', async () => {
    const result = await run({ parameters: { alpha: 1, name: 'wine' } });
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.runId, 'run0001');
    assert.deepEqual(tracking.created?.experiment, { experimentName: 'Pipelines' });
    assert.match(tracking.created?.runName ?? '', /^train\.py \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.deepEqual(tracking.created?.tags, {
      'mlflow.runName': tracking.created?.runName,
      'mlflow.source.name': script,
      'mlflow.source.type': 'LOCAL',
      'mlflow.user': 'tester',
      'trackside.pipeline': 'train.py',
    });
    // Defaults merged with the overrides; a float parameter keeps its decimal point.
    assert.deepEqual(tracking.params, { alpha: '1.0', epochs: '10', name: 'wine', data_path: 'str(10 ** 2)' });
    assert.equal(stdoutOf(2), "alpha=1.0 epochs=10 name=wine\n");
    assert.equal(stdoutOf(3), 'run run0001\n');
    assert.equal(tracking.metric('cell.1.status'), 1);
    assert.equal(tracking.metric('cell.3.status'), 1);
    assert.ok((tracking.metric('cell.2.duration_s') ?? -1) >= 0);
    assert.equal(tracking.metric('cell.0.duration_s'), undefined); // markdown is not run
    assert.deepEqual(tracking.metrics.find((metric) => metric.key === 'rows.frame'), {
      key: 'rows.frame', value: 100, step: 2, timestamp: tracking.metrics.find((metric) => metric.key === 'rows.frame')?.timestamp,
    });
    assert.equal(tracking.artifact('pipeline/stdout.txt'), 'alpha=1.0 epochs=10 name=wine\nrun run0001\n');
    assert.equal(tracking.artifact('pipeline/stderr.txt'), 'to stderr\n');
    assert.equal(tracking.artifact('pipeline/train.py'), TRAIN); // the text that ran, not the file on disk
    assert.equal(tracking.ended?.status, 'FINISHED');
    assert.equal(tracking.calls[0], 'createRun');
    assert.deepEqual(tracking.calls.slice(-4), ['upload pipeline/stdout.txt', 'upload pipeline/stderr.txt', 'upload pipeline/train.py', 'endRun']);
    assert.deepEqual(result.warnings, []);
  });

  it('injects the overrides as their own step right after the parameters cell and reports events in order', async () => {
    await run({ parameters: { epochs: 3 } });
    const sequence = events
      .filter((event) => event.type !== 'stream')
      .map((event) => (event.type === 'cellStarted' || event.type === 'cellFinished' ? `${event.type} ${event.cell}` : event.type));
    assert.deepEqual(sequence, [
      'runCreated',
      'kernelReady',
      'cellStarted 1',
      'cellFinished 1',
      `cellStarted ${INJECTED_PARAMETERS_CELL}`,
      `cellFinished ${INJECTED_PARAMETERS_CELL}`,
      'cellStarted 2',
      'cellFinished 2',
      'cellStarted 3',
      'cellFinished 3',
      'runFinished',
    ]);
    const created = events[0];
    assert.ok(created.type === 'runCreated');
    assert.deepEqual(created.steps.map((step) => step.cell), [1, INJECTED_PARAMETERS_CELL, 2, 3]);
    assert.equal(stdoutOf(2), "alpha=0.5 epochs=3 name=iris\n"); // the later cell sees the override
    assert.equal(tracking.metrics.find((metric) => metric.key === 'rows.frame')?.value, 30);
    assert.equal(tracking.params.epochs, '3');
    assert.equal(tracking.params.alpha, '0.5');
  });

  it('warns about an override the parameters cell does not declare, and injects it anyway', async () => {
    const result = await run({ parameters: { unknown_knob: [1, 2] } });
    assert.equal(result.status, 'FINISHED');
    assert.deepEqual(result.warnings, ["Parameter 'unknown_knob' is not in the parameters cell; it is injected anyway."]);
    assert.equal(tracking.params.unknown_knob, '[1, 2]');
  });

  it('stops at the first failing cell: FAILED, the cell and error tagged, later cells not run', async () => {
    const text = TRAIN.replace('frame = Table(epochs * 10)', 'frame = Table(epochs * 10)\nraise ValueError("bad data")');
    const result = await run({ text });
    assert.equal(result.status, 'FAILED');
    assert.equal(result.failedCell, 2);
    assert.equal(result.error, 'ValueError: bad data (line 19)');
    assert.deepEqual(result.cells.map((cell) => [cell.cell, cell.status]), [[1, 'ok'], [2, 'error']]);
    assert.equal(tracking.tags['trackside.failed_cell'], '2: Prepare');
    assert.equal(tracking.tags['trackside.error'], 'ValueError: bad data (line 19)');
    assert.equal(tracking.metric('cell.2.status'), 0);
    assert.equal(tracking.metric('cell.3.status'), undefined);
    assert.equal(tracking.ended?.status, 'FAILED');
    assert.ok(tracking.artifacts.has('pipeline/train.py'));
    const finished = events[events.length - 1];
    assert.deepEqual(finished.type === 'runFinished' && [finished.status, finished.failedCell, finished.error], ['FAILED', 2, 'ValueError: bad data (line 19)']);
  });

  it('ends KILLED when the signal aborts a cell that never ends', async () => {
    const controller = new AbortController();
    const text = TRAIN.replace('print("to stderr", file=sys.stderr)', 'import time\nprint("sleeping", flush=True)\ntime.sleep(1000)');
    const pending = run({ text, signal: controller.signal, stopGraceMs: 1000 });
    const onStarted = (): void => {
      if (events.some((event) => event.type === 'stream' && event.text.includes('sleeping'))) controller.abort();
      else setTimeout(onStarted, 20);
    };
    onStarted();
    const abortedAt = performance.now();
    const result = await pending;
    assert.ok(performance.now() - abortedAt < 5000);
    assert.equal(result.status, 'KILLED');
    assert.equal(result.failedCell, 3);
    assert.equal(tracking.tags['trackside.stopped_cell'], '3: Report');
    assert.equal(tracking.tags['trackside.error'], undefined);
    assert.equal(tracking.ended?.status, 'KILLED');
    assert.match(tracking.artifact('pipeline/stdout.txt'), /sleeping\n$/);
  });

  it('ends KILLED without starting Python when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await run({ signal: controller.signal });
    assert.equal(result.status, 'KILLED');
    assert.deepEqual(result.cells, []);
    assert.equal(events.some((event) => event.type === 'kernelReady'), false);
    assert.equal(tracking.ended?.status, 'KILLED');
  });

  it('fails the run with the start error when the interpreter is missing', async () => {
    const result = await run({ interpreter: '/nonexistent/python3' });
    assert.equal(result.status, 'FAILED');
    assert.match(result.error ?? '', /'\/nonexistent\/python3'.*trackside\.python\.path/);
    assert.match(tracking.tags['trackside.error'], /\/nonexistent\/python3/);
    assert.equal(tracking.ended?.status, 'FAILED');
    assert.ok(tracking.artifacts.has('pipeline/train.py'));
  });

  it('runs only one cell, or the cells up to one', async () => {
    const only = await run({ cells: { only: 3 } });
    assert.deepEqual(only.cells.map((cell) => cell.cell), [3]);
    assert.deepEqual(tracking.params, {}); // the parameters cell did not run
    const upTo = await run({ cells: { upTo: 2 }, parameters: { epochs: 2 } });
    assert.deepEqual(upTo.cells.map((cell) => cell.cell), [1, INJECTED_PARAMETERS_CELL, 2]);
    await assert.rejects(run({ cells: { only: 0 } }), /Cell 0 is not a code cell/);
  });

  it('tags the git commit when the script is in a repository', async () => {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: folder, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '--allow-empty', '-m', 'first');
    const head = git('rev-parse', 'HEAD');
    await run({ cells: { only: 3 } });
    assert.equal(tracking.created?.tags['mlflow.source.git.commit'], head);
  });

  it('caps the output artifacts with a note', async () => {
    const text = TRAIN.replace('print("to stderr", file=sys.stderr)', 'print("é" * 100)');
    await run({ text, cells: { only: 3 }, outputCapBytes: 50 });
    const stdout = tracking.artifact('pipeline/stdout.txt');
    assert.ok(stdout.startsWith('run run0001\néééééééééééééééééé'));
    assert.match(stdout, /\n\[Trackside: output truncated at 50 bytes; \d+ more bytes were not kept\.\]\n$/);
    assert.ok(!stdout.includes('\ufffd')); // not cut inside a character
  });

  it('keeps going when a tracking call fails after the run was created, and says so', async () => {
    tracking.uploadArtifact = async (): Promise<void> => {
      throw new Error('disk full');
    };
    const result = await run({ cells: { only: 3 } });
    assert.equal(result.status, 'FINISHED');
    assert.equal(tracking.ended?.status, 'FINISHED');
    assert.deepEqual(result.warnings.filter((warning) => warning.includes('disk full')).length, 3);
  });

  it('measures the runner overhead per cell (200 empty cells, tracking in memory)', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `# %% Cell ${i}\npass`).join('\n');
    const started = performance.now();
    const result = await run({ text });
    const elapsed = performance.now() - started;
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.cells.length, 200);
    assert.equal(tracking.metrics.filter((metric) => metric.key.endsWith('.status')).length, 200);
    console.log(`      runner: ${(elapsed / 200).toFixed(2)} ms per empty cell including kernel start and artifacts (${elapsed.toFixed(0)} ms for 200)`);
  });
});

describe('parsePipeline', () => {
  it('gives the cells, the parameters cell and its parameters, and the code cells', () => {
    const parsed = parsePipeline(TRAIN);
    assert.deepEqual(parsed.cells.map((cell) => [cell.index, cell.kind, cell.title]), [[0, 'markdown', ''], [1, 'code', ''], [2, 'code', 'Prepare'], [3, 'code', 'Report']]);
    assert.equal(parsed.parametersCell, 1);
    assert.deepEqual(parsed.parameters.map((parameter) => [parameter.name, parameter.default]), [['alpha', 0.5], ['epochs', 10], ['name', 'iris'], ['data_path', undefined]]);
    assert.deepEqual(parsed.codeCells, [1, 2, 3]);
    assert.equal(parsePipeline('print(1)\n').parametersCell, undefined);
  });
});
