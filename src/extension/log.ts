import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "Trackside" log channel (created once, on first use: not on the activation path). */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Trackside', { log: true });
  return channel;
}

/**
 * Tells the person what went wrong in one short sentence, with "Show Log", and writes the details
 * to the log. Never used from tree getChildren (trees show their state instead).
 */
export async function showError(message: string, error?: unknown): Promise<void> {
  const detail = error instanceof Error ? error.message : error === undefined ? '' : String(error);
  log().error(detail ? `${message}: ${detail}` : message);
  if (error instanceof Error && error.stack) log().debug(error.stack);
  const text = detail && !message.includes(detail) ? `${message}: ${detail}` : message;
  const choice = await vscode.window.showErrorMessage(text, 'Show Log');
  if (choice === 'Show Log') log().show(true);
}
