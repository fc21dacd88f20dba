import * as vscode from 'vscode';
import { log } from '../log';

/**
 * Shows the one-line outcome of an import or a push with "Show Details", which opens the full
 * report (every skipped item and why) as a Markdown document. Does not wait for the click.
 */
export function showSummary(kind: 'information' | 'warning', message: string, markdown: string): void {
  log().info(message);
  const show = kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void Promise.resolve(show(message, 'Show Details')).then(async (choice) => {
    if (choice === 'Show Details') await openMarkdown(markdown);
  });
}

/** Opens Markdown text in a new untitled editor (its preview is one click away). */
export async function openMarkdown(markdown: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}
