import type { TrackingClient } from '../../core/client/trackingClient';
import type { ChangeEvent } from '../../shared/changeEvents';
import type { ExportFile } from '../../shared/protocol/panelMessages';

/**
 * What a panel's logic needs from VS Code, as plain interfaces (no `vscode` import here), so the
 * logic of each panel runs in unit tests with fakes and in the extension with the real thing.
 */
export interface PanelServices {
  client(): Promise<TrackingClient>;
  /** Runs a registered command (the same ones the trees and the palette run). */
  executeCommand(id: string, ...args: unknown[]): Promise<unknown>;
  /** Asks where to save an export and writes it; undefined when the person cancelled. */
  saveExport(file: ExportFile): Promise<string | undefined>;
  /** Opens a file of this machine in an editor (text) or VS Code's default viewer. */
  openFile(localPath: string): Promise<void>;
  /** Asks for a folder; undefined when cancelled. */
  pickFolder(title: string): Promise<string | undefined>;
  showInformation(message: string): void;
  /** Workspace-scoped memory (column layouts kept per experiment). */
  readonly memory: { get<T>(key: string): T | undefined; update(key: string, value: unknown): Promise<void> };
  readonly log: { info(message: string): void; warn(message: string): void; error(message: string): void };
}

/** The webview side of one panel, as its logic sees it. */
export interface PanelConnection<To> {
  /** Posts a message (dropped while the panel is hidden: it asks again with `ready` when shown). */
  post(message: To): void;
  /** Answers a request: `work`'s result, or its error as one readable sentence. */
  respond(requestId: number, work: () => unknown): Promise<void>;
  setTitle(title: string): void;
  /** Whether the webview is alive (visible); hidden panels are reloaded when shown again. */
  readonly visible: boolean;
  /** The nonce the page's CSP accepts on `<style>` elements (stamped on previewed HTML's style blocks). */
  readonly styleNonce?: string;
}

/** One panel's logic: answers its webview's messages and reacts to changes on the server. */
export interface PanelLogic<From> {
  handle(message: From): Promise<void>;
  onChanges?(events: readonly ChangeEvent[]): void;
  dispose(): void;
}

/** How to make, key and restore one kind of panel. */
export interface PanelKind<Input, To, From> {
  viewType: string;
  /** The webview bundle (`dist/webview/<bundle>.js`) and stylesheet (`media/<bundle>.css`). */
  bundle: string;
  /** Panels with the same key are one panel (opening again reveals it). */
  key(input: Input): string;
  title(input: Input): string;
  /** The input saved in a webview's state, checked (undefined when it is not one). */
  parseInput(value: unknown): Input | undefined;
  create(input: Input, services: PanelServices, connection: PanelConnection<To>): PanelLogic<From>;
}

/** The message of an error, for a person. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Calls `work` at most once per `intervalMs`, the last call winning (live updates arrive in bursts
 * while a run logs; the table or chart is re-read once per burst, not once per event).
 */
export class ReloadScheduler {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastRun = 0;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly intervalMs = 1000,
  ) {}

  schedule(): void {
    if (this.timer) return;
    if (this.running) {
      this.again = true;
      return;
    }
    const wait = Math.max(0, this.lastRun + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRun = Date.now();
      this.running = this.work()
        .catch(() => undefined)
        .finally(() => {
          this.running = undefined;
          if (this.again) {
            this.again = false;
            this.schedule();
          }
        });
    }, wait);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.again = false;
  }
}
