import path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import { AlertMonitor, type AlertEvent } from '../../core/monitoring/alertMonitor';
import { describeSchedule, isScheduledRun, validateRules, type AlertRule } from '../../core/monitoring/alertRules';
import { TriggerBook, type TriggerBookState } from '../../core/monitoring/triggerBook';
import { runTrigger, type TriggerOutcome } from '../../core/monitoring/triggerRunner';
import { findInterpreter } from '../../core/pipelines/findInterpreter';
import type { ChangeEvent } from '../../shared/changeEvents';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { settings } from '../settings';
import { Disposable, toDisposable } from '../util/disposable';
import { alertsFileUri } from './alertsFile';

const bookStateKey = 'trackside.alerts.triggerBook';
/**
 * Scheduled rules are looked at when the next one is due, but at least every 30 seconds (the clock
 * may jump: sleep, a changed book) and at most once a second (never a tight loop).
 */
const scheduleTickMs = 30_000;
const minimumTickMs = 1_000;
/** Notifications shown for one batch of firings; the rest are summed up in one more. */
const notifiedPerBurst = 3;

/** What the service did, for whoever listens (the integration tests; a future alerts view). */
export type AlertActivity =
  | { kind: 'rulesLoaded'; rules: readonly AlertRule[] }
  | { kind: 'fired'; event: AlertEvent }
  | { kind: 'triggerFinished'; ruleId: string; outcome: TriggerOutcome };

/**
 * Alert rules of `.trackside/alerts.json` at work while VS Code is open: loads and watches the file
 * (a file that is not valid is reported once, with "Open alerts.json"), evaluates logged metrics as
 * the change stream reports them and scheduled rules on a timer, notifies with "Open Run", tags
 * the runs, and starts retraining pipelines — once per firing or per interval of a scheduled run,
 * never retried by itself, only from rules saved to disk, and only in a trusted workspace.
 */
