import * as vscode from 'vscode';
import { TrackingClientError } from '../../core/client/trackingClientError';
import { showError } from '../log';

/**
 * Registers a command whose failures become one short message with "Show Log" (never an
 * unhandled rejection in the extension host). The title is used in the message.
 */
export function registerCommand(id: string, title: string, handler: (...args: any[]) => unknown): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (e) {
      const message = e instanceof TrackingClientError ? e.message : (e as Error)?.message ?? String(e);
      await showError(`${title} failed`, message);
      return undefined;
    }
  });
}
