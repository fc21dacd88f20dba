import type { TrackingClient } from '../../core/client/trackingClient';
import type { Experiment, Run, RunTreePage, RunTreeRow } from '../../shared/entities';
import { filterString } from '../../core/search/filterLiteral';

export interface RunPageRequest {
  experimentId: string;
  parentRunId?: string;
  pageToken?: string;
  filter?: string;
  keyMetric: string;
  showDeleted: boolean;
  pageSize: number;
}

/** Experiments for the tree: active ones, or all with the deleted ones, newest first. */
export async function fetchExperiments(client: TrackingClient, showDeleted: boolean): Promise<Experiment[]> {
  return client.experiments.searchAll({ viewType: showDeleted ? 'ALL' : 'ACTIVE_ONLY', orderBy: ['creation_time DESC'] });
}

/** Run counts per experiment when the server offers them (Trackside); undefined elsewhere. */
export async function fetchRunCounts(client: TrackingClient, showDeleted: boolean): Promise<Record<string, number> | undefined> {
  if (!(await client.hasExtra('run-tree'))) return undefined;
  return client.runCounts(showDeleted ? 'ALL' : 'ACTIVE_ONLY');
}

/**
 * One page of runs at one nesting level. Trackside answers it in one SQL-built call; against a
 * plain MLflow server the page comes from `runs/search` and nesting is resolved within the page.
 */
export async function fetchRunPage(client: TrackingClient, request: RunPageRequest): Promise<RunTreePage> {
  const viewType = request.showDeleted ? 'ALL' : 'ACTIVE_ONLY';
  if (await client.hasExtra('run-tree')) {
    return client.runChildren({
      experimentId: request.experimentId, parentRunId: request.parentRunId, filter: request.filter, keyMetric: request.keyMetric,
      viewType, maxResults: request.pageSize, pageToken: request.pageToken,
    });
  }
  const parentFilter = request.parentRunId ? `tags.mlflow.parentRunId = ${filterString(request.parentRunId)}` : undefined;
  const filter = [request.filter, parentFilter].filter(Boolean).join(' and ') || undefined;
  const page = await client.runs.search({
    experimentIds: [request.experimentId], filter, runViewType: viewType, maxResults: request.pageSize, pageToken: request.pageToken,
  });
  const inPage = new Set(page.runs.map((r) => r.info.run_id));
  const children = new Map<string, number>();
  for (const run of page.runs) {
    const parent = tag(run, 'mlflow.parentRunId');
    if (parent) children.set(parent, (children.get(parent) ?? 0) + 1);
  }
  const rows = page.runs
    .filter((run) => request.parentRunId || request.filter || !inPage.has(tag(run, 'mlflow.parentRunId') ?? ''))
    .map((run): RunTreeRow => ({
      run_id: run.info.run_id,
      run_name: run.info.run_name,
      status: run.info.status,
      start_time: run.info.start_time,
      end_time: run.info.end_time,
      lifecycle_stage: run.info.lifecycle_stage,
      parent_run_id: tag(run, 'mlflow.parentRunId'),
      child_count: request.filter ? 0 : children.get(run.info.run_id) ?? 0,
      key_metric: run.data.metrics?.find((m) => m.key === request.keyMetric)?.value,
      source: tag(run, 'mlflow.source.name'),
      entry_point: tag(run, 'mlflow.project.entryPoint'),
      user_id: run.info.user_id,
    }));
  return { runs: rows, next_page_token: page.next_page_token };
}

function tag(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}
