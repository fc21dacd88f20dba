import type { TrackingClient } from '../../../src/core/client/trackingClient';
import type { PanelConnection, PanelServices } from '../../../src/extension/panels/panelTypes';
import type { ExportFile } from '../../../src/shared/protocol/panelMessages';

/** The webview side of a panel in a test: records what the host posts and answers like PanelHost does. */
export class RecordingConnection<To> implements PanelConnection<To> {
  readonly posted: To[] = [];
  title = '';
  visible = true;
  styleNonce = 'test-style-nonce';

  post(message: To): void {
    this.posted.push(message);
  }

  async respond(requestId: number, work: () => unknown): Promise<void> {
    try {
      this.post({ type: 'response', requestId, result: await work() } as To);
    } catch (e) {
      this.post({ type: 'response', requestId, error: (e as Error).message } as To);
    }
  }

  setTitle(title: string): void {
    this.title = title;
  }

  /** Messages of one type, in order. */
  ofType<T extends string>(type: T): Extract<To, { type: T }>[] {
    return this.posted.filter((m) => (m as { type: string }).type === type) as Extract<To, { type: T }>[];
  }

  /** The response to a request id. */
  response(requestId: number): { result?: unknown; error?: string } {
    const found = this.posted.find((m) => (m as { type: string; requestId?: number }).type === 'response' && (m as { requestId?: number }).requestId === requestId);
    if (!found) throw new Error(`no response to request ${requestId}`);
    return found as { result?: unknown; error?: string };
  }

  /** Waits until a message of `type` beyond the first `after` ones arrives. */
  async next<T extends string>(type: T, after: number, timeoutMs = 5000): Promise<Extract<To, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.ofType(type);
      if (found.length > after) return found[after];
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no '${type}' message #${after + 1} within ${timeoutMs} ms`);
  }
}

/** Services backed by a real client; commands, exports and memory are recorded. */
export class RecordingServices implements PanelServices {
  readonly commands: { id: string; args: unknown[] }[] = [];
  readonly exports: ExportFile[] = [];
  readonly stored = new Map<string, unknown>();
  readonly messages: string[] = [];
  readonly memory = {
    get: <T>(key: string): T | undefined => this.stored.get(key) as T | undefined,
    update: async (key: string, value: unknown): Promise<void> => {
      this.stored.set(key, value);
    },
  };
  readonly log = { info: (): void => undefined, warn: (m: string): void => void this.messages.push(m), error: (m: string): void => void this.messages.push(m) };

  constructor(private readonly trackingClient: TrackingClient) {}

  client(): Promise<TrackingClient> {
    return Promise.resolve(this.trackingClient);
  }

  async executeCommand(id: string, ...args: unknown[]): Promise<unknown> {
    this.commands.push({ id, args });
    return undefined;
  }

  async saveExport(file: ExportFile): Promise<string | undefined> {
    this.exports.push(file);
    return `/saved/${file.fileName}`;
  }

  async openFile(): Promise<void> {}

  async pickFolder(): Promise<string | undefined> {
    return undefined;
  }

  showInformation(message: string): void {
    this.messages.push(message);
  }
}
