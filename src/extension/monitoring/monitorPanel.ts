import type { TrackingClient } from '../../core/client/trackingClient';
import { monitorTag } from '../../core/monitoring/monitoringRuns';
import { performanceTags } from '../../core/monitoring/performanceRun';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import type { Run } from '../../shared/entities';
import { byTime, chartedKeys, compareVersions, versionsOf } from '../../shared/monitor/monitorSeries';
import {
  MONITOR_VIEW_TYPE,
  type MonitorCheck,
  type MonitorData,
  type MonitorFromWebview,
  type MonitorInput,
  type MonitorToWebview,
  type MonitorVersion,
} from '../../shared/protocol/monitorProtocol';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from '../panels/panelTypes';
import { filterString } from '../../core/search/filterLiteral';

/** A performance-check run as the monitor shows it; undefined for a run that is not one. */
export function checkOf(run: Run): MonitorCheck | undefined {
  const tags = new Map((run.data.tags ?? []).map((tag) => [tag.key, tag.value]));
  const version = tags.get(performanceTags.modelVersion);
  if (tags.get(monitorTag) !== 'performance' || version === undefined) return undefined;
  const metrics: Record<string, number> = {};
  let loggedAt = Infinity;
  for (const metric of run.data.metrics ?? []) {
    if (!metric.key.startsWith('perf.')) continue;
    metrics[metric.key] = metric.value === 'NaN' ? NaN : Number(metric.value);
    loggedAt = Math.min(loggedAt, metric.timestamp);
  }
  return {
    runId: run.info.run_id,
    runName: run.info.run_name || run.info.run_id.slice(0, 8),
    experimentId: run.info.experiment_id,
    version,
    time: run.info.start_time ?? (Number.isFinite(loggedAt) ? loggedAt : 0),
    status: run.info.status,
    metrics,
  };
}

/** Every performance check of a registered model (all versions, all experiments), oldest first. */
export async function performanceChecks(client: TrackingClient, name: string): Promise<MonitorCheck[]> {
  const experimentIds = (await client.experiments.searchAll()).map((experiment) => experiment.experiment_id);
  if (experimentIds.length === 0) return [];
  const runs = await client.runs.searchAll({
    experimentIds,
    filter: `tags.\`${monitorTag}\` = 'performance' and tags.\`${performanceTags.modelName}\` = ${filterString(name)}`,
    orderBy: ['attributes.start_time ASC'],
  });
  return byTime(runs.map(checkOf).filter((check): check is MonitorCheck => check !== undefined));
}

/** The versions that have checks, with their stage and aliases from the registry. */
async function versionsWithLabels(client: TrackingClient, name: string, versions: string[]): Promise<{ versions: MonitorVersion[]; error?: string }> {
  try {
    const [model, registered] = await Promise.all([
      client.registeredModels.get(name),
      client.modelVersions.listForModel(name),
    ]);
    const stages = new Map(registered.map((v) => [v.version, v.current_stage]));
    return {
      versions: versions.map((version) => ({
        version,
        ...(stages.has(version) ? { stage: stages.get(version) } : {}),
        aliases: (model.aliases ?? []).filter((alias) => alias.version === version).map((alias) => alias.alias).sort(),
      })),
    };
  } catch (e) {
    return { versions: versions.map((version) => ({ version, aliases: [] })), error: errorMessage(e) };
  }
}

/** What the monitor shows for a model: its checks, the versions they are of, and the metrics to chart. */
export async function monitorData(client: TrackingClient, name: string): Promise<MonitorData> {
  const checks = await performanceChecks(client, name);
  const labelled = await versionsWithLabels(client, name, versionsOf(checks).sort(compareVersions));
  return { name, checks, versions: labelled.versions, keys: chartedKeys(checks), ...(labelled.error ? { registryError: labelled.error } : {}) };
}

/**
 * The model monitor: a registered model's performance checks as one series per metric and
 * version over time, and the list of checks. The data is read as soon as the panel is made (so
 * the command can answer with it) and again when a check lands, a check run changes or the
 * model's aliases move.
 */
export class MonitorPanel implements PanelLogic<MonitorFromWebview> {
  private highlight: string | undefined;
  /** The first read, started with the panel (overlapping the webview's start), used by its first `ready`. */
  private preload: Promise<MonitorData> | undefined;
  private reading: Promise<MonitorData> | undefined;
  private latest: MonitorData | undefined;
  private sent: MonitorData | undefined;
  private readonly live: ReloadScheduler;

