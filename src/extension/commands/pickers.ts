import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import type { Experiment, ModelVersion, RegisteredModel, Run } from '../../shared/entities';
import { formatDuration } from '../trees/runTreeItems';

/** Quick picks for commands run from the palette (from the trees the node is passed in instead). */

export async function pickExperiment(
  client: TrackingClient,
  options: { title: string; viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' } = { title: 'Select an Experiment' },
): Promise<Experiment | undefined> {
  const experiments = await client.experiments.searchAll({ viewType: options.viewType ?? 'ACTIVE_ONLY', orderBy: ['creation_time DESC'] });
  if (experiments.length === 0) {
    void vscode.window.showInformationMessage('There are no experiments yet: create one with "Trackside: Create Experiment…".');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    experiments.map((e) => ({ label: e.name, description: `id ${e.experiment_id}`, detail: e.lifecycle_stage === 'deleted' ? 'deleted' : undefined, e })),
    { title: options.title, placeHolder: 'Experiment', matchOnDescription: true },
  );
  return pick?.e;
}

export async function pickRun(
  client: TrackingClient,
  options: { title: string; many?: false; viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' },
): Promise<Run | undefined>;
export async function pickRun(
  client: TrackingClient,
  options: { title: string; many: true; viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' },
): Promise<Run[] | undefined>;
export async function pickRun(
  client: TrackingClient,
  options: { title: string; many?: boolean; viewType?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' },
): Promise<Run | Run[] | undefined> {
  const experiment = await pickExperiment(client, { title: `${options.title}: Experiment` });
  if (!experiment) return undefined;
  const runs = await client.runs.search({
    experimentIds: [experiment.experiment_id], runViewType: options.viewType ?? 'ACTIVE_ONLY', maxResults: 1000,
  });
  if (runs.runs.length === 0) {
    void vscode.window.showInformationMessage(`Experiment '${experiment.name}' has no runs${options.viewType === 'DELETED_ONLY' ? ' in the deleted state' : ''}.`);
    return undefined;
  }
  const items = runs.runs.map((run) => ({
    label: run.info.run_name,
    description: `${run.info.status.toLowerCase()}${run.info.start_time && run.info.end_time ? ` · ${formatDuration(run.info.end_time - run.info.start_time)}` : ''}`,
    detail: run.info.run_id,
    run,
  }));
  if (options.many) {
    const picked = await vscode.window.showQuickPick(items, { title: options.title, canPickMany: true, matchOnDetail: true });
    return picked?.map((p) => p.run);
  }
  const pick = await vscode.window.showQuickPick(items, { title: options.title, matchOnDetail: true, placeHolder: 'Run' });
  return pick?.run;
}

export async function pickModel(client: TrackingClient, title: string): Promise<RegisteredModel | undefined> {
  const models = await client.registeredModels.searchAll({ orderBy: ['name ASC'] });
  if (models.length === 0) {
    void vscode.window.showInformationMessage('There are no registered models yet.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    models.map((m) => ({ label: m.name, description: (m.aliases ?? []).map((a) => `@${a.alias}`).join(' '), m })),
    { title, placeHolder: 'Registered model' },
  );
  return pick?.m;
}

export async function pickModelVersion(client: TrackingClient, title: string): Promise<{ model: string; version: ModelVersion } | undefined> {
  const model = await pickModel(client, `${title}: Model`);
  if (!model) return undefined;
  const versions = await client.modelVersions.listForModel(model.name);
  const pick = await vscode.window.showQuickPick(
    versions.map((v) => ({
      label: `Version ${v.version}`,
      description: [...(v.aliases ?? []).map((a) => `@${a}`), v.current_stage && v.current_stage !== 'None' ? v.current_stage : ''].filter(Boolean).join(' · '),
      detail: v.description || v.source,
      v,
    })),
    { title, placeHolder: 'Version' },
  );
  return pick ? { model: model.name, version: pick.v } : undefined;
}

/** An input box that validates as you type and returns undefined when cancelled. */
export function ask(options: { title: string; prompt: string; value?: string; placeHolder?: string; validate?: (v: string) => string | undefined }): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title: options.title,
    prompt: options.prompt,
    value: options.value,
    placeHolder: options.placeHolder,
    validateInput: (v) => options.validate?.(v) ?? undefined,
  });
}
