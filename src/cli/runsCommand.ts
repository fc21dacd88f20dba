import type { Run } from '../shared/entities';
import { UsageError, optionList, optionString } from './argParser';
import type { CliCommand } from './cliCommand';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, JSON_OPTION, printJson, withClient } from './clientConnection';
import type { CliCommandGroup } from './commandGroup';
import { flag, positiveInteger, requireOption, viewOption } from './optionValues';
import { formatDuration, formatTable, formatTime, formatValue, type TableColumn } from './tableFormat';

const RUN_ID = { name: 'run-id', alias: 'r', value: 'ID', description: 'The run id' };
/** What `runs search` shows unless told otherwise (MLflow's default page size). */
const DEFAULT_MAX_RESULTS = 1000;

/** The metric, param or tag an order-by clause sorts on, to show it as a column. */
export function orderByColumn(clause: string): { kind: 'metrics' | 'params' | 'tags'; key: string } | undefined {
  const match = /^\s*(metrics?|params?|parameters?|tags?)\.(`[^`]+`|"[^"]+"|\S+)/i.exec(clause);
  if (!match) return undefined;
  const entity = match[1].toLowerCase();
  const kind = entity.startsWith('metric') ? 'metrics' : entity.startsWith('param') ? 'params' : 'tags';
  return { kind, key: match[2].replace(/^[`"]|[`"]$/g, '') };
}

function entityValue(run: Run, column: { kind: 'metrics' | 'params' | 'tags'; key: string }): string {
  const list = run.data[column.kind] as { key: string; value: string | number }[] | undefined;
  return formatValue(list?.find((entry) => entry.key === column.key)?.value);
}