export class AlertService extends Disposable {
  private rules: AlertRule[] = [];
  private readonly book: TriggerBook;
  private watcher: { client: TrackingClient; monitor: AlertMonitor } | undefined;
  private queue: Promise<void> = Promise.resolve();
  private lastProblem: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly abort = new AbortController();
  private readonly activity = this._register(new vscode.EventEmitter<AlertActivity>());
  readonly onDidActivity = this.activity.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly connection: ConnectionManager,
    live: { subscribe(listener: (events: ChangeEvent[]) => void): { dispose(): void } },
  ) {
    super();
    this.book = restoreBook(context.workspaceState.get<TriggerBookState>(bookStateKey));
    const file = alertsFileUri();
    if (file) {
      const folder = vscode.Uri.joinPath(file, '..', '..');
      const fileWatcher = this._register(vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, '.trackside/alerts.json')));
      this._register(fileWatcher.onDidChange(() => this.reload()));
      this._register(fileWatcher.onDidCreate(() => this.reload()));
      this._register(fileWatcher.onDidDelete(() => this.reload()));
      this._register(vscode.workspace.onDidSaveTextDocument((document) => document.uri.fsPath === file.fsPath && this.reload()));
    }
    this._register(live.subscribe((events) => this.onEvents(events)));
    this._register(toDisposable(() => clearTimeout(this.timer)));
    this._register(toDisposable(() => this.abort.abort()));
    void this.reload();
  }

  get currentRules(): readonly AlertRule[] {
    return this.rules;
  }

  /** Reads the rules file again (it is watched; this is for callers that cannot wait). */
  reload(): Promise<void> {
    return this.enqueue(async () => {
      this.rules = await this.readRules();
      this.watcher?.monitor.setRules(this.rules);
      // A scheduled run's clock starts when its rule is first loaded.
      if (this.book.noteRules(this.rules, Date.now())) await this.saveBook();
      this.armTimer();
      this.activity.fire({ kind: 'rulesLoaded', rules: this.rules });
    });
  }

  /** Evaluates the scheduled rules that are due now (also done when the next one is due). */
  checkSchedulesNow(): Promise<void> {
    return this.enqueue(() => this.checkSchedules());
  }

  /** Wakes up when the next scheduled rule is due (no timer without scheduled rules). */
  private armTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.isDisposed) return;
    if (!this.rules.some((rule) => rule.schedule)) return;
    const now = Date.now();
    // Metric rules are checked only while connected; until then, look again in 30 seconds.
    const acting = this.connection.connectedClient ? this.rules : this.rules.filter(isScheduledRun);
    const next = this.book.nextDueAt(acting, now) ?? now + scheduleTickMs;
    const delay = Math.min(scheduleTickMs, Math.max(minimumTickMs, next - now));
    this.timer = setTimeout(() => void this.enqueue(() => this.checkSchedules()).finally(() => this.armTimer()), delay);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work).catch((error: unknown) => log().warn(`Alerts: ${error instanceof Error ? error.message : String(error)}`));
    this.queue = next;
    return next;
  }

  private async readRules(): Promise<AlertRule[]> {
    const file = alertsFileUri();
    if (!file) return [];
    let text: string;
    try {
      text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
    } catch {
      this.lastProblem = undefined;
      return [];
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      this.reportProblem(`.trackside/alerts.json is not valid JSON (${(error as Error).message}): no alert rules are active until it is fixed.`);
      return [];
    }
    const checked = validateRules(json);
    if ('errors' in checked) {
      const count = checked.errors.length;
      checked.errors.forEach((problem) => log().warn(`alerts.json: ${problem}`));
      this.reportProblem(`.trackside/alerts.json has ${count} problem${count === 1 ? '' : 's'} (${checked.errors[0]}${count > 1 ? '; more in the log' : ''}): no alert rules are active until it is fixed.`);
      return [];
    }
    this.lastProblem = undefined;
    log().info(`Alerts: ${checked.rules.length} rule${checked.rules.length === 1 ? '' : 's'} loaded from ${file.fsPath}`);
    return checked.rules;
  }

  /** Tells the person once per distinct problem, not on every reload. */
  private reportProblem(message: string): void {
    log().warn(message);
    if (message === this.lastProblem) return;
    this.lastProblem = message;
    void vscode.window.showWarningMessage(message, 'Open alerts.json').then((choice) => {
      if (choice === 'Open alerts.json') void vscode.commands.executeCommand('trackside.editAlerts');
    });
  }

  private monitorOf(client: TrackingClient): AlertMonitor {
    if (this.watcher?.client !== client) {
      const monitor = new AlertMonitor({ client, book: this.book });
      monitor.setRules(this.rules);
      this.watcher = { client, monitor };
    }
    return this.watcher.monitor;
  }

  private onEvents(events: ChangeEvent[]): void {
    if (this.rules.length === 0) return;
    const runs: Record<string, string[]> = {};
    for (const event of events) {
      if (event.type !== 'metrics') continue;
      for (const [runId, keys] of Object.entries(event.runs)) runs[runId] = [...new Set([...(runs[runId] ?? []), ...keys])];
    }
    const client = this.connection.connectedClient;
    if (Object.keys(runs).length === 0 || !client) return;
    void this.enqueue(async () => this.handle(await this.monitorOf(client).metricsLogged(runs), client));
  }

  private async checkSchedules(): Promise<void> {
    const now = Date.now();
    const due = this.book.dueRules(this.rules, now);
    if (due.length === 0) return;
    let client = this.connection.connectedClient;
    const runs = due.filter(isScheduledRun);
    if (!client && runs.length > 0) {
      // A scheduled run needs the store: start it (a metric rule waits until something connects).
      try {
        client = await this.connection.client();
      } catch (error) {
        // The runs of this interval fail, reported once each; the next try is an interval later.
        const reason = `could not connect to the tracking store: ${error instanceof Error ? error.message : String(error)}`;
        for (const rule of runs) {
          this.book.markChecked(rule.id, now);
          const { firing, startRun } = this.book.scheduleRun(rule, now);
          if (startRun) this.book.markFinished(firing.id, 'failed', now, reason);
          this.reportTriggerFailure(rule, reason, undefined);
        }
        await this.saveBook();
        return;
      }
    }
    if (!client) return;
    await this.handle(await this.monitorOf(client).checkScheduled(), client);
  }

  private async handle(events: AlertEvent[], client: TrackingClient): Promise<void> {
    if (events.length > 0) await this.saveBook();
    for (const event of events.filter((candidate) => candidate.kind === 'schedule')) {
      // A scheduled run is not an alert: logged when it starts, notified when it ends.
      log().info(`${event.message}${event.startRun ? ' — starting' : ''}`);
      if (event.notStarted) log().info(`Scheduled run '${event.rule.id}': ${event.rule.trigger?.pipeline} not started: ${event.notStarted}`);
      this.activity.fire({ kind: 'fired', event });
      if (event.startRun) void this.startTrigger(event, client);
    }
    events = events.filter((event) => event.kind === 'alert');
    events.forEach((event, index) => {
      log().info(`${event.message}${event.tagKey ? ` (tagged ${event.tagKey})` : ''}`);
      if (event.tagError) log().warn(`Alert '${event.rule.id}': could not tag run ${event.run?.runId}: ${event.tagError}`);
      if (event.notStarted) log().info(`Alert '${event.rule.id}': ${event.rule.trigger?.pipeline} not started: ${event.notStarted}`);
      let message = event.message;
      if (event.startRun && event.rule.trigger) message += ` — starting ${event.rule.trigger.pipeline}`;
      // A burst (a scheduled check over many runs) gets a few notifications and one summary, not one each.
      if (index < notifiedPerBurst) this.notify('warning', message, event.run?.runId);
      else if (index === notifiedPerBurst) this.notify('warning', `${events.length - notifiedPerBurst} more alerts fired: see the Trackside log.`, undefined, 'Show Log');
      this.activity.fire({ kind: 'fired', event });
      if (event.startRun) void this.startTrigger(event, client);
    });
  }

  private notify(severity: 'info' | 'warning' | 'error', message: string, runId: string | undefined, ...more: string[]): void {
    const actions = runId ? ['Open Run', ...more] : more;
    const shown =
      severity === 'error'
        ? vscode.window.showErrorMessage(message, ...actions)
        : severity === 'warning'
          ? vscode.window.showWarningMessage(message, ...actions)
          : vscode.window.showInformationMessage(message, ...actions);
    void shown.then((choice) => {
      if (choice === 'Open Run' && runId) void vscode.commands.executeCommand('trackside.openRunDetails', runId);
      else if (choice === 'Show Log') log().show(true);
    });
  }

  private async startTrigger(event: AlertEvent, client: TrackingClient): Promise<void> {
    const rule = event.rule;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let outcome: TriggerOutcome;
    if (!vscode.workspace.isTrusted || !folder) {
      const why = folder ? 'this workspace is not trusted' : 'no folder is open';
      this.book.markFinished(event.firing.id, 'failed', Date.now(), `Not started: ${why}`);
      outcome = { firingId: event.firing.id, status: 'failed', error: `not started: ${why}`, triggeredBy: '' };
    } else {
      const interpreter = await findInterpreter({ setting: settings.pythonPath() });
      const environment = await this.connection.trackingEnvironment();
      const prefix = `[alert ${rule.id}] `;
      outcome = await runTrigger(this.book, rule, event.firing, {
        client,
        workspaceFolder: folder,
        interpreter: interpreter.path,
        bundledPythonPath: path.join(this.context.extensionPath, 'dist', 'python'),
        env: environment,
        signal: this.abort.signal,
        onEvent: (pipelineEvent) => {
          if (pipelineEvent.type === 'runCreated') {
            log().info(`${prefix}${rule.trigger?.pipeline} started as run ${pipelineEvent.runId}`);
            void this.saveBook();
          } else if (pipelineEvent.type === 'stream') log().info(`${prefix}${pipelineEvent.text.trimEnd()}`);
          else if (pipelineEvent.type === 'warning') log().warn(`${prefix}${pipelineEvent.message}`);
        },
      });
    }
    await this.saveBook();
    this.activity.fire({ kind: 'triggerFinished', ruleId: rule.id, outcome });
    const pipeline = rule.trigger?.pipeline ?? 'the pipeline';
    if (outcome.status === 'succeeded') {
      log().info(`${ruleLabel(rule)}: ${pipeline} finished (run ${outcome.pipelineRunId})`);
      this.notify('info', `${ruleLabel(rule)}: ${pipeline} finished.`, outcome.pipelineRunId);
    } else {
      this.reportTriggerFailure(rule, outcome.error ?? 'unknown error', outcome.pipelineRunId);
    }
  }

  /** Once per failed run: the error, and that nothing retries it (a scheduled run waits for its next interval). */
  private reportTriggerFailure(rule: AlertRule, error: string, runId: string | undefined): void {
    const pipeline = rule.trigger?.pipeline ?? 'the pipeline';
    const next = isScheduledRun(rule) ? `It is not retried; the next scheduled run is ${describeSchedule(rule.schedule).replace(/^every/, 'in')}.` : 'It is not retried.';
    log().error(`${ruleLabel(rule)}: ${pipeline} failed: ${error}`);
    this.notify('error', `${ruleLabel(rule)}: ${pipeline} failed (${error}). ${next}`, runId, 'Show Log');
  }

  private saveBook(): Thenable<void> {
    return this.context.workspaceState.update(bookStateKey, this.book.toJSON());
  }
}

/** `Alert 'loss-high'` or `Scheduled run 'nightly-retrain'`. */
function ruleLabel(rule: AlertRule): string {
  return `${isScheduledRun(rule) ? 'Scheduled run' : 'Alert'} '${rule.id}'`;
}

/** The saved book; a run that was pending or running when VS Code closed is recorded as failed, never restarted. */
function restoreBook(state: TriggerBookState | undefined): TriggerBook {
  let book: TriggerBook;
  try {
    book = new TriggerBook(state);
  } catch {
    return new TriggerBook();
  }
  for (const firing of book.firings()) {
    const status = firing.trigger?.status;
    if (status === 'pending' || status === 'running') book.markFinished(firing.id, 'failed', Date.now(), 'VS Code closed while it ran');
  }
  return book;
}
