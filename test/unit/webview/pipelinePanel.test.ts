import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PipelinePanel, type PipelineRuntime } from '../../../src/extension/panels/pipelinePanel';
import { DISPLAY_OUTPUT_LIMIT, outputText } from '../../../src/shared/pipeline/pipelineRunState';
import type { PipelineRunAnswer, PipelineRunEvent, PipelineToWebview } from '../../../src/shared/protocol/pipelineProtocol';
import { ServerFixture } from '../client/clientFixture';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { bundledPythonPath } from '../pipelines/pipelineFixtures';
import { RecordingConnection, RecordingServices } from './panelFixture';

/** The VS Code side of the panel, recorded: files are read from disk, the interpreter is python3. */
class FakeRuntime implements PipelineRuntime {
  interpreter = 'python3';
  readonly startErrors: string[] = [];
  readonly opened: { title: string; text: string }[] = [];
  readonly revealed: number[] = [];
  readonly progressLines: (string | undefined)[] = [];
  onScriptChange: (() => void) | undefined;

  constructor(private readonly fixture: ServerFixture) {}

  async readScript(scriptPath: string): Promise<{ text: string; dirty: boolean }> {
    return { text: fs.readFileSync(scriptPath, 'utf8'), dirty: false };
  }

  watchScript(_scriptPath: string, onChange: () => void): { dispose(): void } {
    this.onScriptChange = onChange;
    return { dispose: () => (this.onScriptChange = undefined) };
  }

  async kernelSettings(): Promise<{ interpreter: string; bundledPythonPath: string; env: Record<string, string | undefined> }> {
    return {
      interpreter: this.interpreter,
      bundledPythonPath: bundledPythonPath(),
      env: { MLFLOW_TRACKING_URI: this.fixture.server.url, MLFLOW_TRACKING_TOKEN: this.fixture.token },
    };
  }

  async revealLine(_scriptPath: string, line: number): Promise<void> {
    this.revealed.push(line);
  }

  async openText(title: string, text: string): Promise<void> {
    this.opened.push({ title, text });
  }

  async openSettings(): Promise<void> {}

  showStartError(message: string): void {
    this.startErrors.push(message);
  }

  progress(_scriptPath: string, text: string | undefined): void {
    this.progressLines.push(text);
  }
}

function runEvents(view: RecordingConnection<PipelineToWebview>): PipelineRunEvent[] {
  return view.ofType('runEvent').map((message) => message.event);
}

