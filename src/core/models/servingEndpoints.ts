import type { LocalModel } from './modelCache';
import type { PythonRuntime } from './modelPython';
import { ModelServer } from './modelServer';

/** A model being served on this machine. */
export interface ServingEndpoint {
  /** Stable while it runs: `<name>/<version>`, or the model URI. */
  id: string;
  /** `churn v2`, or the URI for run models. */
  label: string;
  model: LocalModel;
  server: ModelServer;
  url: string;
  startedAt: number;
}

function endpointId(model: LocalModel): string {
  return model.name !== undefined ? `${model.name}/${model.version}` : model.uri;
}

/** The scoring servers this window (or process) started, and a change event for views. */
export class ServingEndpoints {
  private readonly endpoints = new Map<string, ServingEndpoint>();
  private readonly listeners = new Set<() => void>();

  list(): ServingEndpoint[] {
    return [...this.endpoints.values()].sort((a, b) => a.label.localeCompare(b.label));
  }

  get(id: string): ServingEndpoint | undefined {
    return this.endpoints.get(id);
  }

  /** The endpoint serving `model`, if any. */
  forModel(model: Pick<LocalModel, 'name' | 'version' | 'uri'>): ServingEndpoint | undefined {
    return this.endpoints.get(model.name !== undefined ? `${model.name}/${model.version}` : model.uri);
  }

  /** Starts a server for the model (or returns the one already serving it). */
  async serve(runtime: PythonRuntime, model: LocalModel, options: { port?: number; onLog?: (line: string) => void } = {}): Promise<ServingEndpoint> {
    const id = endpointId(model);
    const running = this.endpoints.get(id);
    if (running) return running;
    const server = await ModelServer.start(runtime, { modelFolder: model.folder, port: options.port, onLog: options.onLog });
    const endpoint: ServingEndpoint = {
      id,
      label: model.name !== undefined ? `${model.name} v${model.version}` : model.uri,
      model,
      server,
      url: server.url,
      startedAt: Date.now(),
    };
    this.endpoints.set(id, endpoint);
    server.onExit(() => {
      if (this.endpoints.get(id) === endpoint) {
        this.endpoints.delete(id);
        this.fire();
      }
    });
    this.fire();
    return endpoint;
  }

  async stop(id: string): Promise<void> {
    const endpoint = this.endpoints.get(id);
    if (!endpoint) return;
    this.endpoints.delete(id);
    this.fire();
    await endpoint.server.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.endpoints.keys()].map((id) => this.stop(id)));
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(): void {
    for (const listener of this.listeners) listener();
  }
}