  constructor(
    private readonly input: MonitorInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<MonitorToWebview>,
    private readonly onDisposed: () => void = () => undefined,
  ) {
    this.highlight = input.version;
    this.live = new ReloadScheduler(async () => void (await this.reload()), 1000);
    this.preload = this.read();
    this.preload.catch(() => undefined);
  }

  get name(): string {
    return this.input.name;
  }

  /** The highlighted version. */
  get highlighted(): string | undefined {
    return this.highlight;
  }

  /** The data last posted to the webview (undefined before its first `ready` was answered). */
  get shown(): MonitorData | undefined {
    return this.sent;
  }

  /** The data as it is now: the first read of a new panel, else a fresh read (posted when it changed). */
  current(): Promise<MonitorData> {
    return this.preload ?? this.reload();
  }

  /** Highlights another version (the command was run again for this model). */
  showVersion(version: string | undefined): void {
    if (version === undefined || version === this.highlight) return;
    this.highlight = version;
    this.view.post({ type: 'highlight', version });
  }

  async handle(message: MonitorFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        try {
          // Shown again after being hidden (its page is rebuilt): changes were not forwarded meanwhile, so read again.
          const data = await (this.preload ?? this.read());
          this.preload = undefined;
          this.view.setTitle(`Monitor: ${this.input.name}`);
          this.sent = data;
          this.view.post({ type: 'init', input: { name: this.input.name, ...(this.highlight !== undefined ? { version: this.highlight } : {}) }, data });
        } catch (e) {
          this.preload = undefined;
          this.view.post({ type: 'failed', message: `Could not read the performance checks of ${this.input.name}: ${errorMessage(e)}` });
        }
        return;
      case 'openRun':
        await this.services.executeCommand('trackside.openRunDetails', message.runId);
        return;
      case 'checkPerformance':
        await this.services.executeCommand('trackside.checkModelPerformance', { name: this.input.name, ...(message.version ? { version: message.version } : {}) });
        return;
      case 'refresh':
        await this.reload().catch(() => undefined);
        return;
      default:
        assertNever(message);
    }
  }

  onChanges(events: readonly ChangeEvent[]): void {
    const known = new Set((this.latest?.checks ?? []).map((check) => check.runId));
    const relevant = events.some((event) => {
      switch (event.type) {
        case 'metrics':
          // A new check logs its perf.* metrics (its tags come first, with the run).
          return Object.values(event.runs).some((keys) => keys.some((key) => key.startsWith('perf.')));
        case 'runs':
          return event.runIds.some((id) => known.has(id));
        case 'models':
          return event.names.includes(this.input.name);
        case 'experiments':
          return false;
        default:
          return assertNever(event);
      }
    });
    if (relevant) this.live.schedule();
  }

  dispose(): void {
    this.live.dispose();
    this.onDisposed();
  }

  /** Reads the data (one read at a time: callers during a read share it). */
  private read(): Promise<MonitorData> {
    this.reading ??= this.services
      .client()
      .then((client) => monitorData(client, this.input.name))
      .then((data) => (this.latest = data))
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Reads again and posts the data when the webview has drawn and it changed. */
  private async reload(): Promise<MonitorData> {
    try {
      const data = await this.read();
      if (this.sent && JSON.stringify(this.sent) !== JSON.stringify(data)) {
        this.sent = data;
        this.view.post({ type: 'data', data });
      }
      return data;
    } catch (e) {
      if (this.sent) this.view.post({ type: 'failed', message: `Could not read the performance checks of ${this.input.name}: ${errorMessage(e)}` });
      throw e;
    }
  }
}

function parseInput(value: unknown): MonitorInput | undefined {
  const input = value as Partial<MonitorInput> | undefined;
  if (!input || typeof input.name !== 'string' || !input.name) return undefined;
  const version = typeof input.version === 'string' || typeof input.version === 'number' ? String(input.version) : undefined;
  return { name: input.name, ...(version ? { version } : {}) };
}

/** The monitor panel kind: one panel per registered model; `open` holds the live ones by model name. */
export function createMonitorPanelKind(open: Map<string, MonitorPanel>): PanelKind<MonitorInput, MonitorToWebview, MonitorFromWebview> {
  return {
    viewType: MONITOR_VIEW_TYPE,
    bundle: 'monitor',
    key: (input) => input.name,
    title: (input) => `Monitor: ${input.name}`,
    parseInput,
    create: (input, services, connection) => {
      const panel: MonitorPanel = new MonitorPanel(input, services, connection, () => {
        if (open.get(input.name) === panel) open.delete(input.name);
      });
      open.set(input.name, panel);
      return panel;
    },
  };
}
