import { UsageError, optionList, optionString } from './argParser';
import type { CliCommand, CliIo } from './cliCommand';
import { CONNECTION_OPTIONS, JSON_OPTION, printJson, withClient } from './clientConnection';
import { flag } from './optionValues';
import { progressPrinter, withInterrupt } from './progressPrinter';
import { formatTable } from './tableFormat';
import { TrackingClient } from '../core/client/trackingClient';
import { pushToMlflow } from '../core/interop/mlflowPusher';
import { PushAbortedError, type PushSummary } from '../core/interop/pushSummary';

const count = (n: number): string => n.toLocaleString('en-US');

/** A push summary for people: a table of counts, then what was skipped and why, then notes. */
export function formatPushSummary(summary: PushSummary): string {
  const { runs, artifacts } = summary;
  const rows: string[][] = [
    ['Experiments', count(summary.experiments.created), count(summary.experiments.existing), ''],
    ['Runs', count(runs.created), count(runs.updated + runs.unchanged), runs.updated ? `${count(runs.updated)} updated` : ''],
    ['Registered models', count(summary.models.created), count(summary.models.existing), ''],
    ['Model versions', count(summary.versions.created), count(summary.versions.updated + summary.versions.unchanged), summary.versions.updated ? `${count(summary.versions.updated)} updated` : ''],
  ];
  const lines = [
    `Pushed to ${summary.target}`,
    '',
    formatTable([{ header: 'What' }, { header: 'Created', right: true }, { header: 'Already There', right: true }, { header: '' }], rows),
    '',
    `Sent ${count(summary.metrics)} metric point(s), ${count(summary.params)} param(s), ${count(summary.tags)} tag(s), ${count(summary.inputs)} dataset input(s), ` +
      `${count(artifacts.uploaded)} artifact file(s) (${count(artifacts.bytes)} bytes) in ${count(summary.writes)} write request(s).`,
  ];
  if (runs.failed > 0) lines.push(`${count(runs.failed)} run(s) were refused in part by the target (see below).`);
  if (summary.skipped.length > 0) lines.push('', 'Skipped:', ...summary.skipped.map((s) => `  ${s.what}: ${s.why}`));
  if (summary.notes.length > 0) lines.push('', 'Notes:', ...summary.notes.map((n) => `  ${n}`));
  return lines.join('\n');
}

/**
 * `trackside push --to URI`: copies experiments, runs (with histories and artifacts) and registered
 * models from the local store (or `--tracking-uri`) to an MLflow tracking server. Pushing again
 * sends only what is new; Ctrl-C stops between requests and a later push continues.
 */
export const pushCommand: CliCommand = {
  spec: {
    name: 'push',
    summary: 'Copy experiments, runs and registered models to an MLflow tracking server; pushing again sends only what is new.',
    usage: 'trackside push --to URI [--token T] [--experiment NAME]… [--run-id ID]… [--model NAME]… [--include-deleted] [--json]',
    options: [
      { name: 'to', value: 'URI', description: 'The MLflow tracking server to push to, e.g. https://mlflow.example.com' },
      { name: 'token', value: 'TOKEN', description: "The target's bearer token (user:password@ in --to for basic auth)" },
      { name: 'experiment', alias: 'e', value: 'NAME', repeat: true, description: 'Push this experiment (repeatable); default: every active one' },
      { name: 'run-id', alias: 'r', value: 'ID', repeat: true, description: 'Push this run and its parents (repeatable)' },
      { name: 'model', alias: 'm', value: 'NAME', repeat: true, description: 'Push this registered model (repeatable); default: all when nothing is chosen' },
      { name: 'include-deleted', description: 'Also push deleted experiments and runs (deleted on the target too)' },
      JSON_OPTION,
      ...CONNECTION_OPTIONS,
    ],
  },
  async run(args, io: CliIo) {
    if (args.positionals.length > 0) throw new UsageError(`Unexpected argument '${args.positionals[0]}'. Run 'trackside push --help'.`);
    const to = optionString(args, 'to');
    if (!to) throw new UsageError('Missing option --to: the tracking server to push to (http://host:port).');
    if (!/^https?:\/\//i.test(to)) throw new UsageError(`--to ${to} is not an http(s) tracking server.`);
    const target = new TrackingClient({ trackingUri: to, token: optionString(args, 'token'), userAgent: 'trackside-cli push' });
    const printer = progressPrinter();
    let summary: PushSummary;
    let stopped = false;
    try {
      await target.health(15_000).catch((e: Error) => {
        throw new Error(`Cannot reach ${target.trackingUri}: ${e.message}`);
      });
      summary = await withClient(args, io, (source) =>
        withInterrupt((signal) =>
          pushToMlflow({
            source,
            target,
            experimentNames: optionList(args, 'experiment'),
            runIds: optionList(args, 'run-id'),
            models: optionList(args, 'model'),
            includeDeleted: flag(args, 'include-deleted'),
            signal,
            onProgress: (p) => printer.report(p),
          }),
        ),
      );
    } catch (e) {
      if (!(e instanceof PushAbortedError)) throw e;
      summary = e.summary;
      stopped = true;
      io.err(e.message);
    } finally {
      printer.finish();
      target.close();
    }
    if (flag(args, 'json')) printJson(io, summary);
    else io.out(formatPushSummary(summary));
    return stopped ? 130 : 0;
  },
};
