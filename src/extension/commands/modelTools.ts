import path from 'node:path';
import * as vscode from 'vscode';
import { ModelCache, type LocalModel } from '../../core/models/modelCache';
import type { PythonRuntime } from '../../core/models/modelPython';
import { ServingEndpoints } from '../../core/models/servingEndpoints';
import type { ConnectionManager } from '../connection/connectionManager';
import { chooseInterpreter } from '../python/pythonInterpreter';
import { Disposable } from '../util/disposable';

/**
 * What the model commands share: the Python runtime (trackside.python.path, else the Python
 * extension's interpreter, else python3, with the bundled `trackside` package), the model cache
 * (`<store>/.model-cache`, or per server under global storage when connected to a remote server),
 * the running scoring servers, and one output channel per served model.
 */
export class ModelTools extends Disposable {
  readonly endpoints = new ServingEndpoints();
  private readonly channels = new Map<string, vscode.OutputChannel>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly connection: ConnectionManager,
  ) {
    super();
  }

  async runtime(): Promise<PythonRuntime> {
    const env = await this.connection.trackingEnvironment();
    const choice = await chooseInterpreter();
    return { interpreter: choice.path, pythonPath: this.context.asAbsolutePath(path.join('dist', 'python')), env };
  }

  /** The cache for the current connection (call after `connection.client()`). */
  cache(): ModelCache {
    const state = this.connection.currentState;
    if (state.kind === 'local' || state.kind === 'attached') return new ModelCache(path.join(state.folder, '.model-cache'));
    const server = state.kind === 'remote' ? state.url.replace(/^https?:\/\//i, '').replace(/[^A-Za-z0-9.-]+/g, '_') : 'unknown';
    return new ModelCache(path.join(this.context.globalStorageUri.fsPath, 'model-cache', server));
  }

  /** Resolves and downloads (once per version) a model. */
  async fetch(uri: string): Promise<LocalModel> {
    const client = await this.connection.client();
    return this.cache().fetch(client, uri);
  }

  /** The output channel of one served model (kept after it stops, so its log can still be read). */
  channel(id: string, label: string): vscode.OutputChannel {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = this._register(vscode.window.createOutputChannel(`Trackside Serving: ${label}`));
      this.channels.set(id, channel);
    }
    return channel;
  }

  override dispose(): void {
    // Scoring servers are child processes: stop them with the window (SIGTERM is sent at once).
    void this.endpoints.stopAll();
    super.dispose();
  }
}
