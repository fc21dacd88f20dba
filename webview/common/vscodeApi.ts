import type { ResponseMessage, WithoutRequestId } from '../../src/shared/protocol/panelMessages';
import { RequestTracker } from '../../src/shared/protocol/requestTracker';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/**
 * A panel's typed line to the extension: `post` for messages, `request` for answers (paired by
 * `requestId`), `state`/`saveState` for view state kept across reloads (input + view, never data).
 */
export class PanelChannel<To extends { type: string }, From extends { type: string }, Results, State> {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private readonly tracker = new RequestTracker((message) => this.api.postMessage(message));
  private pendingState: State | undefined;
  private stateTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(onMessage: (message: Exclude<To, ResponseMessage>) => void) {
    window.addEventListener('message', (event: MessageEvent) => {
      const message = event.data as To | undefined;
      if (!message || typeof message.type !== 'string') return;
      if (message.type === 'response') {
        this.tracker.settle(message as unknown as ResponseMessage);
        return;
      }
      try {
        onMessage(message as Exclude<To, ResponseMessage>);
      } catch (e) {
        console.error(`Handling '${message.type}' failed`, e);
      }
    });
    window.addEventListener('pagehide', () => this.flushState());
  }

  /** Tells the host the page is ready for its `init`. */
  ready(): void {
    this.post({ type: 'ready' } as From);
  }

  post(message: From): void {
    this.api.postMessage(message);
  }

  request<K extends keyof Results & From['type']>(message: { type: K } & Omit<WithoutRequestId<Extract<From, { type: K }>>, 'type'>): Promise<Results[K]> {
    return this.tracker.request<Results[K]>(message);
  }

  get state(): State | undefined {
    return (this.pendingState ?? (this.api.getState() as State | undefined)) || undefined;
  }

  /**
   * Saves view state. At once by default: a hidden panel's page is destroyed without warning, so a
   * selection made just before switching tabs must already be saved. `soon` coalesces frequent
   * saves (scrolling) to one every 200 ms.
   */
  saveState(state: State, soon = false): void {
    this.pendingState = state;
    if (soon) this.stateTimer ??= setTimeout(() => this.flushState(), 200);
    else this.flushState();
  }

  private flushState(): void {
    clearTimeout(this.stateTimer);
    this.stateTimer = undefined;
    if (this.pendingState !== undefined) this.api.setState(this.pendingState);
    this.pendingState = undefined;
  }
}
