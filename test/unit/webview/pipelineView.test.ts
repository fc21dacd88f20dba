import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { planPipelineSteps } from '../../../src/core/pipelines/parsePipeline';
import { checkParameter, formOverrides, pipelineDocument } from '../../../src/extension/pipelines/pipelineDocument';
import { panelRunEvent } from '../../../src/extension/pipelines/pipelineEvents';
import { historyRun, pipelineRunsFilter } from '../../../src/extension/pipelines/pipelineHistory';
import { pipelineLensTargets, RUN_CELL_LENS, RUN_PIPELINE_LENS, RUN_TO_HERE_LENS } from '../../../src/extension/pipelines/pipelineLenses';
import { parseFilter } from '../../../src/core/search/filterParser';
import { appendOutput, applyRunEvent, createRunView, emptyOutput, isRunActive, outputText, stripAnsi } from '../../../src/shared/pipeline/pipelineRunState';
import { changedParameters, formatElapsed, historyParameters, historyRunLabel, initialValues, markdownBlocks, numberedLines, runSummary } from '../../../src/shared/pipeline/pipelineView';

/** The demo workspace's ETL pipeline, from the checkout. */
function demoScript(name: string): { file: string; text: string } {
  let folder = __dirname;
  while (!fs.existsSync(path.join(folder, 'test', 'fixtures', 'demo-workspace')) && path.dirname(folder) !== folder) folder = path.dirname(folder);
  if (!fs.existsSync(path.join(folder, 'test', 'fixtures'))) folder = process.cwd();
  const file = path.join(folder, 'test', 'fixtures', 'demo-workspace', 'pipelines', name);
  return { file, text: fs.readFileSync(file, 'utf8') };
}

describe('pipeline panel: output as a terminal shows it', () => {
  it('keeps stdout and stderr in order, turns \\r\\n into newlines and drops colour codes', () => {
    const output = emptyOutput();
    appendOutput(output, 'stdout', 'loading\r\n');
    appendOutput(output, 'stderr', '\u001b[33mwarning: slow\u001b[0m\n');
    appendOutput(output, 'stdout', 'done\n');
    assert.deepEqual(output.parts, [
      { name: 'stdout', text: 'loading\n' },
      { name: 'stderr', text: 'warning: slow\n' },
      { name: 'stdout', text: 'done\n' },
    ]);
    assert.equal(stripAnsi('\u001b]0;title\u0007plain'), 'plain');
  });

  it('lets a carriage return rewrite the current line (a progress bar), also across chunks', () => {
    const output = emptyOutput();
    appendOutput(output, 'stderr', 'epoch 1\n 10%');
    appendOutput(output, 'stderr', '\r 50%\r');
    appendOutput(output, 'stderr', ' 100%\nnext');
    assert.equal(outputText(output), 'epoch 1\n 100%\nnext');
  });

  it('keeps only the last characters, from a line start, and counts what it dropped', () => {
    const output = emptyOutput();
    for (let i = 0; i < 1000; i++) appendOutput(output, 'stdout', `line ${String(i).padStart(4, '0')}\n`, 200);
    const text = outputText(output);
    assert.ok(text.length <= 200, `${text.length} characters kept`);
    assert.ok(text.startsWith('line '), 'the first line shown is whole');
    assert.ok(text.endsWith('line 0999\n'));
    assert.equal(output.dropped + text.length, 1000 * 10, 'every character is either shown or counted as dropped');
  });
});

