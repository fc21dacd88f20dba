import type { TrackingClient } from '../../core/client/trackingClient';
import { mapLimited } from '../../core/client/extrasFallback';
import { assertNever } from '../../shared/assertNever';
import type { ChangeEvent } from '../../shared/changeEvents';
import { COMPARE_VIEW_TYPE, type CompareFromWebview, type CompareInput, type CompareRun, type CompareToWebview } from '../../shared/protocol/compareProtocol';
import { errorMessage, ReloadScheduler, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';
import { runAction } from './runsTablePanel';

/** The compared runs with params, tags and each metric's last/min/max/count; ids that failed in `missing`. */
export async function compareRuns(client: TrackingClient, runIds: readonly string[]): Promise<{ runs: CompareRun[]; missing: string[] }> {
  const missing: string[] = [];
  const found = await mapLimited(runIds, 6, async (runId) => {
    try {
      return await client.runs.get(runId);
    } catch (e) {
      missing.push(`${runId}: ${errorMessage(e)}`);
      return undefined;
    }
  });
  // Asked only for runs that exist: one unknown id fails the whole summaries request.
  const present = found.flatMap((run) => (run ? [run.info.run_id] : []));
  const summaries = await client.metricSummaries(present).catch(() => ({}) as Awaited<ReturnType<TrackingClient['metricSummaries']>>);
  const runs: CompareRun[] = [];
  for (const run of found) {
    if (!run) continue;
    const id = run.info.run_id;
    const metrics: CompareRun['metrics'] = {};
    for (const metric of run.data.metrics ?? []) metrics[metric.key] = { last: metric.value, step: metric.step };
    for (const summary of summaries[id] ?? []) {
      metrics[summary.key] = { last: summary.last, step: summary.step, count: summary.count, ...(summary.min !== undefined ? { min: summary.min } : {}), ...(summary.max !== undefined ? { max: summary.max } : {}) };
    }
    runs.push({
      runId: id,
      name: run.info.run_name || id.slice(0, 8),
      experimentId: run.info.experiment_id,
      status: run.info.status,
      startTime: run.info.start_time ?? null,
      endTime: run.info.end_time ?? null,
      userId: run.info.user_id ?? null,
      params: Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])),
      metrics,
      tags: Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value])),
    });
  }
  return { runs, missing };
}

/** Compare runs: parallel coordinates, a scatter and a diff table (drawn in the webview from the runs sent here). */
export class ComparePanel implements PanelLogic<CompareFromWebview> {
  private readonly live: ReloadScheduler;

  constructor(
    private readonly input: CompareInput,
    private readonly services: PanelServices,
    private readonly view: PanelConnection<CompareToWebview>,
  ) {
    this.live = new ReloadScheduler(async () => {
      const { runs } = await compareRuns(await this.services.client(), this.input.runIds);
      this.view.post({ type: 'runs', runs });
    }, 2000);
  }

  async handle(message: CompareFromWebview): Promise<void> {
    switch (message.type) {
      case 'ready': {
        const { runs, missing } = await compareRuns(await this.services.client(), this.input.runIds);
        this.view.setTitle(`Compare: ${runs.length} runs`);
        this.view.post({ type: 'init', input: this.input, runs, missing });
        return;
      }
      case 'runAction':
        await runAction(this.services, message.action, message.runIds);
        return;
      default:
        assertNever(message);
    }
  }

  onChanges(events: readonly ChangeEvent[]): void {
    const ours = new Set(this.input.runIds);
    const touched = events.some(
      (event) => (event.type === 'runs' && event.runIds.some((id) => ours.has(id))) || (event.type === 'metrics' && Object.keys(event.runs).some((id) => ours.has(id))),
    );
    if (touched) this.live.schedule();
  }

  dispose(): void {
    this.live.dispose();
  }
}

function parseInput(value: unknown): CompareInput | undefined {
  const input = value as Partial<CompareInput> | undefined;
  if (!input || !Array.isArray(input.runIds) || input.runIds.length === 0 || !input.runIds.every((id) => typeof id === 'string')) return undefined;
  return { runIds: input.runIds };
}

export const comparePanelKind: PanelKind<CompareInput, CompareToWebview, CompareFromWebview> = {
  viewType: COMPARE_VIEW_TYPE,
  bundle: 'compare',
  key: (input) => [...input.runIds].sort().join(','),
  title: (input) => `Compare: ${input.runIds.length} runs`,
  parseInput,
  create: (input, services, connection) => new ComparePanel(input, services, connection),
};
