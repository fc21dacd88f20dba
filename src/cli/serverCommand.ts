import { optionString } from './argParser';
import { STORE_OPTION, storeFolder, type CliCommand } from './cliCommand';
import { TrackingServer } from '../core/server/trackingServer';
import { StoreLockedError } from '../core/store/store';
import { StoreBackend } from '../core/store/storeBackend';
import { readOrCreateToken } from '../core/store/storeToken';

/** `trackside server`: serve a store over MLflow's REST API on 127.0.0.1, like `mlflow server`. */
export const serverCommand: CliCommand = {
  spec: {
    name: 'server',
    summary: "Serve a store over MLflow's REST API on 127.0.0.1 (Ctrl-C stops it cleanly).",
    usage: 'trackside server [--store DIR] [--host 127.0.0.1] [--port N] [--token T]',
    options: [
      STORE_OPTION,
      { name: 'host', value: 'HOST', description: 'Only 127.0.0.1 (loopback) is allowed' },
      { name: 'port', alias: 'p', value: 'N', description: 'Port (default 5000; 0 = any free port)' },
      { name: 'token', value: 'TOKEN', description: "Bearer token (default: the store's own, kept in <store>/token)" },
    ],
  },
  async run(args, io) {
    const host = optionString(args, 'host') ?? '127.0.0.1';
    if (host !== '127.0.0.1' && host !== 'localhost') {
      io.err(`trackside server: --host ${host} refused: Trackside serves on the loopback address 127.0.0.1 only.`);
      return 2;
    }
    const port = Number(optionString(args, 'port') ?? process.env.TRACKSIDE_PORT ?? 5000);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      io.err(`trackside server: invalid --port ${optionString(args, 'port')}`);
      return 2;
    }
    const folder = storeFolder(args);
    let backend: StoreBackend;
    try {
      backend = await StoreBackend.open(folder, {
        owner: 'cli server',
        log: (level, message) => io.err(`[${level}] ${message}`),
      });
    } catch (e) {
      if (e instanceof StoreLockedError) {
        const where = e.holder.port ? ` at http://127.0.0.1:${e.holder.port}` : '';
        io.err(`trackside server: ${folder} is already served by ${e.holder.owner} (pid ${e.holder.pid})${where}.`);
        return 1;
      }
      throw e;
    }
    const { token, file } = readOrCreateToken(folder);
    const effectiveToken = optionString(args, 'token') ?? token;
    let server: TrackingServer;
    try {
      server = await TrackingServer.start({ backend, port, token: effectiveToken, log: (level, message) => io.err(`[${level}] ${message}`) });
    } catch (e) {
      await backend.close();
      io.err(`trackside server: cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`);
      return 1;
    }
    backend.store.publish({ port: server.listeningPort, tokenFile: optionString(args, 'token') ? undefined : file });
    io.out(`Trackside serving ${folder}`);
    io.out(`MLFLOW_TRACKING_URI=${server.url}`);
    io.out(`MLFLOW_TRACKING_TOKEN=${optionString(args, 'token') ? '<the token you gave>' : `$(cat ${file})`}`);
    return await new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        io.err(`[info] ${signal}: stopping (checkpointing the store)…`);
        void (async () => {
          await server.close();
          await backend.close();
          io.err('[info] stopped cleanly');
          resolve(0);
        })();
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  },
};
