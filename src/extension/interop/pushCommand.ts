import * as vscode from 'vscode';
import { TrackingClient } from '../../core/client/trackingClient';
import { pushToMlflow } from '../../core/interop/mlflowPusher';
import { PushAbortedError, type PushSummary } from '../../core/interop/pushSummary';
import { registerCommand } from '../commands/registerCommand';
import type { ConnectionManager } from '../connection/connectionManager';
import { settings } from '../settings';
import { pushArgumentsOf, pushTargetProblem, serverUri, type PushArguments } from './interopArguments';
import { pushSummaryMarkdown, pushSummaryMessage } from './interopSummaries';
import { localStoreClient } from './localStore';
import { PUSH_PHASES, PhaseProgress } from './phaseProgress';
import { showSummary } from './summaryNotification';

const TITLE = 'Push Runs to MLflow Server';
/** The last target pushed to (workspace state; no credentials in it). */
const LAST_TARGET_KEY = 'trackside.push.lastTarget';
/** A target's token, kept in SecretStorage once a push to it worked. */
const TOKEN_SECRET_PREFIX = 'trackside.push.token:';

/**
 * "Trackside: Push Runs to MLflow Server…" (palette, and experiments and runs in the Experiments
 * view): asks for the target server and its token, what to push (the experiments picked or the
 * runs selected in the tree, plus registered models if wanted), then copies them with their
 * histories and artifacts through `pushToMlflow`, the local store being the source. `{ target,
 * token?, experimentNames?, runIds?, models?, includeDeleted? }` skips the prompts. Resolves with
 * the summary (also after a cancel), undefined when the person backed out.
 */
export function registerPushCommand(context: vscode.ExtensionContext, connection: ConnectionManager): vscode.Disposable {
  return registerCommand('trackside.pushToServer', TITLE, async (arg?: unknown, selection?: unknown): Promise<PushSummary | undefined> => {
    const given = pushArgumentsOf(arg, selection);
    const programmatic = given.target !== undefined;
    const local = await localStoreClient(connection, TITLE);
    if (!local) return undefined;
    const source = local.client;
    const targetUri = given.target ?? (await askTarget(context, source.trackingUri, local.remoteUri));
    if (!targetUri) return undefined;
    const problem = pushTargetProblem(targetUri, source.trackingUri);
    if (problem) throw new Error(problem);
    const token = programmatic ? given.token : await askToken(context, targetUri);
    if (token === null) return undefined;
    const selected: PushArguments | undefined = programmatic ? given : await askSelection(source, given);
    if (!selected) return undefined;

    const target = new TrackingClient({ trackingUri: targetUri, token: token || undefined, userAgent: 'trackside-vscode push' });
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Connecting to ${target.trackingUri}…` }, async () => {
        await target.health(15_000).catch((e: Error) => {
          throw new Error(`Cannot reach ${target.trackingUri}: ${e.message}`);
        });
        await target.capabilities(true);
      });
      let summary: PushSummary;
      let cancelled = false;
      try {
        summary = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Pushing to ${target.trackingUri}`, cancellable: true },
          async (progress, cancellation) => {
            const controller = new AbortController();
            const listening = cancellation.onCancellationRequested(() => controller.abort());
            const steps = new PhaseProgress(progress, PUSH_PHASES);
            try {
              return await pushToMlflow({
                source,
                target,
                experimentNames: selected.experimentNames,
                runIds: selected.runIds,
                models: selected.models,
                includeDeleted: selected.includeDeleted,
                signal: controller.signal,
                onProgress: (p) => steps.report(p),
              });
            } finally {
              listening.dispose();
            }
          },
        );
      } catch (e) {
        if (!(e instanceof PushAbortedError)) throw e;
        summary = e.summary;
        cancelled = true;
      }
      await context.workspaceState.update(LAST_TARGET_KEY, target.trackingUri);
      if (token) await context.secrets.store(TOKEN_SECRET_PREFIX + target.trackingUri, token);
      showSummary(cancelled || summary.skipped.length > 0 ? 'warning' : 'information', pushSummaryMessage(summary, cancelled), pushSummaryMarkdown(summary, cancelled));
      return summary;
    } finally {
      target.dispose();
    }
  });
}

