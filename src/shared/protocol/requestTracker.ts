import type { ResponseMessage } from './panelMessages';

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The error a request rejects with when the host answered `{ error }` or never answered. */
export class PanelRequestError extends Error {
  constructor(
    message: string,
    readonly requestId: number,
  ) {
    super(message);
    this.name = 'PanelRequestError';
  }
}

/**
 * Pairs a webview's requests with the host's `response` messages by `requestId`. DOM-free: the
 * webview gives it a `send` function and feeds it every `response` it receives.
 */
export class RequestTracker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly send: (message: { requestId: number }) => void,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Sends `message` with a fresh `requestId`; resolves with the host's `result`. */
  request<R>(message: object): Promise<R> {
    const requestId = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      const timer =
        this.timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(requestId);
              reject(new PanelRequestError(`The extension did not answer within ${Math.round(this.timeoutMs / 1000)} s.`, requestId));
            }, this.timeoutMs)
          : undefined;
      this.pending.set(requestId, { resolve: resolve as (r: unknown) => void, reject, timer });
      this.send({ ...message, requestId });
    });
  }

  /** Settles the request a response answers; false when no request is waiting for it. */
  settle(response: ResponseMessage): boolean {
    const waiting = this.pending.get(response.requestId);
    if (!waiting) return false;
    this.pending.delete(response.requestId);
    if (waiting.timer !== undefined) clearTimeout(waiting.timer);
    if (response.error !== undefined) waiting.reject(new PanelRequestError(response.error, response.requestId));
    else waiting.resolve(response.result);
    return true;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  /** Rejects everything still waiting (the panel is going away). */
  cancelAll(reason = 'The panel was closed.'): void {
    for (const [id, waiting] of this.pending) {
      if (waiting.timer !== undefined) clearTimeout(waiting.timer);
      waiting.reject(new PanelRequestError(reason, id));
    }
    this.pending.clear();
  }
}
