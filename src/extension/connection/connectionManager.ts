import * as vscode from 'vscode';
import { TrackingClient } from '../../core/client/trackingClient';
import { EngineHost } from '../../core/engine/engineHost';
import { readTokenFile } from '../../core/store/storeToken';
import { log } from '../log';
import { affectsTrackside, settings } from '../settings';
import { Disposable } from '../util/disposable';
import { storeFolder } from './storeLocation';

export type ConnectionState =
  | { kind: 'idle' }
  | { kind: 'starting'; folder: string }
  /** This window's engine owns the store and serves it. */
  | { kind: 'local'; folder: string; url: string }
  /** Another window or a `trackside server` owns the store: this window is its client. */
  | { kind: 'attached'; folder: string; url: string; owner: string; pid: number }
  | { kind: 'remote'; url: string }
  | { kind: 'error'; message: string; folder?: string };

const SECRET_PREFIX = 'trackside.token:';
const ATTACH_RETRIES = 50;
const HEALTH_INTERVAL_MS = 5000;

/**
 * Where Trackside's data comes from, and the one TrackingClient everything uses: the local engine
 * (a worker thread serving the store on 127.0.0.1), another window's engine on the same store, or
 * a remote MLflow server. Nothing starts until something needs data (`client()`).
 */
export class ConnectionManager extends Disposable {
  private state: ConnectionState = { kind: 'idle' };
  private engine: EngineHost | undefined;
  private current: TrackingClient | undefined;
  private starting: Promise<TrackingClient> | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private readonly changed = this._register(new vscode.EventEmitter<ConnectionState>());
  readonly onDidChangeState = this.changed.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    super();
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (affectsTrackside(e, 'trackingUri', 'store.path', 'server.port') && this.state.kind !== 'idle') void this.restart();
      }),
    );
  }

  get currentState(): ConnectionState {
    return this.state;
  }

  /** The client, starting the engine or connecting first if needed. Rejects with a readable reason. */
  client(): Promise<TrackingClient> {
    if (this.current && this.state.kind !== 'error') return Promise.resolve(this.current);
    this.starting ??= this.connect().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** The client if connected already (never starts anything). */
  get connectedClient(): TrackingClient | undefined {
    return this.current;
  }

  /** The environment a terminal or a child process needs to log into the current store. */
  trackingEnvironment(): Promise<{ MLFLOW_TRACKING_URI: string; MLFLOW_TRACKING_TOKEN?: string }> {
    return this.client().then((client) => ({
      MLFLOW_TRACKING_URI: client.trackingUri,
      ...(client.token ? { MLFLOW_TRACKING_TOKEN: client.token } : {}),
    }));
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.client().catch(() => undefined);
  }

  /** Stores a remote server (token in SecretStorage) and switches to it. */
  async useRemote(uri: string, token: string | undefined): Promise<void> {
    if (token) await this.context.secrets.store(SECRET_PREFIX + uri, token);
    else await this.context.secrets.delete(SECRET_PREFIX + uri);
    await vscode.workspace.getConfiguration('trackside').update('trackingUri', uri, vscode.ConfigurationTarget.Workspace);
    await this.restart();
  }

  async useLocal(): Promise<void> {
    await vscode.workspace.getConfiguration('trackside').update('trackingUri', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.workspace.getConfiguration('trackside').update('trackingUri', undefined, vscode.ConfigurationTarget.Global);
    await this.restart();
  }

  get localFolder(): string {
    return storeFolder(this.context);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.changed.fire(state);
  }

  private async connect(): Promise<TrackingClient> {
    const remote = settings.trackingUri();
    try {
      if (remote) return await this.connectRemote(remote);
      return await this.connectLocal();
    } catch (e) {
      const message = (e as Error).message;
      log().error(`Trackside could not start: ${message}`);
      this.setState({ kind: 'error', message, folder: remote ? undefined : this.localFolder });
      throw e;
    }
  }

  private async connectRemote(uri: string): Promise<TrackingClient> {
    this.setState({ kind: 'starting', folder: uri });
    const token = await this.context.secrets.get(SECRET_PREFIX + uri);
    const client = new TrackingClient({ trackingUri: uri, token });
    await client.capabilities();
    this.current = client;
    log().info(`Connected to the MLflow server at ${uri}`);
    this.setState({ kind: 'remote', url: uri });
    return client;
  }

  private async connectLocal(): Promise<TrackingClient> {
    const folder = this.localFolder;
    this.setState({ kind: 'starting', folder });
    for (let attempt = 0; attempt < ATTACH_RETRIES; attempt++) {
      const started = await EngineHost.start(
        { folder, owner: `VS Code window (pid ${process.pid})`, server: { port: settings.serverPort() } },
        {
          script: this.context.asAbsolutePath('dist/engine.js'),
          onEvent: (event) => {
            if (event.kind === 'log') log()[event.level](event.message);
          },
        },
      );
      if ('host' in started) {
        const { host } = started;
        const token = started.host.ready.tokenFile ? readTokenFile(started.host.ready.tokenFile) : undefined;
        const url = `http://127.0.0.1:${host.ready.port}`;
        this.engine = host;
        host.onExit(() => {
          if (this.engine !== host) return;
          this.engine = undefined;
          this.current = undefined;
          this.setState({ kind: 'error', message: 'The Trackside engine stopped unexpectedly.', folder });
        });
        this.current = new TrackingClient({ trackingUri: url, token });
        log().info(`Serving ${folder} at ${url}`);
        this.setState({ kind: 'local', folder, url });
        return this.current;
      }
      const holder = started.locked;
      const token = holder.tokenFile ? readTokenFile(holder.tokenFile) : undefined;
      if (holder.port && token) {
        const url = `http://127.0.0.1:${holder.port}`;
        const client = new TrackingClient({ trackingUri: url, token });
        try {
          await client.capabilities();
          this.current = client;
          log().info(`${folder} is served by ${holder.owner} (pid ${holder.pid}): using it at ${url}`);
          this.setState({ kind: 'attached', folder, url, owner: holder.owner, pid: holder.pid });
          this.watchOwner(client);
          return client;
        } catch (e) {
          log().warn(`The owner of ${folder} does not answer yet (${(e as Error).message}); retrying`);
        }
      }
      // The owner is still starting (no port yet) or just went away: wait a moment and retry.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`The store ${folder} is locked by another process that does not serve it.`);
  }

  /** While attached to another window's engine: when it goes away, take the store over. */
  private watchOwner(client: TrackingClient): void {
    clearInterval(this.healthTimer);
    this.healthTimer = setInterval(() => {
      if (this.current !== client) return clearInterval(this.healthTimer);
      client.health().catch(() => {
        clearInterval(this.healthTimer);
        log().info('The window that owned the store closed: this window takes it over.');
        this.current = undefined;
        void this.client().catch(() => undefined);
      });
    }, HEALTH_INTERVAL_MS);
    this.healthTimer.unref?.();
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    const engine = this.engine;
    this.engine = undefined;
    this.current?.dispose?.();
    this.current = undefined;
    if (engine) await engine.stop();
    this.setState({ kind: 'idle' });
  }

  override dispose(): void {
    void this.stop();
    super.dispose();
  }
}