describe('pipeline panel (host logic) with a real server and python3', function () {
  this.timeout(60_000);
  let fixture: ServerFixture;
  let folder: string;
  let runtime: FakeRuntime;
  let view: RecordingConnection<PipelineToWebview>;
  let services: RecordingServices;
  const panels: PipelinePanel[] = [];

  const script = (name: string, text: string): string => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const open = async (scriptPath: string): Promise<PipelinePanel> => {
    const panel = new PipelinePanel({ scriptPath }, services, view, runtime);
    panels.push(panel);
    await panel.handle({ type: 'ready' });
    return panel;
  };
  let requestId = 0;
  const run = async (panel: PipelinePanel, values: Record<string, string>, selection: 'all' | { only: number } | { upTo: number } = 'all'): Promise<PipelineRunAnswer> => {
    const id = ++requestId;
    await panel.handle({ type: 'run', requestId: id, selection, values });
    const answer = view.response(id);
    assert.equal(answer.error, undefined);
    return answer.result as PipelineRunAnswer;
  };

  before(async () => {
    fixture = await ServerFixture.start();
    folder = tempFolder('trackside-pipeline-panel-');
  });
  beforeEach(() => {
    runtime = new FakeRuntime(fixture);
    view = new RecordingConnection<PipelineToWebview>();
    services = new RecordingServices(fixture.client);
  });
  afterEach(async () => {
    for (const panel of panels.splice(0)) {
      panel.dispose();
      await panel.whenIdle();
    }
  });
  after(async () => {
    await fixture.stop();
    removeFolder(folder);
  });

  it('shows the cells and the form, refuses a bad value, runs with a changed one and lists the run in the history', async () => {
    const file = script('etl.py', '# %% tags=["parameters"]\nrows: int = 3\nlabel = "x"\n\n# %% Make rows\nimport trackside\ndata = list(range(rows))\nprint("made", len(data))\ntrackside.log_metric("made", len(data))\n');
    const panel = await open(file);
    const init = view.ofType('init')[0];
    assert.deepEqual(init.document.cells.map((cell) => [cell.index, cell.title, cell.isParameters]), [[0, '', true], [1, 'Make rows', false]]);
    assert.deepEqual(init.document.parameters.map((p) => [p.name, p.field, p.defaultText]), [['rows', 'number', '3'], ['label', 'text', 'x']]);
    assert.equal(view.title, 'Pipeline: etl.py');

    const refused = await run(panel, { rows: 'three', label: 'x' });
    assert.deepEqual(refused, { started: false, errors: { rows: "Parameter 'rows' expects an int (a whole number such as 10), got 'three'." }, message: 'Fix the highlighted parameters first.' });
    assert.equal(view.ofType('runStarted').length, 0, 'nothing ran');

    assert.deepEqual(await run(panel, { rows: '5', label: 'x' }), { started: true, errors: {} });
    await panel.whenIdle();
    const finished = panel.currentRun!;
    assert.equal(finished.phase, 'FINISHED');
    assert.deepEqual(finished.cells.map((cell) => [cell.cell, cell.status]), [[0, 'ok'], [-1, 'ok'], [1, 'ok']]);
    assert.equal(finished.cells[1].code, '# Parameters\nrows = 5\n', 'the injected step shows what it set');
    assert.equal(outputText(finished.cells[2].output), 'made 5\n');
    assert.deepEqual(
      runEvents(view).filter((event) => event.type === 'cellStarted' || event.type === 'cellFinished').map((event) => `${event.type} ${(event as { cell: number }).cell}`),
      ['cellStarted 0', 'cellFinished 0', 'cellStarted -1', 'cellFinished -1', 'cellStarted 1', 'cellFinished 1'],
    );
    const stored = await fixture.client.runs.get(finished.runId!);
    assert.equal(stored.info.status, 'FINISHED');
    assert.deepEqual(Object.fromEntries((stored.data.params ?? []).map((p) => [p.key, p.value])), { rows: '5', label: 'x' });
    assert.equal(stored.data.metrics?.find((m) => m.key === 'made')?.value, 5);
    const history = view.ofType('history').at(-1)!.history;
    assert.equal(history.runs[0].runId, finished.runId);
    assert.deepEqual(history.runs[0].params, { rows: '5', label: 'x' });
    assert.equal(runtime.progressLines.at(-1), undefined, 'the status bar item is gone');
    assert.ok(runtime.progressLines.some((line) => line === 'etl.py: cell 1, 1/2'), runtime.progressLines.join(' | '));
  });

  it('shows a failing cell’s traceback at the script’s line and skips the cells after it', async () => {
    const file = script('fails.py', '# %% First\nx = 1\n\n# %% Breaks\ny = x + 1\nraise ValueError(f"bad value {y}")\n\n# %% Never\nprint("unreachable")\n');
    const panel = await open(file);
    assert.equal((await run(panel, {})).started, true);
    await panel.whenIdle();
    const failed = panel.currentRun!;
    assert.equal(failed.phase, 'FAILED');
    assert.equal(failed.failedCell, 1);
    assert.deepEqual(failed.cells.map((cell) => cell.status), ['ok', 'error', 'skipped']);
    const error = failed.cells[1].error!;
    assert.equal(error.line, 6);
    assert.equal(fs.readFileSync(file, 'utf8').split('\n')[error.line! - 1], 'raise ValueError(f"bad value {y}")');
    assert.equal(error.traceback.at(-1), 'ValueError: bad value 2');
    assert.equal(failed.error, 'ValueError: bad value 2 (line 6)');
    await panel.handle({ type: 'revealLine', line: 6 });
    assert.deepEqual(runtime.revealed, [6]);
    const stored = await fixture.client.runs.get(failed.runId!);
    assert.equal(stored.info.status, 'FAILED');
    assert.equal(stored.data.tags?.find((t) => t.key === 'trackside.failed_cell')?.value, '1: Breaks');
  });

  it('batches a chatty cell’s output, keeps the last characters for the view and all of it for "Show Full Output"', async () => {
    const file = script('chatty.py', '# %%\nfor i in range(5000):\n    print(f"line {i:05d}")\n');
    const panel = await open(file);
    await run(panel, {});
    await panel.whenIdle();
    const outputs = runEvents(view).filter((event) => event.type === 'output');
    assert.ok(outputs.length >= 1 && outputs.length < 200, `${outputs.length} output messages for 5000 lines`);
    const cell = panel.currentRun!.cells[0];
    const shown = outputText(cell.output);
    assert.ok(shown.length <= DISPLAY_OUTPUT_LIMIT);
    assert.ok(cell.output.dropped > 0);
    assert.ok(shown.endsWith('line 04999\n'));
    await panel.handle({ type: 'showFullOutput', cell: 0 });
    const full = runtime.opened[0];
    assert.equal(full.title, 'chatty.py cell 0 output');
    assert.equal(full.text.split('\n').length, 5001);
    assert.ok(full.text.startsWith('line 00000\n'));
  });

  it('stops a running cell: the run ends KILLED and the cell is marked stopped', async () => {
    const file = script('slow.py', '# %% Wait\nimport time\nprint("waiting", flush=True)\ntime.sleep(30)\n\n# %% After\nprint("after")\n');
    const panel = await open(file);
    await run(panel, {});
    const deadline = Date.now() + 20_000;
    while (panel.currentRun?.cells[0].status !== 'running' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    await panel.handle({ type: 'stop' });
    await panel.whenIdle();
    assert.ok(Date.now() - started < 10_000, 'stopped well before the sleep ended');
    const killed = panel.currentRun!;
    assert.equal(killed.phase, 'KILLED');
    assert.deepEqual(killed.cells.map((cell) => cell.status), ['interrupted', 'skipped']);
    assert.ok(runEvents(view).some((event) => event.type === 'stopping'));
    assert.equal((await fixture.client.runs.get(killed.runId!)).info.status, 'KILLED');
  });

  it('says the kernel did not start when the interpreter is missing, and offers the setting', async () => {
    runtime.interpreter = path.join(folder, 'no-such-python');
    const file = script('noPython.py', '# %%\nprint(1)\n');
    const panel = await open(file);
    await run(panel, {});
    await panel.whenIdle();
    const failed = panel.currentRun!;
    assert.equal(failed.phase, 'FAILED');
    assert.equal(failed.startFailed, true);
    assert.match(failed.error ?? '', /^Could not start the Python kernel with '.*no-such-python': no such file or command\. Change the trackside\.python\.path setting/);
    assert.deepEqual(runtime.startErrors, [failed.error]);
  });

  it('re-reads the script when it changes, and runs a run asked for before the webview was ready once it is', async () => {
    const file = script('edited.py', '# %% One\nprint(1)\n');
    const panel = new PipelinePanel({ scriptPath: file }, services, view, runtime);
    panels.push(panel);
    panel.requestRun({ upTo: 0 });
    assert.equal(view.ofType('runRequested').length, 0, 'not before the webview is ready');
    await panel.handle({ type: 'ready' });
    assert.deepEqual(view.ofType('runRequested').map((message) => message.selection), [{ upTo: 0 }]);
    fs.writeFileSync(file, '# %% One\nprint(1)\n\n# %% Two\nprint(2)\n');
    runtime.onScriptChange?.();
    const document = await view.next('document', 0);
    assert.deepEqual(document.document.cells.map((cell) => cell.title), ['One', 'Two']);
    panel.requestRun('all');
    assert.deepEqual(view.ofType('runRequested').at(-1)?.selection, 'all', 'a ready panel asks the form at once');
  });
});
