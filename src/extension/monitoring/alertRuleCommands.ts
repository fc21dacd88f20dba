import path from 'node:path';
import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import { comparisons, type AlertScope, type AlertTrigger, type Comparison } from '../../core/monitoring/alertRules';
import {
  addRuleToText,
  checkNewRule,
  comparisonMeanings,
  formatParameterAssignments,
  parseMinutes,
  parseParameterAssignments,
  parseThreshold,
  removeRuleFromText,
  ruleEntriesInText,
  ruleIdProblem,
  ruleIdsInText,
  suggestRuleId,
  summarizeRule,
} from '../../core/monitoring/alertsFileEdit';
import { isPercentScript } from '../../core/pipelines/cellParser';
import type { PipelineParameter } from '../../core/pipelines/parametersCell';
import { parsePipeline } from '../../core/pipelines/parsePipeline';
import { ask, pickExperiment, pickModel } from '../commands/pickers';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { log } from '../log';
import { parameterDefaultText } from '../pipelines/pipelineDocument';
import { alertsFileUri } from './alertsFile';
import type { AlertService } from './alertService';

const addTitle = 'Add Alert Rule';
const removeTitle = 'Remove Alert Rule';
/** Folders no pipeline is looked for in. */
const excludedFolders = '**/{node_modules,.git,.venv,venv,env,site-packages,__pycache__,.trackside,mlruns,dist,out}/**';
/** Python files read to find the percent-format pipelines among them. */
const scannedScripts = 500;
const largestScript = 1_000_000;

/**
 * "Add Alert Rule…" and "Remove Alert Rule…": edit `.trackside/alerts.json` through quick picks and
 * input boxes, write it atomically (other rules keep their text), reload the rules and show the
 * file. Both take an argument to skip the prompts: the rule (fields as in the file; `id` may be left
 * out; one that is not valid answers `{ errors }` and writes nothing) or the id of the rule to remove.
 */
export function registerAlertRuleCommands(alerts: AlertService, connection: ConnectionManager): vscode.Disposable[] {
  return [
    registerCommand('trackside.addAlertRule', addTitle, async (given?: unknown) => {
      const file = requireAlertsFile(addTitle);
      if (!file) return undefined;
      const text = await readText(file);
      const taken = text === undefined ? [] : ruleIdsInText(text);
      let candidate: unknown;
      if (given !== undefined && given !== null && typeof given === 'object' && !(given instanceof vscode.Uri)) {
        const fields = given as Record<string, unknown>;
        candidate = fields.id === undefined ? { ...fields, id: suggestRuleId(fields as Parameters<typeof suggestRuleId>[0], taken) } : fields;
      } else {
        candidate = await promptRule(connection, taken);
        if (candidate === undefined) return undefined;
      }
      const checked = checkNewRule(candidate, taken);
      if ('errors' in checked) {
        // A caller's rule that is not valid: its problems are the answer (and a notification that does not wait).
        const message = `${addTitle}: the rule is not valid: ${checked.errors.join('; ')}`;
        log().warn(message);
        void vscode.window.showErrorMessage(message);
        return { errors: checked.errors };
      }
      const rule = checked.rule;
      const edit = addRuleToText(text, rule);
      if ('error' in edit) throw new Error(edit.error);
      await writeAtomically(file, edit.text);
      log().info(`Alerts: added rule "${rule.id}" to ${file.fsPath}`);
      await alerts.reload();
      await showFile(file, edit.line);
      const active = alerts.currentRules.some((loaded) => loaded.id === rule.id);
      void vscode.window.showInformationMessage(
        active
          ? `Rule '${rule.id}' saved to .trackside/alerts.json and active.`
          : `Rule '${rule.id}' saved to .trackside/alerts.json, but the file has other problems: no rule is active until they are fixed.`,
      );
      return { file: file.fsPath, rule, active };
    }),
    registerCommand('trackside.removeAlertRule', removeTitle, async (given?: unknown) => {
      const file = requireAlertsFile(removeTitle);
      if (!file) return undefined;
      const text = await readText(file);
      if (text === undefined) {
        void vscode.window.showInformationMessage('There is no .trackside/alerts.json yet: no rule to remove.');
        return undefined;
      }
      const entries = ruleEntriesInText(text);
      if ('error' in entries) throw new Error(entries.error);
      let ruleId = typeof given === 'string' ? given : isRecord(given) && typeof given.id === 'string' ? given.id : undefined;
      if (ruleId === undefined) {
        if (entries.length === 0) {
          void vscode.window.showInformationMessage('.trackside/alerts.json has no rules.');
          return undefined;
        }
        const picked = await vscode.window.showQuickPick(
          entries.map((entry) => ({ label: entry.id, description: summarizeRule(entry.value), id: entry.id })),
          { title: removeTitle, placeHolder: 'The rule to remove from .trackside/alerts.json', matchOnDescription: true },
        );
        if (!picked) return undefined;
        ruleId = picked.id;
      }
      const edit = removeRuleFromText(text, ruleId);
      if ('error' in edit) throw new Error(edit.error);
      await writeAtomically(file, edit.text);
      log().info(`Alerts: removed rule "${ruleId}" from ${file.fsPath}`);
      await alerts.reload();
      void vscode.window.showInformationMessage(`Rule '${ruleId}' removed from .trackside/alerts.json.`);
      return { file: file.fsPath, removed: ruleId };
    }),
  ];
}

