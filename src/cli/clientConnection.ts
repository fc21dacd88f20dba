import fs from 'node:fs';
import { UsageError, optionString, type OptionSpec, type ParsedArgs } from './argParser';
import { STORE_OPTION, storeFolder, type CliIo } from './cliCommand';
import { TrackingClient, environmentOptions } from '../core/client/trackingClient';
import { TrackingServer } from '../core/server/trackingServer';
import { StoreLockedError } from '../core/store/store';
import { StoreBackend } from '../core/store/storeBackend';
import { liveLockHolder, type LockInfo } from '../core/store/storeLock';
import { readOrCreateToken, readTokenFile } from '../core/store/storeToken';

/** The options every client command takes to choose its server. */
export const CONNECTION_OPTIONS: OptionSpec[] = [
  { name: 'tracking-uri', value: 'URI', description: 'Tracking server, e.g. http://127.0.0.1:5000 (default: $MLFLOW_TRACKING_URI)' },
  STORE_OPTION,
];

export const JSON_OPTION: OptionSpec = { name: 'json', description: "Print the server's JSON instead of a table (for scripts)" };

/** What `--json` prints: the value as indented JSON on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export const CONNECTION_NOTES = [
  'Where the data comes from (first that applies): --tracking-uri; --store; $MLFLOW_TRACKING_URI;',
  '$TRACKSIDE_STORE or ./.trackside. $MLFLOW_TRACKING_TOKEN is sent as the bearer token. A store',
  'served by a running Trackside (VS Code or `trackside server`) is used through that server.',
];

/** A client for one command, and how to let go of it. */
export interface CliConnection {
  client: TrackingClient;
  /** What the command talks to, for messages: a URI or a store folder. */
  target: string;
  close(): Promise<void>;
}

/** How long to wait for a store's owner to publish its port (an engine that is starting). */
const PUBLISH_WAIT_MS = 5000;
/** The CLI waits less than an extension would for a server that is not there. */
const CLI_RETRIES = 2;

/**
 * The client a command uses, whatever the data's home: a tracking server (`--tracking-uri`,
 * `$MLFLOW_TRACKING_URI`), the server of a store a live Trackside owns, or the store opened here
 * and served on a random loopback port for the length of the command — one code path, the client.
 */
export async function connectClient(args: ParsedArgs, io: CliIo): Promise<CliConnection> {
  const uri = optionString(args, 'tracking-uri');
  const fromEnvironment = optionString(args, 'store') === undefined ? process.env.MLFLOW_TRACKING_URI?.trim() || undefined : undefined;
  const trackingUri = uri ?? fromEnvironment;
  if (trackingUri !== undefined) {
    if (!/^https?:\/\//i.test(trackingUri)) {
      const from = uri !== undefined ? '--tracking-uri' : 'MLFLOW_TRACKING_URI';
      throw new UsageError(`${from}=${trackingUri} is not an http(s) tracking server. Give http://host:port, or --store DIR for a local store.`);
    }
    const options = environmentOptions({ ...process.env, MLFLOW_TRACKING_URI: trackingUri })!;
    const client = new TrackingClient({ ...options, maxRetries: options.maxRetries ?? CLI_RETRIES, userAgent: 'trackside-cli' });
    return { client, target: client.trackingUri, close: async () => client.close() };
  }
  return connectStore(storeFolder(args), io);
}

async function waitForPort(folder: string, holder: LockInfo): Promise<LockInfo | undefined> {
  const started = Date.now();
  let current: LockInfo | undefined = holder;
  while (current && current.port === undefined && Date.now() - started < PUBLISH_WAIT_MS) {
    await new Promise((r) => setTimeout(r, 100));
    current = liveLockHolder(folder);
  }
  return current;
}

function clientOfHolder(folder: string, holder: LockInfo): CliConnection {
  const token = (holder.tokenFile ? readTokenFile(holder.tokenFile) : undefined) ?? process.env.MLFLOW_TRACKING_TOKEN;
  if (!token) {
    throw new Error(
      `${folder} is served by ${holder.owner} (pid ${holder.pid}) at http://127.0.0.1:${holder.port} with a token of its own: ` +
        'set MLFLOW_TRACKING_TOKEN to it.',
    );
  }
  const client = new TrackingClient({ trackingUri: `http://127.0.0.1:${holder.port}`, token, maxRetries: CLI_RETRIES, userAgent: 'trackside-cli' });
  return { client, target: folder, close: async () => client.close() };
}

async function connectStore(folder: string, io: CliIo): Promise<CliConnection> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = liveLockHolder(folder);
    if (holder) {
      const published = await waitForPort(folder, holder);
      if (published?.port !== undefined) return clientOfHolder(folder, published);
      if (published) {
        throw new Error(`${folder} is in use by ${published.owner} (pid ${published.pid}), which does not serve it. Try again when it has finished.`);
      }
      continue; // the holder went away meanwhile: open the store here
    }
    if (!fs.existsSync(folder)) fs.mkdirSync(folder, { recursive: true });
    let backend: StoreBackend;
    try {
      backend = await StoreBackend.open(folder, {
        owner: 'cli',
        log: (level, message) => {
          if (level !== 'info') io.err(`[${level}] ${message}`);
        },
      });
    } catch (e) {
      if (e instanceof StoreLockedError) continue; // someone took it first: use theirs
      throw e;
    }
    return serveInProcess(folder, backend);
  }
  throw new Error(`Could not open or reach the store ${folder}: its owner keeps changing.`);
}

/** Serves an opened store on a random loopback port for one command; published so others can join. */
async function serveInProcess(folder: string, backend: StoreBackend): Promise<CliConnection> {
  let changed = false;
  const subscription = backend.store.onMutation(() => {
    changed = true;
  });
  const { token, file } = readOrCreateToken(folder);
  let server: TrackingServer;
  try {
    server = await TrackingServer.start({ backend, port: 0, token });
  } catch (e) {
    subscription.dispose();
    await backend.close({ checkpoint: false });
    throw e;
  }
  backend.store.publish({ port: server.listeningPort, tokenFile: file });
  const client = new TrackingClient({ trackingUri: server.url, token, maxRetries: 0, userAgent: 'trackside-cli' });
  return {
    client,
    target: folder,
    close: async () => {
      client.close();
      await server.close();
      subscription.dispose();
      // Reads leave the snapshot alone; writes are already durable in the journal, and a
      // checkpoint folds them into store.sqlite so the next open replays nothing.
      await backend.close({ checkpoint: changed });
    },
  };
}

/** Runs `work` with a client for the command's target, always letting go of it afterwards. */
export async function withClient<T>(args: ParsedArgs, io: CliIo, work: (client: TrackingClient) => Promise<T>): Promise<T> {
  const connection = await connectClient(args, io);
  try {
    return await work(connection.client);
  } finally {
    await connection.close();
  }
}
