import type { ChangeEvent } from '../../shared/changeEvents';
import type { HttpTransport } from './httpTransport';
import { TrackingClientError } from './trackingClientError';

/** One server-sent event. */
export interface SseFrame {
  event: string;
  data: string;
  id?: string;
}

/**
 * An incremental `text/event-stream` parser (the WHATWG rules that matter here): lines end in
 * LF, CR or CRLF; `data:` lines join with `\n`; `:` lines are comments; a blank line dispatches;
 * `retry:` sets the reconnection delay.
 */
export class SseParser {
  /** The last `retry:` the server sent, in ms. */
  retryMs: number | undefined;
  lastEventId: string | undefined;
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  push(text: string): SseFrame[] {
    const frames: SseFrame[] = [];
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the end may be the first half of CRLF: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const frame = this.line(line);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  private line(line: string): SseFrame | undefined {
    if (line === '') {
      if (this.id !== undefined) this.lastEventId = this.id;
      const frame = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : undefined;
      this.event = '';
      this.data = [];
      this.id = undefined;
      return frame;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }
}

const EVENT_TYPES = new Set<string>(['experiments', 'runs', 'metrics', 'models']);

/** A frame's data as a `ChangeEvent`, or undefined for anything this client does not know. */
export function changeEventOf(frame: SseFrame): ChangeEvent | undefined {
  try {
    const value = JSON.parse(frame.data) as ChangeEvent;
    return value && typeof value === 'object' && EVENT_TYPES.has(value.type) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** `connected` after each (re)connection — a listener should re-read what it shows, events may have been missed. */
export type EventStreamStatus = 'connected' | 'reconnecting';

export interface EventStreamOptions {
  onStatus?: (status: EventStreamStatus, error?: TrackingClientError) => void;
  /** First reconnection delay (default: the server's `retry:`, else 1 s); doubles per failure up to `maxBackoffMs`. */
  initialBackoffMs?: number;
  /** Longest wait between reconnections (default 30 s). */
  maxBackoffMs?: number;
  /** A connection that sends nothing (not even a keep-alive comment) for this long is dropped and reopened (default 45 s). */
  idleTimeoutMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Reads a server-sent-events endpoint until `signal` aborts, reconnecting with backoff after a
 * dropped connection or a 429/5xx. Resolves when aborted; rejects on an answer that retrying cannot
 * fix (401, 403, 404, other 4xx).
 */
export async function readEventStream(
  http: HttpTransport,
  path: string,
  onEvent: (event: ChangeEvent) => void,
  signal: AbortSignal,
  options: EventStreamOptions = {},
): Promise<void> {
  const parser = new SseParser();
  const maxBackoff = options.maxBackoffMs ?? 30_000;
  let failures = 0;
  while (!signal.aborted) {
    let error: TrackingClientError | undefined;
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache' };
      if (parser.lastEventId) headers['Last-Event-ID'] = parser.lastEventId;
      const answer = await http.request('GET', path, { headers, signal, idempotent: false, timeoutMs: options.idleTimeoutMs ?? 45_000 }, true);
      failures = 0;
      options.onStatus?.('connected');
      const stream = answer.stream!;
      stream.setEncoding('utf8');
      const onAbort = (): void => {
        stream.destroy();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        for await (const chunk of stream) {
          for (const frame of parser.push(chunk as string)) {
            const event = changeEventOf(frame);
            if (!event) continue;
            try {
              onEvent(event);
            } catch {
              /* a listener's failure must not stop the stream */
            }
          }
        }
      } catch (e) {
        if (!signal.aborted) error = new TrackingClientError(0, 'CONNECTION_ERROR', `The event stream from ${http.baseUri} broke: ${(e as Error).message}`);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    } catch (e) {
      if (signal.aborted) return;
      if (!(e instanceof TrackingClientError)) throw e;
      if (e.status >= 400 && e.status < 500 && e.status !== 429) throw e;
      error = e;
      failures++;
    }
    if (signal.aborted) return;
    options.onStatus?.('reconnecting', error);
    const base = options.initialBackoffMs ?? parser.retryMs ?? 1000;
    const wait = Math.min(maxBackoff, base * 2 ** Math.max(0, failures - 1)) * (0.8 + Math.random() * 0.4);
    await sleep(wait, signal);
  }
}