const search: CliCommand = {
  spec: {
    name: 'runs search',
    summary: "Search an experiment's runs with MLflow's filter and order-by (newest first by default).",
    usage: 'trackside runs search --experiment-id ID[,ID…] [--filter F] [--order-by O]… [--max-results N] [--view V] [--json]',
    options: [
      { name: 'experiment-id', alias: 'x', value: 'IDS', repeat: true, description: 'Experiment id(s), comma-separated or repeated' },
      { name: 'filter', alias: 'f', value: 'FILTER', description: "e.g. \"metrics.rmse < 0.5 and params.model = 'rf'\"" },
      { name: 'order-by', alias: 'o', value: 'ORDER', repeat: true, description: "e.g. 'metrics.rmse ASC' (repeatable; shown as columns)" },
      { name: 'max-results', value: 'N', description: `At most N runs (default ${DEFAULT_MAX_RESULTS})` },
      { name: 'view', alias: 'v', value: 'VIEW', description: 'active (default), deleted or all' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const experimentIds = optionList(args, 'experiment-id');
    if (experimentIds.length === 0) throw new UsageError('Missing option --experiment-id.');
    const orderBy = optionList(args, 'order-by');
    const runs = await withClient(args, io, (client) =>
      client.runs.searchAll({
        experimentIds,
        filter: optionString(args, 'filter'),
        orderBy,
        runViewType: viewOption(args),
        maxResults: positiveInteger(args, 'max-results') ?? DEFAULT_MAX_RESULTS,
      }),
    );
    if (flag(args, 'json')) return printJson(io, { runs }), 0;
    if (runs.length === 0) return io.out('No runs.'), 0;
    const extra = orderBy.map(orderByColumn).filter((c): c is NonNullable<typeof c> => c !== undefined);
    const columns: TableColumn[] = [
      { header: 'Run Id', keep: true }, { header: 'Name' }, { header: 'Status' }, { header: 'Started' }, { header: 'Duration', right: true },
      ...extra.map((c) => ({ header: c.key, right: c.kind === 'metrics' })),
    ];
    if (experimentIds.length > 1) columns.splice(1, 0, { header: 'Experiment', keep: true });
    io.out(
      formatTable(
        columns,
        runs.map((run) => {
          const cells = [
            run.info.run_id, run.info.run_name, run.info.status, formatTime(run.info.start_time),
            formatDuration(run.info.start_time, run.info.end_time), ...extra.map((c) => entityValue(run, c)),
          ];
          if (experimentIds.length > 1) cells.splice(1, 0, run.info.experiment_id);
          return cells;
        }),
      ),
    );
    return 0;
  },
};

/** A run for people: its info, then params, metrics (last values) and tags as aligned tables. */
export function describeRun(run: Run): string {
  const info = run.info;
  const fields: [string, string][] = [
    ['Run Id', info.run_id],
    ['Name', info.run_name],
    ['Experiment', info.experiment_id],
    ['Status', info.status],
    ['Lifecycle', info.lifecycle_stage],
    ['Started', formatTime(info.start_time)],
    ['Ended', formatTime(info.end_time)],
    ['Duration', formatDuration(info.start_time, info.end_time)],
    ['User', info.user_id ?? ''],
    ['Artifact URI', info.artifact_uri],
  ];
  const width = Math.max(...fields.map(([label]) => label.length));
  const out = fields.filter(([, value]) => value !== '').map(([label, value]) => `${`${label}:`.padEnd(width + 1)}  ${value}`);
  const section = (title: string, columns: TableColumn[], rows: string[][]): void => {
    out.push('', `${title} (${rows.length})`);
    if (rows.length > 0) out.push(formatTable(columns, rows, { maxCell: 80 }).replace(/^/gm, '  '));
  };
  const byKey = <T extends { key: string }>(list: T[] | undefined): T[] => [...(list ?? [])].sort((a, b) => a.key.localeCompare(b.key));
  section('Params', [{ header: 'Key' }, { header: 'Value' }], byKey(run.data.params).map((p) => [p.key, p.value]));
  section(
    'Metrics',
    [{ header: 'Key' }, { header: 'Value', right: true }, { header: 'Step', right: true }, { header: 'Logged' }],
    byKey(run.data.metrics).map((m) => [m.key, formatValue(m.value), String(m.step), formatTime(m.timestamp)]),
  );
  section('Tags', [{ header: 'Key' }, { header: 'Value' }], byKey(run.data.tags).map((t) => [t.key, t.value]));
  const datasets = run.inputs?.dataset_inputs ?? [];
  if (datasets.length > 0) {
    section('Datasets', [{ header: 'Name' }, { header: 'Digest' }, { header: 'Source Type' }], datasets.map((d) => [d.dataset.name, d.dataset.digest, d.dataset.source_type]));
  }
  return out.join('\n');
}

const describe: CliCommand = {
  spec: {
    name: 'runs describe',
    summary: 'Show a run: its info, params, metrics and tags.',
    usage: 'trackside runs describe --run-id ID [--json]',
    options: [RUN_ID, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const runId = requireOption(args, 'run-id');
    const run = await withClient(args, io, (client) => client.runs.get(runId));
    if (flag(args, 'json')) printJson(io, { run });
    else io.out(describeRun(run));
    return 0;
  },
};

function lifecycleCommand(verb: 'delete' | 'restore'): CliCommand {
  return {
    spec: {
      name: `runs ${verb}`,
      summary: verb === 'delete' ? 'Mark a run deleted (restorable until `trackside gc`).' : 'Restore a deleted run.',
      usage: `trackside runs ${verb} --run-id ID [--json]`,
      options: [RUN_ID, JSON_OPTION, ...CONNECTION_OPTIONS],
    },
    async run(args, io) {
      const runId = requireOption(args, 'run-id');
      await withClient(args, io, (client) => (verb === 'delete' ? client.runs.delete(runId) : client.runs.restore(runId)));
      if (flag(args, 'json')) printJson(io, {});
      else io.out(`Run ${runId} ${verb === 'delete' ? 'deleted' : 'restored'}.`);
      return 0;
    },
  };
}

/** `trackside runs …`: MLflow's run commands, plus search, against any tracking server or store. */
export const runsCommand: CliCommandGroup = {
  name: 'runs',
  summary: 'Search, describe, delete and restore runs.',
  subcommands: [search, describe, lifecycleCommand('delete'), lifecycleCommand('restore')],
  notes: CONNECTION_NOTES,
};
