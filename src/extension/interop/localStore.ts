import * as vscode from 'vscode';
import type { TrackingClient } from '../../core/client/trackingClient';
import type { ConnectionManager } from '../connection/connectionManager';

/**
 * The client of the local Trackside store (this window's engine, or the window that owns the
 * store). While Trackside browses a remote server, asks to switch back first; undefined when the
 * person declines. `remoteUri` is the server that was being browsed, if any.
 */
export async function localStoreClient(connection: ConnectionManager, action: string): Promise<{ client: TrackingClient; remoteUri?: string } | undefined> {
  const client = await connection.client();
  const state = connection.currentState;
  if (state.kind !== 'remote') return { client };
  const choice = await vscode.window.showWarningMessage(
    `${action} works on the local Trackside store, but Trackside is browsing ${state.url}. Switch to the local store first?`,
    { modal: true },
    'Use Local Store',
  );
  if (choice !== 'Use Local Store') return undefined;
  await connection.useLocal();
  return { client: await connection.client(), remoteUri: state.url };
}