describe('pipeline panel: a run built from the engine’s events', () => {
  it('moves cells from queued to running to done, puts the injected parameters where the engine ran them, and keeps output between cells with the cell before', () => {
    const run = createRunView('all', 1000, [{ cell: 1, title: '' }, { cell: 2, title: 'Load' }, { cell: 3, title: 'Train' }]);
    assert.equal(run.phase, 'starting');
    assert.ok(isRunActive(run));
    applyRunEvent(run, { type: 'runCreated', runId: 'r1', runName: 'etl 1', steps: [{ cell: 1, injected: false, title: '' }, { cell: -1, injected: true, title: 'Injected parameters' }, { cell: 2, injected: false, title: 'Load' }, { cell: 3, injected: false, title: 'Train' }] });
    assert.deepEqual(run.cells.map((cell) => cell.cell), [1, -1, 2, 3]);
    applyRunEvent(run, { type: 'kernelReady', python: '3.11.2', executable: '/usr/bin/python3' });
    applyRunEvent(run, { type: 'cellStarted', cell: 2, at: 2000 });
    applyRunEvent(run, { type: 'output', chunks: [{ cell: 2, name: 'stdout', text: 'read 10 rows\n' }, { cell: null, name: 'stderr', text: 'thread says hi\n' }] });
    applyRunEvent(run, { type: 'cellFinished', cell: 2, status: 'ok', durationMs: 12.5, dataframes: [{ name: 'raw', rows: 10, columns: 3 }] });
    const load = run.cells[2];
    assert.equal(load.status, 'ok');
    assert.equal(load.durationMs, 12.5);
    assert.equal(outputText(load.output), 'read 10 rows\nthread says hi\n');
    assert.equal(runSummary(run, 3000), 'Running between cells · 1 of 3 done · 2.0 s');
  });

  it('ends a stopped run KILLED: the running cell is marked stopped, the rest not run', () => {
    const run = createRunView({ upTo: 3 }, 0, [{ cell: 1, title: '' }, { cell: 3, title: '' }]);
    applyRunEvent(run, { type: 'cellStarted', cell: 1, at: 10 });
    applyRunEvent(run, { type: 'stopping' });
    assert.equal(run.stopping, true);
    applyRunEvent(run, { type: 'runFinished', runId: 'r2', status: 'KILLED', durationMs: 4200, failedCell: 1, startFailed: false });
    assert.deepEqual(run.cells.map((cell) => cell.status), ['interrupted', 'skipped']);
    assert.equal(isRunActive(run), false);
    assert.equal(runSummary(run, 0), 'Stopped in cell 1 after 4.2 s');
  });

  it('says when the kernel did not start, and where a run failed', () => {
    const run = createRunView('all', 0, [{ cell: 0, title: '' }]);
    applyRunEvent(run, { type: 'runFinished', runId: 'r3', status: 'FAILED', durationMs: 30, error: "Could not start the Python kernel with 'nope'", startFailed: true });
    assert.equal(runSummary(run, 0), 'Failed: the Python kernel did not start');
    const failed = createRunView('all', 0, [{ cell: 4, title: '' }]);
    applyRunEvent(failed, { type: 'cellStarted', cell: 4, at: 0 });
    applyRunEvent(failed, { type: 'cellFinished', cell: 4, status: 'error', durationMs: 3, dataframes: [], error: { ename: 'KeyError', evalue: "'x'", traceback: ['Traceback…'], line: 41 } });
    applyRunEvent(failed, { type: 'runFinished', runId: 'r4', status: 'FAILED', durationMs: 1500, failedCell: 4, startFailed: false });
    assert.equal(runSummary(failed, 0), 'Failed in cell 4 after 1.5 s');
    assert.equal(failed.cells[0].error?.line, 41);
  });

  it('maps the engine’s events: a run that failed before the kernel was ready is a start failure; output is batched elsewhere', () => {
    const failed = { type: 'runFinished', runId: 'r', status: 'FAILED', durationMs: 5, error: 'no python' } as const;
    assert.deepEqual(panelRunEvent(failed, false, 0), { type: 'runFinished', runId: 'r', status: 'FAILED', durationMs: 5, startFailed: true, error: 'no python' });
    assert.equal((panelRunEvent({ ...failed, failedCell: 2 }, true, 0) as { startFailed: boolean }).startFailed, false);
    assert.equal(panelRunEvent({ type: 'stream', cell: 1, name: 'stdout', text: 'x' }, true, 0), undefined);
    assert.deepEqual(panelRunEvent({ type: 'cellStarted', cell: 4, injected: false, title: 'Load' }, true, 1234), { type: 'cellStarted', cell: 4, at: 1234 });
  });

  it('formats durations for cells and runs', () => {
    assert.deepEqual([formatElapsed(0), formatElapsed(0.07), formatElapsed(4.4), formatElapsed(999), formatElapsed(1500), formatElapsed(65_000), formatElapsed(3_720_000)], ['0 ms', '< 1 ms', '4 ms', '999 ms', '1.5 s', '1m 05s', '1h 02m']);
  });
});

