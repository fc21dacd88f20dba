import type { ModelVersion, RegisteredModel, RegistryEvent } from '../entities';
import type { ResponseMessage } from './panelMessages';

export const MODEL_VERSION_VIEW_TYPE = 'trackside.modelVersion';

export interface ModelVersionInput {
  name: string;
  version: string;
}

/** One column of an MLmodel signature (`{"name": "x", "type": "double"}` and friends). */
export interface SignatureColumn {
  name: string;
  type: string;
  optional?: boolean;
}

/** What the version's MLmodel file says. */
export interface MlModelSummary {
  /** Where it was read from (artifact path or file). */
  location: string;
  flavors: { name: string; details: Record<string, string> }[];
  signature?: { inputs: SignatureColumn[]; outputs: SignatureColumn[]; params: SignatureColumn[] };
  mlflowVersion?: string;
  utcTimeCreated?: string;
}

export interface ModelVersionData {
  version: ModelVersion;
  model: RegisteredModel;
  /** The model's alias/stage history (all versions), oldest first; absent against plain MLflow. */
  history?: RegistryEvent[];
  historyError?: string;
  mlmodel?: MlModelSummary;
  mlmodelError?: string;
  sourceRun?: { runId: string; name: string };
}

export type ModelVersionAction = 'setAlias' | 'removeAlias' | 'transitionStage' | 'openSourceRun' | 'copyUri';

export type ModelVersionToWebview =
  | { type: 'init'; input: ModelVersionInput; data: ModelVersionData }
  | { type: 'data'; data: ModelVersionData }
  | { type: 'failed'; message: string }
  | ResponseMessage;

export type ModelVersionFromWebview =
  | { type: 'ready' }
  | { type: 'action'; action: ModelVersionAction; alias?: string }
  /** Saves the description (answers `{}` once saved). */
  | { type: 'saveDescription'; requestId: number; text: string }
  | { type: 'openRun'; runId: string };

export interface ModelVersionResults {
  saveDescription: Record<string, never>;
}
