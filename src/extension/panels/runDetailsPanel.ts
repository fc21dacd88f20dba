import os from 'node:os';
import path from 'node:path';
import { confinedJoin, cleanArtifactPath } from '../../core/client/artifactLocation';
import type { TrackingClient } from '../../core/client/trackingClient';
import { packSeries } from '../../shared/charts/packedSeries';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import {
  RUN_DETAILS_VIEW_TYPE,
  type ArtifactPreview,
  type RunDetailsData,
  type RunDetailsFromWebview,
  type RunDetailsInput,
  type RunDetailsToWebview,
} from '../../shared/protocol/runDetailsProtocol';
import { buildPreview, PREVIEW_READ_LIMIT } from './artifactPreview';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';
import { runAction } from './runsTablePanel';
import { filterString } from '../../core/search/filterLiteral';

const SPARKLINE_BUCKETS = 64;
const MAX_SPARKLINES = 100;
const MAX_CHILDREN = 200;

/** Everything the run details panel shows except artifacts (listed on demand). */
export async function runDetails(client: TrackingClient, runId: string): Promise<RunDetailsData> {
  const run = await client.runs.get(runId);
  const tags = Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
  const parentId = tags['mlflow.parentRunId'];
  const [experiment, summaries, hasSummaries, parent, children] = await Promise.all([
    client.experiments.get(run.info.experiment_id).catch(() => undefined),
    client.metricSummaries([runId]).then((all) => all[runId] ?? []),
    client.hasExtra('metric-summaries').catch(() => false),
    parentId
      ? client.runs.get(parentId).then(
          (p) => ({ runId: parentId, name: p.info.run_name || parentId.slice(0, 8), status: p.info.status }),
          () => ({ runId: parentId, name: parentId.slice(0, 8) }),
        )
      : Promise.resolve(undefined),
    client.runs
      .search({ experimentIds: [run.info.experiment_id], filter: `tags.mlflow.parentRunId = ${filterString(runId)}`, maxResults: MAX_CHILDREN })
      .then((page) => page.runs.map((c) => ({ runId: c.info.run_id, name: c.info.run_name || c.info.run_id.slice(0, 8), status: c.info.status })))
      .catch(() => []),
  ]);
  return {
    run,
    experimentName: experiment?.name ?? `Experiment ${run.info.experiment_id}`,
    summaries,
    hasSummaries,
    ...(parent ? { parent } : {}),
    children,
  };
}

/**
 * Run details: info, params, metrics with sparklines, tags, parent and children, dataset inputs,
 * and an artifact browser whose previews the host prepares (text, JSON, YAML, MLmodel, CSV as a
 * table, images, HTML for a sandboxed frame), with "open in editor" and download.
 */
export class RunDetailsPanel implements PanelLogic<RunDetailsFromWebview> {
  private readonly live: ReloadScheduler;

  constructor(
    private readonly input: RunDetailsInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<RunDetailsToWebview>,
  ) {
    this.live = new ReloadScheduler(async () => {
      this.view.post({ type: 'details', details: await runDetails(await this.services.client(), this.input.runId) });
    }, 1500);
  }

