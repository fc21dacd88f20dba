import * as vscode from 'vscode';
import type { ChangeEvent } from '../../shared/changeEvents';
import { log } from '../log';
import { Disposable, toDisposable } from '../util/disposable';
import { errorMessage, type PanelConnection, type PanelKind, type PanelLogic, type PanelServices } from './panelTypes';
import { createNonce, webviewHtml, webviewOptions } from './webviewHtml';

/** Where panels hear about changes on the server (LiveUpdates in the extension). */
export interface ChangeSource {
  subscribe(listener: (events: ChangeEvent[]) => void): { dispose(): void };
}

/**
 * One open webview panel: sets its HTML, passes its messages to the panel's logic, posts the
 * logic's messages back, answers requests with `{ type: 'response', requestId, result | error }`,
 * and forwards server changes while the panel is visible.
 */
export class PanelHost<Input, To, From> extends Disposable implements PanelConnection<To> {
  readonly styleNonce: string;
  private readonly logic: PanelLogic<From>;

  constructor(
    readonly kind: PanelKind<Input, To, From>,
    readonly input: Input,
    readonly panel: vscode.WebviewPanel,
    context: { extensionUri: vscode.Uri; services: PanelServices; changes: ChangeSource; onClosed(): void },
  ) {
    super();
    this.styleNonce = createNonce();
    panel.webview.options = webviewOptions(context.extensionUri);
    panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'trackside.svg');
    panel.webview.html = webviewHtml({
      webview: panel.webview,
      extensionUri: context.extensionUri,
      bundle: kind.bundle,
      title: panel.title,
      styleNonce: this.styleNonce,
    });
    this.logic = kind.create(input, context.services, this);
    this._register(toDisposable(() => context.onClosed()));
    this._register(toDisposable(() => this.logic.dispose()));
    this._register(panel.webview.onDidReceiveMessage((message: unknown) => void this.receive(message)));
    this._register(
      context.changes.subscribe((events) => {
        if (this.visible) this.logic.onChanges?.(events);
      }),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
  }

  get visible(): boolean {
    return !this.isDisposed && this.panel.visible;
  }

  post(message: To): void {
    if (this.isDisposed) return;
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  async respond(requestId: number, work: () => unknown): Promise<void> {
    try {
      const result = await work();
      this.post({ type: 'response', requestId, result } as To);
    } catch (e) {
      log().warn(`${this.kind.viewType}: request ${requestId} failed: ${errorMessage(e)}`);
      this.post({ type: 'response', requestId, error: errorMessage(e) } as To);
    }
  }

  setTitle(title: string): void {
    if (!this.isDisposed) this.panel.title = title;
  }

  private async receive(message: unknown): Promise<void> {
    if (!message || typeof (message as { type?: unknown }).type !== 'string') return;
    try {
      await this.logic.handle(message as From);
    } catch (e) {
      log().error(`${this.kind.viewType}: '${(message as { type: string }).type}' failed: ${errorMessage(e)}`);
    }
  }
}

/** The open panels by kind and key: opening the same thing again reveals its panel. */
export class PanelManager extends Disposable {
  private readonly open = new Map<string, PanelHost<unknown, unknown, unknown>>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly services: PanelServices,
    private readonly changes: ChangeSource,
  ) {
    super();
    this._register(toDisposable(() => [...this.open.values()].forEach((host) => host.panel.dispose())));
  }

  show<Input, To, From>(kind: PanelKind<Input, To, From>, input: Input, column: vscode.ViewColumn = vscode.ViewColumn.Active): PanelHost<Input, To, From> {
    const existing = this.open.get(this.keyOf(kind, input)) as PanelHost<Input, To, From> | undefined;
    if (existing) {
      existing.panel.reveal(existing.panel.viewColumn);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(kind.viewType, kind.title(input), column, webviewOptions(this.extensionUri));
    return this.adopt(kind, input, panel);
  }

  /** Restores a panel VS Code kept across a window reload, from the input its webview saved. */
  revive<Input, To, From>(kind: PanelKind<Input, To, From>, panel: vscode.WebviewPanel, state: unknown): void {
    const input = kind.parseInput((state as { input?: unknown } | undefined)?.input);
    if (input === undefined) {
      log().warn(`Could not restore a ${kind.viewType} panel: its saved state names nothing to show.`);
      panel.dispose();
      return;
    }
    const key = this.keyOf(kind, input);
    if (this.open.has(key)) {
      panel.dispose();
      return;
    }
    this.adopt(kind, input, panel);
  }

  /** The open panels of a kind (for tests and commands). */
  panelsOf(viewType: string): PanelHost<unknown, unknown, unknown>[] {
    return [...this.open.values()].filter((host) => host.kind.viewType === viewType);
  }

  private adopt<Input, To, From>(kind: PanelKind<Input, To, From>, input: Input, panel: vscode.WebviewPanel): PanelHost<Input, To, From> {
    const key = this.keyOf(kind, input);
    const host: PanelHost<Input, To, From> = new PanelHost(kind, input, panel, {
      extensionUri: this.extensionUri,
      services: this.services,
      changes: this.changes,
      onClosed: () => {
        if (this.open.get(key) === (host as unknown)) this.open.delete(key);
      },
    });
    this.open.set(key, host as PanelHost<unknown, unknown, unknown>);
    return host;
  }

  private keyOf<Input>(kind: PanelKind<Input, unknown, unknown>, input: Input): string {
    return `${kind.viewType}:${kind.key(input)}`;
  }
}
