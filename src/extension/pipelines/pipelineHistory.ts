import path from 'node:path';
import type { TrackingClient } from '../../core/client/trackingClient';
import type { Run } from '../../shared/entities';
import type { PipelineHistoryRun } from '../../shared/protocol/pipelineProtocol';
import { filterString } from '../../core/search/filterLiteral';

/** Earlier runs of one script, newest first (no `vscode` here). */

export const HISTORY_LIMIT = 50;


/** The runs the pipeline runner tags for this script: its file name and its full path. */
export function pipelineRunsFilter(scriptPath: string): string {
  return `tags.\`trackside.pipeline\` = ${filterString(path.basename(scriptPath))} AND tags.\`mlflow.source.name\` = ${filterString(scriptPath)}`;
}

export function historyRun(run: Run): PipelineHistoryRun {
  const tags = Object.fromEntries((run.data.tags ?? []).map((tag) => [tag.key, tag.value]));
  const failedCell = tags['trackside.failed_cell'] ?? tags['trackside.stopped_cell'];
  return {
    runId: run.info.run_id,
    name: run.info.run_name || tags['mlflow.runName'] || run.info.run_id.slice(0, 8),
    status: run.info.status,
    startTime: run.info.start_time ?? null,
    endTime: run.info.end_time ?? null,
    params: Object.fromEntries((run.data.params ?? []).map((param) => [param.key, param.value])),
    ...(failedCell ? { failedCell } : {}),
    ...(tags['trackside.error'] ? { error: tags['trackside.error'] } : {}),
  };
}

/**
 * This script's runs in any active experiment (a trigger may log into another experiment than
 * "Pipelines"), newest first, at most `limit`.
 */
export async function loadPipelineHistory(client: TrackingClient, scriptPath: string, limit = HISTORY_LIMIT): Promise<PipelineHistoryRun[]> {
  const experiments = await client.experiments.searchAll({});
  if (experiments.length === 0) return [];
  const page = await client.runs.search({
    experimentIds: experiments.map((experiment) => experiment.experiment_id),
    filter: pipelineRunsFilter(scriptPath),
    orderBy: ['attributes.start_time DESC'],
    maxResults: limit,
  });
  return page.runs.map(historyRun);
}