  async handle(message: RunDetailsFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        try {
          const details = await runDetails(await this.services.client(), this.input.runId);
          this.view.setTitle(`Run: ${details.run.info.run_name || this.input.runId.slice(0, 8)}`);
          this.view.post({ type: 'init', input: this.input, details });
        } catch (e) {
          this.view.post({ type: 'failed', message: `Could not read run ${this.input.runId}: ${errorMessage(e)}` });
        }
        return;
      case 'sparklines':
        return this.view.respond(message.requestId, async () => {
          const client = await this.services.client();
          const series = await client.sampledColumns({ runIds: [this.input.runId], keys: message.keys.slice(0, MAX_SPARKLINES), maxBuckets: SPARKLINE_BUCKETS });
          return packSeries(series);
        });
      case 'listArtifacts':
        return this.view.respond(message.requestId, async () => (await (await this.services.client()).artifacts.list(this.input.runId, message.path)).files);
      case 'previewArtifact':
        return this.view.respond(message.requestId, () => this.preview(message.path));
      case 'openArtifact':
        await this.openArtifact(message.path);
        return;
      case 'downloadArtifact':
        await this.downloadArtifact(message.path);
        return;
      case 'openRun':
        await this.services.executeCommand('trackside.openRunDetails', message.runId);
        return;
      case 'runAction':
        await runAction(this.services, message.action, message.runIds);
        return;
      default:
        assertNever(message);
    }
  }

  onChanges(events: readonly ChangeEvent[]): void {
    const id = this.input.runId;
    if (events.some((e) => (e.type === 'runs' && e.runIds.includes(id)) || (e.type === 'metrics' && id in e.runs))) this.live.schedule();
  }

  dispose(): void {
    this.live.dispose();
  }

  private async preview(artifactPath: string): Promise<ArtifactPreview> {
    const client = await this.services.client();
    const clean = cleanArtifactPath(artifactPath);
    const parent = clean.includes('/') ? clean.slice(0, clean.lastIndexOf('/')) : '';
    const entry = (await client.artifacts.list(this.input.runId, parent || undefined)).files.find((f) => cleanArtifactPath(f.path) === clean);
    const size = entry?.file_size;
    if (size !== undefined && size > PREVIEW_READ_LIMIT) return { kind: 'tooLarge', size, limit: PREVIEW_READ_LIMIT };
    const bytes = await client.artifacts.read(this.input.runId, clean);
    return buildPreview(clean, bytes, { size: size ?? bytes.length, styleNonce: this.view.styleNonce });
  }

  /** A local artifact opens in place; others are downloaded to a temporary folder first. */
  private async openArtifact(artifactPath: string): Promise<void> {
    const client = await this.services.client();
    const clean = cleanArtifactPath(artifactPath);
    try {
      const location = await client.artifacts.location(this.input.runId);
      let local: string;
      if (location.kind === 'local') local = confinedJoin(location.folder, clean);
      else {
        local = confinedJoin(path.join(os.tmpdir(), 'trackside-artifacts', this.input.runId), clean);
        await client.artifacts.downloadFile(this.input.runId, clean, local);
      }
      await this.services.openFile(local);
    } catch (e) {
      this.services.log.error(`Open artifact ${clean}: ${errorMessage(e)}`);
      this.services.showInformation(`Could not open ${clean}: ${errorMessage(e)}`);
    }
  }

  private async downloadArtifact(artifactPath: string): Promise<void> {
    const destination = await this.services.pickFolder(`Download ${artifactPath || 'all artifacts'}`);
    if (!destination) return;
    const client = await this.services.client();
    try {
      const result = await client.artifacts.download(this.input.runId, { artifactPath, destination });
      this.services.showInformation(`Downloaded ${result.files} file${result.files === 1 ? '' : 's'} to ${result.localPath}`);
    } catch (e) {
      this.services.log.error(`Download ${artifactPath}: ${errorMessage(e)}`);
      this.services.showInformation(`Could not download ${artifactPath}: ${errorMessage(e)}`);
    }
  }
}

function parseInput(value: unknown): RunDetailsInput | undefined {
  const input = value as Partial<RunDetailsInput> | undefined;
  return input && typeof input.runId === 'string' && input.runId ? { runId: input.runId } : undefined;
}

export const runDetailsPanelKind: PanelKind<RunDetailsInput, RunDetailsToWebview, RunDetailsFromWebview> = {
  viewType: RUN_DETAILS_VIEW_TYPE,
  bundle: 'runDetails',
  key: (input) => input.runId,
  title: (input) => `Run: ${input.runId.slice(0, 8)}`,
  parseInput,
  create: (input, services, connection) => new RunDetailsPanel(input, services, connection),
};