async function askTarget(context: vscode.ExtensionContext, sourceUri: string, remoteUri: string | undefined): Promise<string | undefined> {
  const offered = remoteUri ?? (settings.trackingUri() || context.workspaceState.get<string>(LAST_TARGET_KEY));
  const value = await vscode.window.showInputBox({
    title: `${TITLE} (1/2)`,
    prompt: 'Tracking URI of the MLflow server to copy to (https://user:password@host for basic auth)',
    placeHolder: 'https://mlflow.example.com or http://127.0.0.1:5000',
    value: offered && !pushTargetProblem(offered, sourceUri) ? offered : undefined,
    ignoreFocusOut: true,
    validateInput: (text) => pushTargetProblem(text, sourceUri),
  });
  return value?.trim() || undefined;
}

/** The token ('' for none), or null when the person cancelled. */
async function askToken(context: vscode.ExtensionContext, targetUri: string): Promise<string | null> {
  const known = await context.secrets.get(TOKEN_SECRET_PREFIX + serverUri(targetUri));
  const token = await vscode.window.showInputBox({
    title: `${TITLE} (2/2)`,
    prompt: `Access token for ${targetUri} (sent as a Bearer token; kept in VS Code's secret storage). Leave empty for none.`,
    password: true,
    value: known,
    ignoreFocusOut: true,
  });
  return token === undefined ? null : token.trim();
}

/**
 * What to push: the experiments or runs the tree (or the argument) gave, else experiments picked
 * here; then the registered models to push along (optional, unless the argument named them).
 * Undefined when cancelled or nothing was chosen.
 */
async function askSelection(source: TrackingClient, given: PushArguments): Promise<PushArguments | undefined> {
  let experimentNames = given.experimentNames ?? [];
  const runIds = given.runIds ?? [];
  if (experimentNames.length === 0 && runIds.length === 0) {
    const experiments = await source.experiments.searchAll({ viewType: 'ACTIVE_ONLY', orderBy: ['name ASC'] });
    const counts = await source.runCounts().catch(() => ({}) as Record<string, number>);
    const picked = await vscode.window.showQuickPick(
      experiments.map((e) => ({
        label: e.name,
        description: counts[e.experiment_id] === undefined ? `id ${e.experiment_id}` : `${counts[e.experiment_id]} run${counts[e.experiment_id] === 1 ? '' : 's'}`,
        name: e.name,
      })),
      { title: `${TITLE}: Experiments`, placeHolder: 'Experiments to push with all their runs (pick none to push only models)', canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    experimentNames = picked.map((p) => p.name);
  }
  const models = given.models ? [] : await source.registeredModels.searchAll({ orderBy: ['name ASC'] });
  let modelNames: string[] = given.models ?? [];
  if (models.length > 0) {
    const picked = await vscode.window.showQuickPick(
      models.map((m) => ({ label: m.name, description: latestVersion(m.latest_versions), name: m.name })),
      { title: `${TITLE}: Registered Models (optional)`, placeHolder: 'Registered models to push with all their versions, or none', canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked) return undefined;
    modelNames = picked.map((p) => p.name);
  }
  if (experimentNames.length === 0 && runIds.length === 0 && modelNames.length === 0) {
    void vscode.window.showInformationMessage('Nothing was selected to push.');
    return undefined;
  }
  return { experimentNames, runIds, models: modelNames, includeDeleted: given.includeDeleted };
}

function latestVersion(versions: readonly { version: string }[] | undefined): string | undefined {
  const numbers = (versions ?? []).map((v) => Number(v.version)).filter(Number.isFinite);
  return numbers.length > 0 ? `latest version ${Math.max(...numbers)}` : undefined;
}
