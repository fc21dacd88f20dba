import path from 'node:path';
import type { Run } from '../shared/entities';
import { optionList, optionString } from './argParser';
import type { CliCommand } from './cliCommand';
import { CONNECTION_NOTES, CONNECTION_OPTIONS, JSON_OPTION, printJson, withClient } from './clientConnection';
import type { CliCommandGroup } from './commandGroup';
import { flag, positiveInteger, requireOption, viewOption } from './optionValues';
import { formatTable, formatTime } from './tableFormat';
import { formatCsvRow, writeCsv, type CsvValue } from '../core/data/csvWriter';

const EXPERIMENT_ID = { name: 'experiment-id', alias: 'x', value: 'ID', description: 'The experiment id' };

const search: CliCommand = {
  spec: {
    name: 'experiments search',
    summary: 'List experiments (active by default).',
    usage: 'trackside experiments search [--view active|deleted|all] [--max-results N] [--filter F] [--order-by O] [--json]',
    options: [
      { name: 'view', alias: 'v', value: 'VIEW', description: 'active (default), deleted or all' },
      { name: 'max-results', value: 'N', description: 'At most N experiments (default: all)' },
      { name: 'filter', value: 'FILTER', description: "MLflow filter, e.g. \"name LIKE 'prod-%'\"" },
      { name: 'order-by', value: 'ORDER', repeat: true, description: "e.g. 'name ASC', 'creation_time DESC' (repeatable)" },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const options = {
      viewType: viewOption(args),
      maxResults: positiveInteger(args, 'max-results'),
      filter: optionString(args, 'filter'),
      orderBy: optionList(args, 'order-by'),
    };
    const experiments = await withClient(args, io, (client) => client.experiments.searchAll(options));
    if (flag(args, 'json')) return printJson(io, { experiments }), 0;
    if (experiments.length === 0) return io.out('No experiments.'), 0;
    io.out(
      formatTable(
        [{ header: 'Experiment Id', keep: true }, { header: 'Name' }, { header: 'Stage' }, { header: 'Created' }, { header: 'Artifact Location' }],
        experiments.map((e) => [e.experiment_id, e.name, e.lifecycle_stage, formatTime(e.creation_time), e.artifact_location]),
      ),
    );
    return 0;
  },
};

const create: CliCommand = {
  spec: {
    name: 'experiments create',
    summary: 'Create an experiment.',
    usage: 'trackside experiments create --experiment-name NAME [--artifact-location URI] [--json]',
    options: [
      { name: 'experiment-name', alias: 'n', value: 'NAME', description: 'Its name (unique)' },
      { name: 'artifact-location', alias: 'l', value: 'URI', description: "Where its runs' artifacts go (default: the server's)" },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io) {
    const name = requireOption(args, 'experiment-name');
    const artifactLocation = optionString(args, 'artifact-location');
    const id = await withClient(args, io, (client) => client.experiments.create(name, { artifactLocation }));
    if (flag(args, 'json')) printJson(io, { experiment_id: id });
    else io.out(`Created experiment '${name}' with id ${id}.`);
    return 0;
  },
};

function lifecycleCommand(verb: 'delete' | 'restore'): CliCommand {
  return {
    spec: {
      name: `experiments ${verb}`,
      summary: verb === 'delete' ? 'Mark an experiment deleted (restorable until `trackside gc`).' : 'Restore a deleted experiment.',
      usage: `trackside experiments ${verb} --experiment-id ID [--json]`,
      options: [EXPERIMENT_ID, JSON_OPTION, ...CONNECTION_OPTIONS],
    },
    async run(args, io) {
      const id = requireOption(args, 'experiment-id');
      await withClient(args, io, (client) => (verb === 'delete' ? client.experiments.delete(id) : client.experiments.restore(id)));
      if (flag(args, 'json')) printJson(io, {});
      else io.out(`Experiment ${id} ${verb === 'delete' ? 'deleted' : 'restored'}.`);
      return 0;
    },
  };
}

const rename: CliCommand = {
  spec: {
    name: 'experiments rename',
    summary: 'Rename an experiment.',
    usage: 'trackside experiments rename --experiment-id ID --new-name NAME [--json]',
    options: [EXPERIMENT_ID, { name: 'new-name', value: 'NAME', description: 'The new name' }, JSON_OPTION, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const id = requireOption(args, 'experiment-id');
    const newName = requireOption(args, 'new-name');
    await withClient(args, io, (client) => client.experiments.update(id, { newName }));
    if (flag(args, 'json')) printJson(io, {});
    else io.out(`Experiment ${id} renamed to '${newName}'.`);
    return 0;
  },
};

/** A time as pandas writes a UTC datetime column: `2024-03-01 12:00:00.123000+00:00`. */
function pandasTime(ms: number | undefined): string {
  if (ms === undefined || ms === null) return '';
  const iso = new Date(ms).toISOString(); // 2024-03-01T12:00:00.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000+00:00`;
}

/** A metric as pandas writes a float column: `1.0`, `0.25`; NaN as an empty field. */
function pandasFloat(value: number | string): string {
  if (typeof value !== 'number') return value === 'NaN' ? '' : value;
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

/** The columns and rows of `mlflow experiments csv`: run info, then metrics.*, params.*, tags.* (each sorted). */
export function runsCsv(runs: readonly Run[]): { header: string[]; rows: CsvValue[][] } {
  const keys = { metrics: new Set<string>(), params: new Set<string>(), tags: new Set<string>() };
  for (const run of runs) {
    run.data.metrics?.forEach((m) => keys.metrics.add(m.key));
    run.data.params?.forEach((p) => keys.params.add(p.key));
    run.data.tags?.forEach((t) => keys.tags.add(t.key));
  }
  const metrics = [...keys.metrics].sort();
  const params = [...keys.params].sort();
  const tags = [...keys.tags].sort();
  const header = [
    'run_id', 'experiment_id', 'status', 'artifact_uri', 'start_time', 'end_time',
    ...metrics.map((k) => `metrics.${k}`), ...params.map((k) => `params.${k}`), ...tags.map((k) => `tags.${k}`),
  ];
  const rows = runs.map((run) => {
    const metric = new Map((run.data.metrics ?? []).map((m) => [m.key, pandasFloat(m.value)]));
    const param = new Map((run.data.params ?? []).map((p) => [p.key, p.value]));
    const tag = new Map((run.data.tags ?? []).map((t) => [t.key, t.value]));
    const info = run.info;
    return [
      info.run_id, info.experiment_id, info.status, info.artifact_uri, pandasTime(info.start_time), pandasTime(info.end_time),
      ...metrics.map((k) => metric.get(k) ?? ''), ...params.map((k) => param.get(k) ?? ''), ...tags.map((k) => tag.get(k) ?? ''),
    ];
  });
  return { header, rows };
}

const csv: CliCommand = {
  spec: {
    name: 'experiments csv',
    summary: 'Write all runs of an experiment as CSV: run info, then metrics, params and tags as columns.',
    usage: 'trackside experiments csv --experiment-id ID [-o FILE]',
    options: [EXPERIMENT_ID, { name: 'filename', alias: 'o', value: 'FILE', description: 'Write here (default: stdout)' }, ...CONNECTION_OPTIONS],
  },
  async run(args, io) {
    const id = requireOption(args, 'experiment-id');
    const file = optionString(args, 'filename');
    const runs = await withClient(args, io, async (client) => {
      await client.experiments.get(id); // a clear error for an unknown experiment
      return client.runs.searchAll({ experimentIds: [id] });
    });
    const { header, rows } = runsCsv(runs);
    if (file) {
      await writeCsv(path.resolve(file), header, rows, { lineEnding: '\n' });
      io.err(`Wrote ${rows.length} run(s) of experiment ${id} to ${file}.`);
    } else {
      io.out([header, ...rows].map((row) => formatCsvRow(row)).join('\n'));
    }
    return 0;
  },
};

/** `trackside experiments …`: MLflow's experiment commands against any tracking server or store. */
export const experimentsCommand: CliCommandGroup = {
  name: 'experiments',
  summary: 'Search, create, rename, delete and restore experiments, and export their runs as CSV.',
  subcommands: [search, create, lifecycleCommand('delete'), lifecycleCommand('restore'), rename, csv],
  notes: CONNECTION_NOTES,
};
