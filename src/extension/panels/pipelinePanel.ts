import path from 'node:path';
import { CappedOutput } from '../../core/pipelines/cappedOutput';
import { ClientPipelineTracking } from '../../core/pipelines/clientPipelineTracking';
import { planPipelineSteps, type ParsedPipeline } from '../../core/pipelines/parsePipeline';
import type { PipelineEvent } from '../../core/pipelines/pipelineEvent';
import { runPipeline, type PipelineRunResult } from '../../core/pipelines/pipelineRunner';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import { applyRunEvent, createRunView, isRunActive, runProgress } from '../../shared/pipeline/pipelineRunState';
import {
  PIPELINE_VIEW_TYPE,
  type PipelineCellSelection,
  type PipelineDocument,
  type PipelineFromWebview,
  type PipelineHistory,
  type PipelineInput,
  type PipelineRunAnswer,
  type PipelineRunEvent,
  type PipelineRunView,
  type PipelineToWebview,
} from '../../shared/protocol/pipelineProtocol';
import { checkParameter, formOverrides, pipelineDocument, unreadableDocument } from '../pipelines/pipelineDocument';
import { panelRunEvent } from '../pipelines/pipelineEvents';
import { loadPipelineHistory } from '../pipelines/pipelineHistory';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';

/** What the pipeline panel needs from VS Code beyond `PanelServices` (plain interfaces: unit tests pass fakes). */
export interface PipelineRuntime {
  /** The script's text: the open editor's (unsaved changes included, `dirty`), else the file's. */
  readScript(scriptPath: string): Promise<{ text: string; dirty: boolean }>;
  /** Calls `onChange` (debounced) when the script changes in an editor or on disk. */
  watchScript(scriptPath: string, onChange: () => void): { dispose(): void };
  /** The interpreter, the bundled Python folder and the kernel's environment (tracking URI and token). */
  kernelSettings(): Promise<{ interpreter: string; bundledPythonPath: string; env: Record<string, string | undefined> }>;
  revealLine(scriptPath: string, line: number): Promise<void>;
  /** Opens text (a cell's whole output) in an editor. */
  openText(title: string, text: string): Promise<void>;
  openSettings(): Promise<void>;
  /** The kernel did not start: one message with "Open Settings". */
  showStartError(message: string): void;
  /** A progress line (status bar) while a run goes on; undefined when it ends. */
  progress(scriptPath: string, text: string | undefined): void;
}

/** Output batched per webview message (a cell printing in a loop sends one message per ~50 ms). */
const OUTPUT_FLUSH_MS = 50;
/** Output kept per cell for "Show Full Output" (the run's artifacts keep up to 50 MB). */
const FULL_OUTPUT_BYTES = 10 * 1024 * 1024;
const BETWEEN_CELLS = 'between';

/**
 * The pipeline panel of one script: its cells and parameters form (re-read when the file changes),
 * runs (all, one cell, up to a cell) with live output and status per cell, stop, and the script's
 * earlier runs. Runs go through the engine's `runPipeline` into the connected tracking server.
 */
export class PipelinePanel implements PanelLogic<PipelineFromWebview> {
  private parsed: ParsedPipeline | undefined;
  private document: PipelineDocument;
  private run: PipelineRunView | undefined;
  private running: Promise<PipelineRunResult | undefined> | undefined;
  private abort: AbortController | undefined;
  private historyState: PipelineHistory = { runs: [] };
  private readonly fullOutput = new Map<number | typeof BETWEEN_CELLS, CappedOutput>();
  private pendingOutput: { cell: number | null; name: 'stdout' | 'stderr'; text: string }[] = [];
  private outputTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly historyReload: ReloadScheduler;
  private readonly documentReload: ReloadScheduler;
  private readonly watcher: { dispose(): void };
  private readySeen = false;
  private requested: PipelineCellSelection | undefined;
  private disposed = false;

  constructor(
    readonly input: PipelineInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<PipelineToWebview>,
    private readonly runtime: PipelineRuntime,
    private readonly onDisposed: () => void = () => undefined,
  ) {
    this.document = unreadableDocument(input.scriptPath, 'Reading the script…');
    this.historyReload = new ReloadScheduler(() => this.reloadHistory(), 1500);
    this.documentReload = new ReloadScheduler(async () => {
      await this.readDocument();
      this.view.post({ type: 'document', document: this.document });
    }, 300);
    this.watcher = runtime.watchScript(input.scriptPath, () => this.documentReload.schedule());
  }

  /** The run going on or the last one (for tests and commands). */
  get currentRun(): PipelineRunView | undefined {
    return this.run;
  }

  /** This script's runs as last loaded. */
  get history(): PipelineHistory {
    return this.historyState;
  }

  /** Resolves when the current run (if any) has ended, with its result. */
  whenIdle(): Promise<PipelineRunResult | undefined> {
    return this.running ?? Promise.resolve(undefined);
  }

