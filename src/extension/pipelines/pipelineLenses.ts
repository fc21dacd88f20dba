import { isPercentScript, parseCells } from '../../core/pipelines/cellParser';
import type { PipelineCellSelection } from '../../shared/protocol/pipelineProtocol';

/** Where the pipeline CodeLenses go in a percent-format script (no `vscode` here: unit-tested in Node). */
export interface PipelineLensTarget {
  /** 0-based line of the `# %%` marker. */
  line: number;
  title: string;
  selection: PipelineCellSelection;
}

export const RUN_PIPELINE_LENS = '▶ Run Pipeline with Trackside';
export const RUN_TO_HERE_LENS = '▶ Run to Here';
export const RUN_CELL_LENS = '▶ Run Cell';

/**
 * "Run Pipeline with Trackside" on the first marker, "Run to Here" and "Run Cell" on each code
 * cell's marker. Only the text is parsed: nothing starts. A file without markers gets none.
 */
export function pipelineLensTargets(text: string): PipelineLensTarget[] {
  if (!isPercentScript(text)) return [];
  const targets: PipelineLensTarget[] = [];
  const cells = parseCells(text);
  const first = cells.find((cell) => cell.markerLine !== undefined);
  if (first?.markerLine !== undefined) targets.push({ line: first.markerLine - 1, title: RUN_PIPELINE_LENS, selection: 'all' });
  for (const cell of cells) {
    if (cell.markerLine === undefined || cell.kind !== 'code') continue;
    targets.push({ line: cell.markerLine - 1, title: RUN_TO_HERE_LENS, selection: { upTo: cell.index } });
    targets.push({ line: cell.markerLine - 1, title: RUN_CELL_LENS, selection: { only: cell.index } });
  }
  return targets;
}
