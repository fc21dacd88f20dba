import type { FileInfo, MetricSummary, Run, RunStatus } from '../entities';
import type { PackedSeries } from '../charts/packedSeries';
import type { ResponseMessage, RunAction } from './panelMessages';

export const RUN_DETAILS_VIEW_TYPE = 'trackside.runDetails';

export interface RunDetailsInput {
  runId: string;
}

export interface RunLink {
  runId: string;
  name: string;
  status?: RunStatus;
}

export interface RunDetailsData {
  run: Run;
  experimentName: string;
  summaries: MetricSummary[];
  parent?: RunLink;
  children: RunLink[];
  /** True when the server keeps min/max/count (Trackside) rather than only the last value. */
  hasSummaries: boolean;
}

/** What an artifact preview shows. */
export type ArtifactPreview =
  | { kind: 'text'; language: 'text' | 'json' | 'yaml' | 'mlmodel' | 'python' | 'markdown'; text: string; truncated: boolean; size: number }
  | { kind: 'table'; header: string[]; rows: string[][]; shownRows: number; truncated: boolean; size: number }
  | { kind: 'image'; dataUri: string; size: number }
  /** Rendered in a sandboxed frame (no scripts, no network); `<style>` blocks carry the page's style nonce. */
  | { kind: 'html'; html: string; size: number }
  | { kind: 'binary'; size: number }
  | { kind: 'tooLarge'; size: number; limit: number };

/** View state kept across reloads. */
export interface RunDetailsView {
  tab: string;
  expanded: string[];
  previewPath?: string;
}

export type RunDetailsToWebview =
  | { type: 'init'; input: RunDetailsInput; details: RunDetailsData }
  | { type: 'details'; details: RunDetailsData }
  | { type: 'failed'; message: string }
  | ResponseMessage;

export type RunDetailsFromWebview =
  | { type: 'ready' }
  /** Small downsampled series for the metric sparklines (answers `PackedSeries[]`). */
  | { type: 'sparklines'; requestId: number; keys: string[] }
  /** One artifact folder (answers `FileInfo[]`). */
  | { type: 'listArtifacts'; requestId: number; path: string }
  /** Answers an `ArtifactPreview`. */
  | { type: 'previewArtifact'; requestId: number; path: string }
  | { type: 'openArtifact'; path: string }
  | { type: 'downloadArtifact'; path: string }
  | { type: 'openRun'; runId: string }
  | { type: 'runAction'; action: RunAction; runIds: string[] };

export interface RunDetailsResults {
  sparklines: PackedSeries[];
  listArtifacts: FileInfo[];
  previewArtifact: ArtifactPreview;
}