function requireAlertsFile(title: string): vscode.Uri | undefined {
  const file = alertsFileUri();
  if (!file) void vscode.window.showInformationMessage(`${title}: open a folder first; alert rules live in .trackside/alerts.json inside the workspace.`);
  return file;
}

/** The file's text on disk (undefined when there is none); refuses while an editor holds unsaved changes to it. */
async function readText(file: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === file.toString());
  if (open?.isDirty) throw new Error('.trackside/alerts.json has unsaved changes in an editor: save or revert them first');
  try {
    return Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
    throw error;
  }
}

/** Writes a file next to it, then renames it over: a reader sees the old rules or the new ones, never half. */
async function writeAtomically(file: vscode.Uri, text: string): Promise<void> {
  const folder = vscode.Uri.joinPath(file, '..');
  await vscode.workspace.fs.createDirectory(folder);
  const temporary = vscode.Uri.joinPath(folder, `.${path.basename(file.path)}.${process.pid}.${Date.now()}.tmp`);
  await vscode.workspace.fs.writeFile(temporary, Buffer.from(text, 'utf8'));
  try {
    await vscode.workspace.fs.rename(temporary, file, { overwrite: true });
  } catch (error) {
    await Promise.resolve(vscode.workspace.fs.delete(temporary)).catch(() => undefined);
    throw error;
  }
}

async function showFile(file: vscode.Uri, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(file);
  const position = new vscode.Position(Math.min(line, document.lineCount - 1), 0);
  await vscode.window.showTextDocument(document, { selection: new vscode.Range(position, position), preview: false });
}

// ---- The prompts ----

type Step<T> = Promise<T | undefined>;

/** Asks for a rule, step by step; undefined when the person cancels any step. */
async function promptRule(connection: ConnectionManager, taken: readonly string[]): Step<Record<string, unknown>> {
  const kind = await vscode.window.showQuickPick(
    [
      { label: '$(bell) Metric alert', detail: 'Notify and tag the run when a logged metric crosses a threshold; it can also run a pipeline when it fires.', ruleKind: 'metric' as const },
      { label: '$(clock) Scheduled run', detail: 'Run a pipeline every N minutes while VS Code is open.', ruleKind: 'schedule' as const },
    ],
    { title: `${addTitle}: Kind`, placeHolder: 'What should the rule do?' },
  );
  if (!kind) return undefined;
  const rule: Record<string, unknown> = {};
  if (kind.ruleKind === 'metric') {
    const client = await connection.client().catch((error: unknown) => {
      log().warn(`${addTitle}: not connected (${error instanceof Error ? error.message : String(error)}); no metric keys, experiments or models to offer`);
      return undefined;
    });
    const metric = await promptMetricKey(client);
    if (metric === undefined) return undefined;
    const comparison = await vscode.window.showQuickPick(
      comparisons.map((entry) => ({ label: entry, description: comparisonMeanings[entry] })),
      { title: `${addTitle}: Comparison`, placeHolder: `Fire when ${metric} is…` },
    );
    if (!comparison) return undefined;
    const thresholdText = await ask({
      title: `${addTitle}: Threshold`,
      prompt: `Fire when ${metric} ${comparison.label} this number`,
      placeHolder: '0.9',
      validate: (text) => errorOf(parseThreshold(text)),
    });
    if (thresholdText === undefined) return undefined;
    const scope = await promptScope(client);
    if (scope === undefined) return undefined;
    Object.assign(rule, { metric, comparison: comparison.label as Comparison, threshold: (parseThreshold(thresholdText) as { value: number }).value, scope });
    const runs = await vscode.window.showQuickPick(
      [
        { label: 'Notify and tag the run', description: 'no pipeline', run: false },
        { label: 'Also run a pipeline when it fires…', description: 'e.g. retrain', run: true },
      ],
      { title: `${addTitle}: Trigger`, placeHolder: 'When the rule fires' },
    );
    if (!runs) return undefined;
    if (runs.run) {
      const trigger = await promptTrigger();
      if (trigger === undefined) return undefined;
      rule.trigger = trigger;
    }
    const timer = await vscode.window.showQuickPick(
      [
        { label: 'When a metric is logged', description: 'no timer', timed: false },
        { label: 'Also check the latest values every N minutes…', description: 'catches values logged while VS Code was closed', timed: true },
      ],
      { title: `${addTitle}: Schedule`, placeHolder: 'When the rule is checked' },
    );
    if (!timer) return undefined;
    if (timer.timed) {
      const minutes = await promptMinutes('Check the latest values every … minutes', '60');
      if (minutes === undefined) return undefined;
      rule.schedule = { everyMinutes: minutes };
    }
  } else {
    const trigger = await promptTrigger();
    if (trigger === undefined) return undefined;
    const minutes = await promptMinutes(`Run ${trigger.pipeline} every … minutes while VS Code is open (the first run is one interval from now)`, '1440');
    if (minutes === undefined) return undefined;
    Object.assign(rule, { schedule: { everyMinutes: minutes }, trigger });
  }
  const suggested = suggestRuleId(rule as Parameters<typeof suggestRuleId>[0], taken);
  const id = await ask({
    title: `${addTitle}: Id`,
    prompt: 'A unique id for the rule (runs it fires on get the tag trackside.alert.<id>)',
    value: suggested,
    validate: (text) => ruleIdProblem(text, taken),
  });
  if (id === undefined) return undefined;
  return { id, ...rule };
}

