/** Progress of a long command on stderr: one line rewritten in place on a terminal, a line a second otherwise. */
export interface ProgressLine {
  phase: string;
  done: number;
  total: number;
  message: string;
}

/**
 * A progress reporter writing to `stream` (stderr by default). On a terminal it rewrites one line;
 * piped, it writes a line when the phase changes and at most one a second in between, so a log
 * stays short. `finish()` ends the line.
 */
export function progressPrinter(stream: NodeJS.WriteStream = process.stderr): { report(progress: ProgressLine): void; finish(): void } {
  const tty = stream.isTTY === true;
  let lastPhase = '';
  let lastWrite = 0;
  let open = false;
  return {
    report(progress: ProgressLine): void {
      const now = Date.now();
      const phaseChanged = progress.phase !== lastPhase;
      if (!phaseChanged && now - lastWrite < (tty ? 100 : 1000) && progress.done < progress.total) return;
      lastPhase = progress.phase;
      lastWrite = now;
      const counter = progress.total > 1 ? ` [${progress.done}/${progress.total}]` : '';
      const text = `${progress.phase}${counter} ${progress.message}`;
      if (tty) {
        const width = Math.max(20, (stream.columns ?? 100) - 1);
        stream.write(`\r\x1b[K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
        open = true;
      } else stream.write(`${text}\n`);
    },
    finish(): void {
      if (open) stream.write('\r\x1b[K');
      open = false;
    },
  };
}

/** Runs `work` with an AbortSignal that Ctrl-C (SIGINT) fires; a second Ctrl-C is left to Node. */
export async function withInterrupt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onInterrupt = (): void => controller.abort();
  process.once('SIGINT', onInterrupt);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
