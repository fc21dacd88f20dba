import { optionList, optionString, parseDuration } from './argParser';
import { STORE_OPTION, storeFolder, type CliCommand } from './cliCommand';
import { StoreLockedError } from '../core/store/store';
import { StoreBackend } from '../core/store/storeBackend';

/** `trackside gc`: permanently delete runs and experiments in the deleted state, like `mlflow gc`. */
export const gcCommand: CliCommand = {
  spec: {
    name: 'gc',
    summary: 'Permanently delete runs and experiments in the deleted state, with their metrics and artifacts.',
    usage: 'trackside gc [--store DIR] [--older-than 30d] [--run-ids ID,…] [--experiment-ids ID,…]',
    options: [
      STORE_OPTION,
      { name: 'older-than', value: 'DURATION', description: 'Only what was deleted longer ago than this (e.g. 30d, 12h)' },
      { name: 'run-ids', value: 'IDS', description: 'Only these deleted runs (comma-separated)' },
      { name: 'experiment-ids', value: 'IDS', description: 'Only these deleted experiments (comma-separated)' },
    ],
  },
  async run(args, io) {
    const folder = storeFolder(args);
    const olderThan = optionString(args, 'older-than');
    const runIds = optionList(args, 'run-ids');
    const experimentIds = optionList(args, 'experiment-ids');
    let backend: StoreBackend;
    try {
      backend = await StoreBackend.open(folder, { owner: 'cli', log: (_level, message) => io.err(message) });
    } catch (e) {
      if (e instanceof StoreLockedError) {
        io.err(`trackside gc: ${e.message}. Stop that server or window first: gc needs the store to itself.`);
        return 1;
      }
      throw e;
    }
    try {
      const result = backend.tracking.gc({
        olderThanMs: olderThan ? parseDuration(olderThan) : undefined,
        runIds: runIds.length ? runIds : undefined,
        experimentIds: experimentIds.length ? experimentIds : undefined,
      });
      await backend.store.synced();
      io.out(`Purged ${result.runs.length} run(s) and ${result.experiments.length} experiment(s).`);
      for (const id of result.experiments) io.out(`  experiment ${id}`);
      for (const id of result.runs) io.out(`  run ${id}`);
      return 0;
    } finally {
      await backend.close();
    }
  },
};
