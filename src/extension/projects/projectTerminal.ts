import * as vscode from 'vscode';
import type { ProjectOutputStream, ProjectRunResult } from '../../core/projects/projectRunner';

const CTRL_C = '\x03';
const STYLE = { dim: '\x1b[2m', yellow: '\x1b[33m', red: '\x1b[31m', green: '\x1b[32m', reset: '\x1b[0m' };

/** Terminal text: every line break as CR LF (a pseudoterminal does no translation). */
function terminalText(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/**
 * The terminal an entry point runs in: shows the command's output as it comes, Ctrl-C (or closing
 * the terminal) aborts `signal`, which stops the command; once the run has ended any key closes it.
 */
export class ProjectTerminal implements vscode.Pseudoterminal {
  private readonly writes = new vscode.EventEmitter<string>();
  private readonly closes = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writes.event;
  readonly onDidClose = this.closes.event;
  private readonly controller = new AbortController();
  /** Text written before VS Code opened the terminal (events fired before open() are dropped). */
  private pending: string[] | undefined = [];
  private ended = false;
  private closed = false;

  /** Aborted by Ctrl-C in the terminal or by closing it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  open(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const text of pending) this.writes.fire(text);
  }

  /** The terminal was closed (by the person, or after the run): stop the run if it is still going. */
  close(): void {
    this.controller.abort();
    this.closed = true;
    this.dispose();
  }

  handleInput(data: string): void {
    if (this.ended) {
      this.closes.fire();
      return;
    }
    if (data.includes(CTRL_C)) {
      this.print('^C\r\n');
      this.controller.abort();
    }
  }

  /** Output of the run: the command's stdout and stderr as they are, Trackside's own lines dimmed (warnings in yellow). */
  output(chunk: string, stream: ProjectOutputStream): void {
    if (stream !== 'trackside') {
      this.print(terminalText(chunk));
      return;
    }
    const lines = chunk.replace(/\n$/, '').split('\n');
    const styled = lines.map((line) => `${line.startsWith('Warning:') ? STYLE.yellow : STYLE.dim}${line}${STYLE.reset}`);
    this.print(`${styled.join('\r\n')}\r\n`);
  }

  /** Ends the terminal's run: one closing line, then any key closes the terminal. */
  finish(result: ProjectRunResult | undefined, error?: unknown): void {
    this.ended = true;
    if (result) {
      const color = result.status === 'FINISHED' ? STYLE.green : result.status === 'KILLED' ? STYLE.yellow : STYLE.red;
      const code = result.status === 'FAILED' && result.exitCode !== null ? ` (exit code ${result.exitCode})` : '';
      this.print(`\r\n${color}Run ${result.runId} ${result.status}${code}.${STYLE.reset}\r\n`);
    } else {
      this.print(`\r\n${STYLE.red}${terminalText((error as Error)?.message ?? String(error))}${STYLE.reset}\r\n`);
    }
    this.print(`${STYLE.dim}Press any key to close this terminal.${STYLE.reset}\r\n`);
  }

  dispose(): void {
    this.writes.dispose();
    this.closes.dispose();
  }

  private print(text: string): void {
    if (this.closed) return;
    if (this.pending) this.pending.push(text);
    else this.writes.fire(text);
  }
}
