import type { TrackingClient } from '../../core/client/trackingClient';
import { mapLimited } from '../../core/client/extrasFallback';
import { packSeries, type PackedSeries } from '../../shared/charts/packedSeries';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import { csvText, type CsvCell } from '../../shared/csvText';
import { CHARTS_VIEW_TYPE, type ChartRun, type ChartsFromWebview, type ChartsInput, type ChartsToWebview, type SeriesRequest } from '../../shared/protocol/chartsProtocol';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';

const PARALLEL_REQUESTS = 6;

/** The runs' names, statuses and start times, and every metric key any of them has. */
export async function chartRuns(client: TrackingClient, runIds: readonly string[]): Promise<{ runs: ChartRun[]; keys: string[]; missing: string[] }> {
  const missing: string[] = [];
  const found = await mapLimited(runIds, PARALLEL_REQUESTS, async (runId) => {
    try {
      const run = await client.runs.get(runId);
      return {
        runId,
        name: run.info.run_name || runId.slice(0, 8),
        experimentId: run.info.experiment_id,
        status: run.info.status,
        startTime: run.info.start_time ?? null,
        keys: (run.data.metrics ?? []).map((m) => m.key),
      };
    } catch (e) {
      missing.push(`${runId}: ${errorMessage(e)}`);
      return undefined;
    }
  });
  const runs = found.filter((r): r is NonNullable<typeof r> => r !== undefined);
  const keys = [...new Set(runs.flatMap((r) => r.keys))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return { runs: runs.map(({ keys: _keys, ...run }) => run), keys, missing };
}

/** Downsampled series, packed for the webview. */
export async function loadPackedSeries(client: TrackingClient, request: SeriesRequest): Promise<PackedSeries[]> {
  const maxBuckets = Math.max(1, Math.min(5000, Math.round(request.maxBuckets)));
  const series = await client.sampledColumns({
    runIds: request.runIds,
    keys: request.keys,
    maxBuckets,
    startStep: request.startStep === undefined ? undefined : Math.floor(request.startStep),
    endStep: request.endStep === undefined ? undefined : Math.ceil(request.endStep),
  });
  return packSeries(series);
}

/**
 * Metric charts of a set of runs: the host answers downsampled series for the range and width the
 * webview asks for (finer as it zooms), tells it when running runs log more, and exports the
 * full-resolution points as CSV.
 */
export class ChartsPanel implements PanelLogic<ChartsFromWebview> {
  private runs: ChartRun[] = [];
  private keys = new Set<string>();
  private readonly refreshRuns: ReloadScheduler;
  private pendingSeries: Record<string, Set<string>> = {};
  private readonly flushSeries: ReloadScheduler;

  constructor(
    private readonly input: ChartsInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<ChartsToWebview>,
  ) {
    this.refreshRuns = new ReloadScheduler(() => this.sendRuns(), 2000);
    this.flushSeries = new ReloadScheduler(async () => {
      const runs = Object.fromEntries(Object.entries(this.pendingSeries).map(([id, keys]) => [id, [...keys]]));
      this.pendingSeries = {};
      if (Object.keys(runs).length > 0) this.view.post({ type: 'seriesChanged', runs });
    }, 1000);
  }

  async handle(message: ChartsFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const client = await this.services.client();
        const { runs, keys, missing } = await chartRuns(client, this.input.runIds);
        if (missing.length > 0) this.services.log.warn(`Charts: some runs could not be read: ${missing.join('; ')}`);
        this.runs = runs;
        this.keys = new Set(keys);
        this.view.setTitle(runs.length === 1 ? `Charts: ${runs[0].name}` : `Charts: ${runs.length} runs`);
        this.view.post({ type: 'init', input: this.input, runs, keys });
        return;
      }
      case 'loadSeries':
        return this.view.respond(message.requestId, async () => loadPackedSeries(await this.services.client(), message));
      case 'exportCsv':
        return this.view.respond(message.requestId, async () => ({ saved: await this.exportCsv(message.runIds, message.keys, message.startStep, message.endStep) }));
      case 'exportFile':
        return this.view.respond(message.requestId, async () => ({ saved: await this.services.saveExport(message) }));
      case 'openRun':
        await this.services.executeCommand('trackside.openRunDetails', message.runId);
        return;
      default:
        assertNever(message);
    }
  }

  onChanges(events: readonly ChangeEvent[]): void {
    const ours = new Set(this.input.runIds);
    for (const event of events) {
      if (event.type === 'metrics') {
        for (const [runId, keys] of Object.entries(event.runs)) {
          if (!ours.has(runId)) continue;
          const pending = (this.pendingSeries[runId] ??= new Set());
          keys.forEach((key) => pending.add(key));
          if (keys.some((key) => !this.keys.has(key))) this.refreshRuns.schedule();
          this.flushSeries.schedule();
        }
      } else if (event.type === 'runs' && event.runIds.some((id) => ours.has(id))) this.refreshRuns.schedule();
    }
  }

  dispose(): void {
    this.refreshRuns.dispose();
    this.flushSeries.dispose();
  }

  private async sendRuns(): Promise<void> {
    const { runs, keys } = await chartRuns(await this.services.client(), this.input.runIds);
    this.runs = runs;
    this.keys = new Set(keys);
    this.view.post({ type: 'runsChanged', runs, keys });
  }

  /** Every point of the series in the step range (not the downsampled buckets), as CSV. */
  private async exportCsv(runIds: string[], keys: string[], startStep?: number, endStep?: number): Promise<string | undefined> {
    const client = await this.services.client();
    const names = new Map(this.runs.map((r) => [r.runId, r.name]));
    const rows: CsvCell[][] = [];
    for (const key of keys) {
      const histories = await mapLimited(runIds, PARALLEL_REQUESTS, (runId) => client.metrics.getHistory(runId, key));
      runIds.forEach((runId, i) => {
        const points = [...histories[i]].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
        for (const point of points) {
          if ((startStep !== undefined && point.step < startStep) || (endStep !== undefined && point.step > endStep)) continue;
          rows.push([runId, names.get(runId) ?? '', key, point.step, point.timestamp, point.value === 'NaN' ? 'NaN' : point.value]);
        }
      });
    }
    const text = csvText(['run_id', 'run_name', 'key', 'step', 'timestamp', 'value'], rows);
    const name = keys.length === 1 ? `${keys[0].replace(/[^\w.-]+/g, '_')}.csv` : 'metrics.csv';
    return this.services.saveExport({ fileName: name, encoding: 'text', content: text });
  }
}

function parseInput(value: unknown): ChartsInput | undefined {
  const input = value as Partial<ChartsInput> | undefined;
  if (!input || !Array.isArray(input.runIds) || input.runIds.length === 0 || !input.runIds.every((id) => typeof id === 'string')) return undefined;
  const keys = Array.isArray(input.keys) ? input.keys.filter((k): k is string => typeof k === 'string') : undefined;
  return { runIds: input.runIds, ...(keys && keys.length ? { keys } : {}) };
}

export const chartsPanelKind: PanelKind<ChartsInput, ChartsToWebview, ChartsFromWebview> = {
  viewType: CHARTS_VIEW_TYPE,
  bundle: 'charts',
  key: (input) => [...input.runIds].sort().join(','),
  title: (input) => (input.runIds.length === 1 ? 'Charts' : `Charts: ${input.runIds.length} runs`),
  parseInput,
  create: (input, services, connection) => new ChartsPanel(input, services, connection),
};
