/**
 * What every panel's protocol shares: the host's answer to a request (`requestId` echoed, with a
 * `result` or an `error` for a person to read), and helpers to type requests and their results.
 */

/** The host's reply to a webview request. */
export interface ResponseMessage {
  type: 'response';
  requestId: number;
  result?: unknown;
  /** Set when the request failed: one sentence saying what went wrong. */
  error?: string;
}

/** A message the webview sends when it needs an answer. */
export interface RequestShape {
  type: string;
  requestId: number;
}

/** `T` without its `requestId` (distributes over unions), as callers of `request()` write it. */
export type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

/** The requests among a protocol's webview messages. */
export type RequestsOf<From> = Extract<From, RequestShape>;

/** A view type's input, kept in the webview's state so a panel serializer can restore it. */
export interface PanelState<Input, View> {
  input: Input;
  view?: View;
}

/** Files a webview hands to the host to save (CSV as text, PNG as base64). */
export interface ExportFile {
  fileName: string;
  /** `text`: the content as is; `base64`: binary content (a PNG). */
  encoding: 'text' | 'base64';
  content: string;
}

/** Commands the webviews may ask the host to run: the same registered commands as the trees. */
export type RunAction = 'details' | 'charts' | 'compare';
