import type { TrackingClient } from '../../core/client/trackingClient';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import {
  MODEL_VERSION_VIEW_TYPE,
  type ModelVersionAction,
  type ModelVersionData,
  type ModelVersionFromWebview,
  type ModelVersionInput,
  type ModelVersionToWebview,
} from '../../shared/protocol/modelVersionProtocol';
import { readMlModel } from './mlmodelReader';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';

/** The registered command each action runs, as the Models view runs it. */
export const MODEL_VERSION_COMMANDS: Record<ModelVersionAction, string> = {
  setAlias: 'trackside.setModelAlias',
  removeAlias: 'trackside.removeModelAlias',
  transitionStage: 'trackside.transitionModelStage',
  openSourceRun: 'trackside.openModelSourceRun',
  copyUri: 'trackside.copyModelUri',
};

/** The version, its model's aliases, the history, the MLmodel and the source run (each optional part failing on its own). */
export async function modelVersionData(client: TrackingClient, input: ModelVersionInput): Promise<ModelVersionData> {
  const [version, model] = await Promise.all([client.modelVersions.get(input.name, input.version), client.registeredModels.get(input.name)]);
  const data: ModelVersionData = { version, model };
  await Promise.all([
    client.registryHistory(input.name).then(
      (events) => (data.history = events),
      (e) => (data.historyError = errorMessage(e)),
    ),
    readMlModel(client, version).then(
      (mlmodel) => (data.mlmodel = mlmodel),
      (e) => (data.mlmodelError = errorMessage(e)),
    ),
    version.run_id
      ? client.runs.get(version.run_id).then(
          (run) => (data.sourceRun = { runId: version.run_id!, name: run.info.run_name || version.run_id!.slice(0, 8) }),
          () => undefined,
        )
      : Promise.resolve(),
  ]);
  return data;
}

/** Model version details; its buttons run the Models view's commands with the same node shape. */
export class ModelVersionPanel implements PanelLogic<ModelVersionFromWebview> {
  private data: ModelVersionData | undefined;
  private readonly live: ReloadScheduler;

  constructor(
    private readonly input: ModelVersionInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<ModelVersionToWebview>,
  ) {
    this.live = new ReloadScheduler(() => this.reload(), 500);
  }

  async handle(message: ModelVersionFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        try {
          this.data = await modelVersionData(await this.services.client(), this.input);
          this.view.setTitle(`${this.input.name} v${this.input.version}`);
          this.view.post({ type: 'init', input: this.input, data: this.data });
        } catch (e) {
          this.view.post({ type: 'failed', message: `Could not read ${this.input.name} version ${this.input.version}: ${errorMessage(e)}` });
        }
        return;
      case 'action': {
        const node = this.node();
        if (!node) return;
        const extra = message.action === 'removeAlias' && message.alias ? [message.alias] : [];
        await this.services.executeCommand(MODEL_VERSION_COMMANDS[message.action], node, ...extra);
        this.live.schedule();
        return;
      }
      case 'saveDescription':
        return this.view.respond(message.requestId, async () => {
          const node = this.node();
          if (!node) throw new Error('The version is not loaded yet.');
          await this.services.executeCommand('trackside.editModelDescription', node, message.text);
          await this.reload();
          return {};
        });
      case 'openRun':
        await this.services.executeCommand('trackside.openRunDetails', message.runId);
        return;
      default:
        assertNever(message);
    }
  }

  onChanges(events: readonly ChangeEvent[]): void {
    if (events.some((e) => e.type === 'models' && e.names.includes(this.input.name))) this.live.schedule();
  }

  dispose(): void {
    this.live.dispose();
  }

  /** The Models view's node shape (`VersionNode`), so the commands behave as from the tree. */
  private node(): { kind: 'modelVersion'; model: string; version: ModelVersionData['version'] } | undefined {
    return this.data ? { kind: 'modelVersion', model: this.input.name, version: this.data.version } : undefined;
  }

  private async reload(): Promise<void> {
    try {
      this.data = await modelVersionData(await this.services.client(), this.input);
      this.view.post({ type: 'data', data: this.data });
    } catch (e) {
      this.view.post({ type: 'failed', message: `${this.input.name} version ${this.input.version}: ${errorMessage(e)}` });
    }
  }
}

function parseInput(value: unknown): ModelVersionInput | undefined {
  const input = value as Partial<ModelVersionInput> | undefined;
  if (!input || typeof input.name !== 'string' || !input.name) return undefined;
  if (typeof input.version !== 'string' && typeof input.version !== 'number') return undefined;
  return { name: input.name, version: String(input.version) };
}

export const modelVersionPanelKind: PanelKind<ModelVersionInput, ModelVersionToWebview, ModelVersionFromWebview> = {
  viewType: MODEL_VERSION_VIEW_TYPE,
  bundle: 'modelVersion',
  key: (input) => `${input.name}\u0000${input.version}`,
  title: (input) => `${input.name} v${input.version}`,
  parseInput,
  create: (input, services, connection) => new ModelVersionPanel(input, services, connection),
};
