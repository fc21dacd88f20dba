import { UsageError, optionString } from './argParser';
import { STORE_OPTION, storeFolder, type CliCommand, type CliIo } from './cliCommand';
import { JSON_OPTION, printJson } from './clientConnection';
import { flag } from './optionValues';
import { progressPrinter, withInterrupt } from './progressPrinter';
import { formatTable } from './tableFormat';
import { ImportAbortedError, type ImportSummary } from '../core/interop/importSummary';
import { importMlflow } from '../core/interop/mlflowImporter';
import { StoreLockedError } from '../core/store/store';
import { StoreBackend } from '../core/store/storeBackend';

const count = (n: number): string => n.toLocaleString('en-US');

/** An import summary for people: a table of counts, then what was skipped and why, then notes. */
export function formatImportSummary(summary: ImportSummary): string {
  const rows: string[][] = [
    ['Experiments', count(summary.experiments.imported), count(summary.experiments.skipped)],
    ['Runs', count(summary.runs.imported), count(summary.runs.skipped)],
    ['Metric points', count(summary.metrics), ''],
    ['Params', count(summary.params), ''],
    ['Run tags', count(summary.tags), ''],
    ['Dataset inputs', count(summary.inputs), ''],
    ['Registered models', count(summary.models.imported), count(summary.models.skipped)],
    ['Model versions', count(summary.versions.imported), count(summary.versions.skipped)],
  ];
  const { copied, referenced, missing } = summary.artifacts;
  const lines = [
    `Imported ${summary.source.description}`,
    '',
    formatTable([{ header: 'What' }, { header: 'Imported', right: true }, { header: 'Skipped', right: true }], rows),
    '',
    `Artifacts: ${count(copied)} run folder(s) copied, ${count(referenced)} referenced where they are, ${count(missing)} without a folder.`,
  ];
  if (summary.skipped.length > 0) lines.push('', 'Skipped:', ...summary.skipped.map((s) => `  ${s.what}: ${s.why}`));
  if (summary.notes.length > 0) lines.push('', 'Notes:', ...summary.notes.map((n) => `  ${n}`));
  return lines.join('\n');
}

/**
 * `trackside import PATH`: imports an MLflow store (an mlflow.db, an mlruns/ folder, or a project
 * folder holding one) into the Trackside store, in-process. The store must not be open elsewhere:
 * the importer writes into the store directly (keeping MLflow's run ids and version numbers, which
 * MLflow's REST API cannot set), so it cannot run through another process's server; it refuses
 * with a message saying who holds the store.
 */
export const importCommand: CliCommand = {
  spec: {
    name: 'import',
    summary: 'Import an MLflow store (mlflow.db, sqlite:///…, or an mlruns/ folder) into the Trackside store.',
    usage: 'trackside import PATH [--artifacts copy|reference] [--store DIR] [--json]',
    options: [
      { name: 'artifacts', value: 'MODE', description: "copy (default): copy local artifact folders into the store; reference: keep the runs' URIs" },
      STORE_OPTION,
      JSON_OPTION,
    ],
  },
  async run(args, io: CliIo) {
    if (args.positionals.length !== 1) throw new UsageError('Give one PATH: an mlflow.db file, a sqlite:/// URI or an mlruns folder.');
    const source = args.positionals[0];
    const artifacts = optionString(args, 'artifacts') ?? 'copy';
    if (artifacts !== 'copy' && artifacts !== 'reference') throw new UsageError(`--artifacts must be copy or reference, got '${artifacts}'.`);
    const folder = storeFolder(args);
    let backend: StoreBackend;
    try {
      backend = await StoreBackend.open(folder, { owner: 'cli import', log: (level, message) => io.err(`[${level}] ${message}`) });
    } catch (e) {
      if (e instanceof StoreLockedError) {
        const where = e.holder.port ? ` at http://127.0.0.1:${e.holder.port}` : '';
        io.err(
          `trackside import: ${folder} is open in ${e.holder.owner} (pid ${e.holder.pid})${where}. An import needs the store to itself: ` +
            'close that window or stop that server, then run the import again.',
        );
        return 1;
      }
      throw e;
    }
    const printer = progressPrinter();
    let summary: ImportSummary;
    let stopped = false;
    try {
      summary = await withInterrupt((signal) => importMlflow(source, backend, { artifacts, signal, onProgress: (p) => printer.report(p) }));
    } catch (e) {
      if (!(e instanceof ImportAbortedError)) throw e;
      summary = e.summary;
      stopped = true;
      io.err(e.message);
    } finally {
      printer.finish();
      await backend.close();
    }
    if (flag(args, 'json')) printJson(io, summary);
    else io.out(formatImportSummary(summary));
    return stopped ? 130 : 0;
  },
};