describe('pipeline panel: the script as drawn', () => {
  it('numbers each code line with its line in the file and reads markdown as text', () => {
    const { file, text } = demoScript('etl_quality.py');
    const fileLines = text.split('\n');
    const { document } = pipelineDocument(file, text, false);
    assert.equal(document.fileName, 'etl_quality.py');
    for (const cell of document.cells.filter((c) => c.kind === 'code')) {
      for (const { line, text: shown } of numberedLines(cell)) assert.equal(shown, fileLines[line - 1], `line ${line}`);
    }
    const blocks = markdownBlocks(document.cells[0].source);
    assert.deepEqual(blocks[0], { kind: 'heading', level: 1, text: 'Order data quality' });
    assert.equal(blocks[1].kind, 'paragraph');
  });

  it('builds the form from the parameters cell: typed fields, defaults as typed, file lines and help', () => {
    const { file, text } = demoScript('etl_quality.py');
    const { document } = pipelineDocument(file, text, true);
    assert.equal(document.dirty, true);
    assert.deepEqual(
      document.parameters.map(({ name, type, field, defaultText, line }) => ({ name, type, field, defaultText, line })),
      [
        { name: 'input_path', type: 'str', field: 'text', defaultText: '../data/raw_orders.csv', line: 8 },
        { name: 'min_amount', type: 'float', field: 'number', defaultText: '1.0', line: 9 },
        { name: 'dedupe_on', type: 'str', field: 'text', defaultText: 'order_id', line: 10 },
      ],
    );
    assert.equal(text.split('\n')[8], 'min_amount: float = 1.0  # orders below this amount are dropped');
    assert.equal(document.parameters[1].help, 'orders below this amount are dropped');
  });

  it('injects only the changed values, typed as declared, and names the fields that are wrong', () => {
    const script = '# %% tags=["parameters"]\nepochs: int = 10\nrate = 0.5\nname = "a"\nverbose: bool = True\n# %%\nprint(epochs)\n';
    const { parsed, document } = pipelineDocument('/tmp/p.py', script, false);
    const values = initialValues(document.parameters, { rate: '2' });
    assert.deepEqual(values, { epochs: '10', rate: '2', name: 'a', verbose: 'True' });
    assert.deepEqual(changedParameters(document.parameters, values), ['rate']);
    assert.deepEqual(formOverrides(parsed, values), { overrides: { rate: 2 }, errors: {} });
    const injected = planPipelineSteps(parsed, 'all', formOverrides(parsed, values).overrides).find((step) => step.injected);
    assert.equal(injected?.code, '# Parameters\nrate = 2.0\n', 'a float parameter keeps its decimal point');
    assert.deepEqual(formOverrides(parsed, { ...values, epochs: '1.5', verbose: 'False' }), {
      overrides: { rate: 2, verbose: false },
      errors: { epochs: "Parameter 'epochs' expects an int (a whole number such as 10), got '1.5'." },
    });
    assert.deepEqual(checkParameter(parsed, 'epochs', 'ten'), { error: "Parameter 'epochs' expects an int (a whole number such as 10), got 'ten'." });
    assert.deepEqual(checkParameter(parsed, 'epochs', '12'), {});
  });

  it('puts CodeLenses on markers only: the pipeline on the first, Run to Here and Run Cell on code cells', () => {
    const { text } = demoScript('etl_quality.py');
    const targets = pipelineLensTargets(text);
    assert.deepEqual(targets[0], { line: 0, title: RUN_PIPELINE_LENS, selection: 'all' }, 'on the first marker, a markdown cell');
    const lines = text.split('\n');
    for (const target of targets) assert.match(lines[target.line], /^# %%/);
    assert.deepEqual(targets.slice(1, 3), [
      { line: 6, title: RUN_TO_HERE_LENS, selection: { upTo: 1 } },
      { line: 6, title: RUN_CELL_LENS, selection: { only: 1 } },
    ]);
    assert.equal(targets.length, 1 + 2 * 6, 'six code cells');
    assert.deepEqual(pipelineLensTargets('import os\nprint(os.getcwd())\n'), [], 'a plain script gets none');
  });
});

describe('pipeline panel: the history of a script', () => {
  it('searches runs by the pipeline tags, quoting the path as the filter grammar wants', () => {
    const filter = pipelineRunsFilter("/work/it's\\here/etl.py");
    assert.equal(filter, "tags.`trackside.pipeline` = 'etl.py' AND tags.`mlflow.source.name` = '/work/it\\'s\\\\here/etl.py'");
    const parsed = JSON.stringify(parseFilter(filter));
    assert.ok(parsed.includes("/work/it's\\\\here/etl.py"), parsed);
  });

  it('reads a run into a history row with its parameters in the form’s order and where it failed', () => {
    const row = historyRun({
      info: { run_id: 'abc', run_uuid: 'abc', run_name: 'etl 1', experiment_id: '1', status: 'FAILED', start_time: 1000, end_time: 4500, artifact_uri: '', lifecycle_stage: 'active' },
      inputs: {}, data: { params: [{ key: 'zeta', value: '1' }, { key: 'min_amount', value: '5.0' }, { key: 'input_path', value: 'a.csv' }], tags: [{ key: 'trackside.failed_cell', value: '3: Deduplicate' }, { key: 'trackside.error', value: "KeyError: 'x' (line 38)" }] },
    });
    assert.deepEqual({ failed: row.failedCell, error: row.error, name: row.name }, { failed: '3: Deduplicate', error: "KeyError: 'x' (line 38)", name: 'etl 1' });
    const { document } = pipelineDocument('/tmp/etl.py', demoScript('etl_quality.py').text, false);
    assert.equal(historyParameters(row, document.parameters), 'input_path=a.csv, min_amount=5.0, zeta=1');
    const at = (): string => '2026-01-02 03:04:05';
    assert.deepEqual(historyRunLabel({ name: 'etl.py 2026-01-02 03:04:05', startTime: 1 }, 'etl.py', at), { name: '2026-01-02 03:04:05' }, 'a default name is its start time');
    assert.deepEqual(historyRunLabel({ name: 'baseline', startTime: 1 }, 'etl.py', at), { name: 'baseline', started: '2026-01-02 03:04:05' });
  });
});