  async handle(message: PipelineFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.onReady();
        return;
      case 'run':
        return this.view.respond(message.requestId, () => this.start(message.selection, message.values));
      case 'validate':
        return this.view.respond(message.requestId, () => (this.parsed ? checkParameter(this.parsed, message.name, message.text) : {}));
      case 'stop':
        this.stop();
        return;
      case 'openRun':
        await this.services.executeCommand('trackside.openRunDetails', message.runId);
        return;
      case 'openCharts':
        await this.services.executeCommand('trackside.openRunCharts', message.runId);
        return;
      case 'openSettings':
        await this.runtime.openSettings();
        return;
      case 'revealLine':
        await this.runtime.revealLine(this.input.scriptPath, message.line);
        return;
      case 'showFullOutput':
        await this.showFullOutput(message.cell);
        return;
      case 'refreshHistory':
        await this.reloadHistory();
        return;
      default:
        assertNever(message);
    }
  }

  /** A run asked for outside the panel (CodeLens, editor title): the form runs it with its values. */
  requestRun(selection: PipelineCellSelection): void {
    if (this.readySeen && this.view.visible) this.view.post({ type: 'runRequested', selection });
    else this.requested = selection;
  }

  /**
   * Starts a run with the form's text per parameter (changed values are checked and injected).
   * Answers at once: started, or why not (field errors, a run already going on, no server).
   */
  async start(selection: PipelineCellSelection, values: Record<string, string>): Promise<PipelineRunAnswer> {
    if (isRunActive(this.run)) return { started: false, errors: {}, message: 'This pipeline is running already: stop it first.' };
    const text = await this.readDocument();
    const parsed = this.parsed;
    if (text === undefined || !parsed) return { started: false, errors: {}, message: this.document.error ?? 'The script could not be read.' };
    const { overrides, errors } = formOverrides(parsed, values);
    if (Object.keys(errors).length > 0) return { started: false, errors, message: 'Fix the highlighted parameters first.' };
    let planned: { cell: number; title: string; code?: string }[];
    let settings: Awaited<ReturnType<PipelineRuntime['kernelSettings']>>;
    let tracking: ClientPipelineTracking;
    try {
      planned = planPipelineSteps(parsed, selection, overrides).map((step) => ({ cell: step.cell, title: step.title, ...(step.injected ? { code: step.code } : {}) }));
      tracking = new ClientPipelineTracking(await this.services.client());
      settings = await this.runtime.kernelSettings();
    } catch (e) {
      return { started: false, errors: {}, message: errorMessage(e) };
    }
    if (isRunActive(this.run)) return { started: false, errors: {}, message: 'This pipeline is running already: stop it first.' };
    const abort = (this.abort = new AbortController());
    this.run = createRunView(selection, Date.now(), planned);
    this.fullOutput.clear();
    this.view.post({ type: 'runStarted', run: this.run, hostNow: Date.now() });
    this.runtime.progress(this.input.scriptPath, `Starting ${path.basename(this.input.scriptPath)}…`);
    let kernelReady = false;
    this.running = runPipeline({
      scriptPath: this.input.scriptPath,
      text,
      parameters: overrides,
      cells: selection,
      tracking,
      interpreter: settings.interpreter,
      bundledPythonPath: settings.bundledPythonPath,
      env: settings.env,
      signal: abort.signal,
      onEvent: (event) => {
        if (event.type === 'kernelReady') kernelReady = true;
        this.onEngineEvent(event, kernelReady);
      },
    }).then(
      async (result) => {
        await this.finished(result.status === 'FAILED' && !kernelReady ? result.error : undefined);
        return result;
      },
      async (e: unknown) => {
        // The run could not even be created (the server refused it).
        const message = `Could not start the pipeline run: ${errorMessage(e)}`;
        this.services.log.error(message);
        this.emit({ type: 'runFinished', runId: '', status: 'FAILED', durationMs: 0, error: message, startFailed: false });
        await this.finished(undefined);
        return undefined;
      },
    );
    return { started: true, errors: {} };
  }

  /** Stops the running cell; the run ends KILLED. */
  stop(): void {
    if (!this.abort || this.abort.signal.aborted || !isRunActive(this.run)) return;
    this.emit({ type: 'stopping' });
    this.abort.abort();
  }

  onChanges(events: readonly ChangeEvent[]): void {
    if (events.some((event) => event.type === 'runs')) this.historyReload.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    clearTimeout(this.outputTimer);
    this.historyReload.dispose();
    this.documentReload.dispose();
    this.watcher.dispose();
    this.runtime.progress(this.input.scriptPath, undefined);
    this.onDisposed();
  }

  private async onReady(): Promise<void> {
    this.flushOutput();
    await this.readDocument();
    this.view.setTitle(`Pipeline: ${this.document.fileName}`);
    this.view.post({ type: 'init', input: this.input, document: this.document, ...(this.run ? { run: this.run } : {}), history: this.historyState, hostNow: Date.now() });
    this.readySeen = true;
    if (this.requested !== undefined) {
      const selection = this.requested;
      this.requested = undefined;
      this.view.post({ type: 'runRequested', selection });
    }
    await this.reloadHistory();
  }

  /** Re-reads and re-parses the script; returns its text (undefined when it could not be read). */
  private async readDocument(): Promise<string | undefined> {
    try {
      const { text, dirty } = await this.runtime.readScript(this.input.scriptPath);
      const { parsed, document } = pipelineDocument(this.input.scriptPath, text, dirty);
      this.parsed = parsed;
      this.document = document;
      return text;
    } catch (e) {
      this.parsed = undefined;
      this.document = unreadableDocument(this.input.scriptPath, `Could not read ${this.input.scriptPath}: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private async reloadHistory(): Promise<void> {
    if (this.disposed) return;
    try {
      this.historyState = { runs: await loadPipelineHistory(await this.services.client(), this.input.scriptPath) };
    } catch (e) {
      this.historyState = { runs: this.historyState.runs, error: `Could not load this pipeline's runs: ${errorMessage(e)}` };
    }
    this.view.post({ type: 'history', history: this.historyState });
  }

  private async finished(startError: string | undefined): Promise<void> {
    this.flushOutput();
    this.abort = undefined;
    this.runtime.progress(this.input.scriptPath, undefined);
    if (startError) this.runtime.showStartError(startError);
    await this.reloadHistory();
  }

  /** The engine's events, as the panel's: output batched, the rest at once (after pending output). */
  private onEngineEvent(event: PipelineEvent, kernelReady: boolean): void {
    if (event.type === 'stream') {
      this.keepOutput(event.cell, event.text);
      this.pendingOutput.push({ cell: event.cell, name: event.name, text: event.text });
      this.outputTimer ??= setTimeout(() => this.flushOutput(), OUTPUT_FLUSH_MS);
      return;
    }
    if (event.type === 'warning') this.services.log.warn(`${path.basename(this.input.scriptPath)}: ${event.message}`);
    const panelEvent = panelRunEvent(event, kernelReady, Date.now());
    if (panelEvent) this.emit(panelEvent);
    if (event.type === 'runCreated') this.historyReload.schedule();
    if (event.type === 'cellStarted' || event.type === 'cellFinished') this.reportProgress();
  }

  /** Applies an event to the panel's copy of the run and sends it to the webview (pending output first). */
  private emit(event: PipelineRunEvent): void {
    if (event.type !== 'output') this.flushOutput();
    if (this.run) applyRunEvent(this.run, event);
    this.view.post({ type: 'runEvent', event });
  }

  private flushOutput(): void {
    clearTimeout(this.outputTimer);
    this.outputTimer = undefined;
    if (this.pendingOutput.length === 0) return;
    const chunks: typeof this.pendingOutput = [];
    for (const chunk of this.pendingOutput) {
      const last = chunks[chunks.length - 1];
      if (last && last.cell === chunk.cell && last.name === chunk.name) last.text += chunk.text;
      else chunks.push({ ...chunk });
    }
    this.pendingOutput = [];
    this.emit({ type: 'output', chunks });
  }

  private keepOutput(cell: number | null, text: string): void {
    const key = cell ?? BETWEEN_CELLS;
    let kept = this.fullOutput.get(key);
    if (!kept) this.fullOutput.set(key, (kept = new CappedOutput(FULL_OUTPUT_BYTES)));
    kept.append(text);
  }

  private reportProgress(): void {
    if (!this.run || !isRunActive(this.run)) return;
    const { done, total, running } = runProgress(this.run);
    const where = running ? (running.injected ? 'parameters' : `cell ${running.cell}`) : '';
    this.runtime.progress(this.input.scriptPath, `${path.basename(this.input.scriptPath)}: ${where ? `${where}, ` : ''}${done}/${total}`);
  }

  private async showFullOutput(cell: number | null): Promise<void> {
    const name = path.basename(this.input.scriptPath);
    if (cell === null) {
      const text = [...this.fullOutput.values()].map((output) => output.toBytes().toString('utf8')).join('');
      await this.runtime.openText(`${name} output`, text);
      return;
    }
    const output = this.fullOutput.get(cell);
    await this.runtime.openText(`${name} cell ${cell} output`, output ? output.toBytes().toString('utf8') : '');
  }
}

function parseInput(value: unknown): PipelineInput | undefined {
  const input = value as Partial<PipelineInput> | undefined;
  return input && typeof input.scriptPath === 'string' && input.scriptPath ? { scriptPath: input.scriptPath } : undefined;
}

/**
 * The pipeline panel kind: one panel per script. `open` holds the live panels by script path so
 * commands (CodeLens, editor title) can ask an open panel to run.
 */
export function createPipelinePanelKind(
  runtime: PipelineRuntime,
  open: Map<string, PipelinePanel>,
): PanelKind<PipelineInput, PipelineToWebview, PipelineFromWebview> {
  return {
    viewType: PIPELINE_VIEW_TYPE,
    bundle: 'pipeline',
    key: (input) => path.resolve(input.scriptPath),
    title: (input) => `Pipeline: ${path.basename(input.scriptPath)}`,
    parseInput,
    create: (input, services, connection) => {
      const key = path.resolve(input.scriptPath);
      const panel: PipelinePanel = new PipelinePanel(input, services, connection, runtime, () => {
        if (open.get(key) === panel) open.delete(key);
      });
      open.set(key, panel);
      return panel;
    },
  };
}
