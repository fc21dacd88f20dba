/**
 * Turns the phase-by-phase progress of an import or a push (`done` of `total` in the current phase)
 * into what VS Code's progress notification takes: a message and increments of one bar from 0 to
 * 100. No `vscode` here (the reporter is VS Code's `Progress` shape), so it is unit-tested.
 */

export interface PhaseStep {
  phase: string;
  done: number;
  total: number;
  message: string;
}

/** Where each phase sits on the bar, as [start, end] fractions; unknown phases leave it where it is. */
export type PhaseSpans = Readonly<Record<string, readonly [number, number]>>;

/** Reading is quick, mapping experiments quicker; runs (metric histories, artifacts) are the work. */
export const IMPORT_PHASES: PhaseSpans = {
  reading: [0, 0.03],
  experiments: [0.03, 0.06],
  runs: [0.06, 0.92],
  models: [0.92, 1],
  done: [1, 1],
};

export const PUSH_PHASES: PhaseSpans = {
  planning: [0, 0.04],
  experiments: [0.04, 0.08],
  runs: [0.08, 0.9],
  models: [0.9, 1],
  done: [1, 1],
};

/** How far along the whole job a step is (0 to 1), or undefined for a phase without a span. */
export function overallFraction(spans: PhaseSpans, step: PhaseStep): number | undefined {
  const span = spans[step.phase];
  if (!span) return undefined;
  const within = step.total > 0 ? Math.min(1, Math.max(0, step.done / step.total)) : 0;
  return span[0] + (span[1] - span[0]) * within;
}

/** VS Code's `Progress<{ message?, increment? }>`. */
export interface ProgressSink {
  report(value: { message?: string; increment?: number }): void;
}

/**
 * Reports steps to a progress notification: the bar only moves forward (increments are the gain
 * since the last report), and messages change at most every `intervalMs` unless the phase changed.
 */
export class PhaseProgress {
  private reported = 0;
  private lastPhase = '';
  private lastMessageAt = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly spans: PhaseSpans,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  report(step: PhaseStep): void {
    const fraction = overallFraction(this.spans, step);
    const gain = fraction === undefined ? 0 : Math.max(0, fraction * 100 - this.reported);
    const time = this.now();
    const phaseChanged = step.phase !== this.lastPhase;
    if (!phaseChanged && time - this.lastMessageAt < this.intervalMs && step.done < step.total) return;
    this.lastPhase = step.phase;
    this.lastMessageAt = time;
    this.reported += gain;
    this.sink.report({ message: step.message, ...(gain > 0 ? { increment: gain } : {}) });
  }

  /** The bar's position so far (0 to 100). */
  get percent(): number {
    return this.reported;
  }
}