/** The metric keys of the newest runs, most used first; a typed key is offered too. */
async function promptMetricKey(client: TrackingClient | undefined): Step<string> {
  const quickPick = vscode.window.createQuickPick<vscode.QuickPickItem>();
  quickPick.title = `${addTitle}: Metric`;
  quickPick.placeholder = 'The metric key, as logged (val_loss, drift.score, perf.accuracy…): pick one or type it';
  quickPick.busy = client !== undefined;
  let known: vscode.QuickPickItem[] = [];
  const refresh = (): void => {
    const typed = quickPick.value.trim();
    // The typed key comes last: Enter takes the first known key it filters to, or the typed one when none matches.
    const typedItem = typed !== '' && !known.some((item) => item.label === typed) ? [{ label: typed, description: 'use this key', alwaysShow: true }] : [];
    quickPick.items = [...known, ...typedItem];
  };
  if (client) {
    void metricKeysSeen(client)
      .then((keys) => {
        known = keys.map(({ key, runs }) => ({ label: key, description: `in ${runs} recent run${runs === 1 ? '' : 's'}` }));
        refresh();
      })
      .catch((error: unknown) => log().warn(`${addTitle}: could not read metric keys: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (quickPick.busy = false));
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (value: string | undefined): void => {
      if (done) return;
      done = true;
      resolve(value);
      quickPick.dispose();
    };
    quickPick.onDidChangeValue(refresh);
    quickPick.onDidAccept(() => {
      const chosen = (quickPick.selectedItems[0] ?? quickPick.activeItems[0])?.label ?? quickPick.value.trim();
      if (chosen) finish(chosen);
    });
    quickPick.onDidHide(() => finish(undefined));
    quickPick.show();
  });
}

/** The metric keys logged in the newest runs (at most 500), with how many of them log each. */
export async function metricKeysSeen(client: TrackingClient): Promise<{ key: string; runs: number }[]> {
  const experimentIds = (await client.experiments.searchAll()).map((experiment) => experiment.experiment_id);
  if (experimentIds.length === 0) return [];
  const runs = await client.runs.searchAll({ experimentIds, maxResults: 500, orderBy: ['attributes.start_time DESC'], runViewType: 'ACTIVE_ONLY' });
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const metric of run.data.metrics ?? []) counts.set(metric.key, (counts.get(metric.key) ?? 0) + 1);
  }
  return [...counts].map(([key, count]) => ({ key, runs: count })).sort((a, b) => b.runs - a.runs || a.key.localeCompare(b.key));
}

async function promptScope(client: TrackingClient | undefined): Step<AlertScope> {
  const picked = await vscode.window.showQuickPick(
    [
      { label: 'All runs', scope: 'all' as const },
      { label: 'The runs of one experiment…', scope: 'experiment' as const },
      { label: 'One registered model…', description: 'the runs behind its versions, and its performance checks', scope: 'model' as const },
    ],
    { title: `${addTitle}: Scope`, placeHolder: 'Which runs the rule watches' },
  );
  if (!picked) return undefined;
  if (picked.scope === 'all') return { kind: 'all' };
  if (!client) {
    void vscode.window.showWarningMessage(`${addTitle}: not connected to a tracking store, so there is nothing to pick from; choose "All runs" or connect first.`);
    return undefined;
  }
  if (picked.scope === 'experiment') {
    const experiment = await pickExperiment(client, { title: `${addTitle}: Experiment` });
    return experiment ? { kind: 'experiment', experimentId: experiment.experiment_id } : undefined;
  }
  const model = await pickModel(client, `${addTitle}: Registered Model`);
  return model ? { kind: 'model', name: model.name } : undefined;
}

/** A percent-format pipeline of the workspace, then its parameters (prefilled from its parameters cell). */
async function promptTrigger(): Step<AlertTrigger> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return undefined;
  const scripts = await percentScripts();
  const browse = { label: '$(folder-opened) Browse…', description: 'another Python file', path: undefined as string | undefined, parameters: [] as PipelineParameter[] };
  const picked = await vscode.window.showQuickPick(
    [
      ...scripts.map((script) => ({
        label: script.relative,
        description: script.parameters.length === 0 ? 'no parameters cell' : script.parameters.map((parameter) => parameter.name).join(', '),
        path: script.relative,
        parameters: script.parameters,
      })),
      browse,
    ],
    { title: `${addTitle}: Pipeline`, placeHolder: scripts.length === 0 ? 'No Python file with "# %%" cells found in the workspace: browse for one' : 'The pipeline to run (a Python file with "# %%" cells)', matchOnDescription: true },
  );
  if (!picked) return undefined;
  let relative = picked.path;
  let parameters = picked.parameters;
  if (relative === undefined) {
    const chosen = await vscode.window.showOpenDialog({ title: `${addTitle}: Pipeline`, defaultUri: folder, canSelectMany: false, filters: { Python: ['py'] } });
    if (!chosen?.[0]) return undefined;
    relative = path.relative(folder.fsPath, chosen[0].fsPath).split(path.sep).join('/');
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      void vscode.window.showWarningMessage(`${addTitle}: the pipeline must be inside the workspace folder (${folder.fsPath}).`);
      return undefined;
    }
    parameters = parsePipeline(Buffer.from(await vscode.workspace.fs.readFile(chosen[0])).toString('utf8')).parameters;
  }
  const defaults = Object.fromEntries(parameters.map((parameter) => [parameter.name, parameterDefaultText(parameter)]));
  const text = await ask({
    title: `${addTitle}: Parameters of ${relative}`,
    prompt:
      parameters.length === 0
        ? 'Parameters to pass, as name=value separated by commas (empty: none)'
        : "name=value separated by commas; filled in with the script's defaults: change what the run should use, delete what should stay at its default",
    value: formatParameterAssignments(defaults),
    placeHolder: 'data_window=30, epochs=10',
    validate: (typed) => errorOf(parseParameterAssignments(typed, parameters)),
  });
  if (text === undefined) return undefined;
  const parsed = parseParameterAssignments(text, parameters);
  return 'error' in parsed ? undefined : { pipeline: relative, parameters: parsed.parameters };
}

async function promptMinutes(prompt: string, value: string): Step<number> {
  const text = await ask({ title: `${addTitle}: Interval`, prompt, value, validate: (typed) => errorOf(parseMinutes(typed)) });
  if (text === undefined) return undefined;
  const parsed = parseMinutes(text);
  return 'error' in parsed ? undefined : parsed.value;
}

/** The workspace's Python files with `# %%` cells, and their parameters cell's parameters. */
async function percentScripts(): Promise<{ relative: string; parameters: PipelineParameter[] }[]> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) return [];
  const files = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*.py'), excludedFolders, scannedScripts);
  const scripts: { relative: string; parameters: PipelineParameter[] }[] = [];
  for (const file of files) {
    try {
      const stat = await vscode.workspace.fs.stat(file);
      if (stat.size > largestScript) continue;
      const text = Buffer.from(await vscode.workspace.fs.readFile(file)).toString('utf8');
      if (!isPercentScript(text)) continue;
      scripts.push({ relative: path.relative(folder.fsPath, file.fsPath).split(path.sep).join('/'), parameters: parsePipeline(text).parameters });
    } catch {
      // Unreadable: not offered.
    }
  }
  return scripts.sort((a, b) => a.relative.localeCompare(b.relative));
}

function errorOf(result: { error: string } | object): string | undefined {
  return 'error' in result ? (result as { error: string }).error : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
