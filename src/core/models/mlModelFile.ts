import fs from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../yaml/miniYaml';

/** One column (or tensor) of a model signature. */
export interface SignatureSpec {
  /** Absent for unnamed columns and tensors. */
  name?: string;
  /** MLflow's type: double, long, string, …, or `tensor`. */
  type: string;
  required: boolean;
  /** Tensors only. */
  dtype?: string;
  shape?: number[];
}

export interface ModelSignatureInfo {
  inputs: SignatureSpec[];
  outputs: SignatureSpec[];
  /** `columns` for column specs (named or not), `tensor` for tensor specs. */
  kind: 'columns' | 'tensor';
}

/** What the UI and the drivers need from a model directory's MLmodel file. */
export interface MlModelInfo {
  folder: string;
  /** Flavor names in file order, e.g. ['python_function', 'sklearn']. */
  flavors: string[];
  /** `python_function`'s loader module (mlflow.sklearn, trackside.models.pickle_flavor, …). */
  loaderModule?: string;
  signature?: ModelSignatureInfo;
  runId?: string;
  artifactPath?: string;
  utcTimeCreated?: string;
  /** The flavor that is not python_function (what the model is), or python_function. */
  primaryFlavor: string;
  /** Where the input example is, relative to the folder (`input_example.json`). */
  inputExamplePath?: string;
  /** A ready `/invocations` body, relative to the folder (`serving_input_example.json`). */
  servingInputPath?: string;
  inputExampleType?: string;
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function specsOf(part: unknown): SignatureSpec[] {
  if (part === null || part === undefined || part === '') return [];
  const list = typeof part === 'string' ? (JSON.parse(part) as unknown) : part;
  if (!Array.isArray(list)) return [];
  return list.filter(isMapping).map((spec) => {
    const tensor = isMapping(spec['tensor-spec']) ? spec['tensor-spec'] : undefined;
    const out: SignatureSpec = { type: String(spec.type ?? 'unknown'), required: spec.required !== false && spec.optional !== true };
    if (typeof spec.name === 'string') out.name = spec.name;
    if (tensor) {
      if (typeof tensor.dtype === 'string') out.dtype = tensor.dtype;
      if (Array.isArray(tensor.shape)) out.shape = tensor.shape.map(Number);
    }
    return out;
  });
}

/** Parses the text of an MLmodel file (as MLflow or Trackside writes it). */
export function parseMlModel(text: string, folder: string): MlModelInfo {
  const doc = parseYaml(text);
  if (!isMapping(doc)) throw new Error(`The MLmodel file in ${folder} is not a YAML mapping.`);
  const flavors = isMapping(doc.flavors) ? doc.flavors : {};
  const names = Object.keys(flavors);
  const pyfunc = isMapping(flavors.python_function) ? flavors.python_function : undefined;
  const info: MlModelInfo = { folder, flavors: names, primaryFlavor: names.find((n) => n !== 'python_function') ?? names[0] ?? 'unknown' };
  if (typeof pyfunc?.loader_module === 'string') info.loaderModule = pyfunc.loader_module;
  if (isMapping(doc.signature)) {
    try {
      const inputs = specsOf(doc.signature.inputs);
      info.signature = { inputs, outputs: specsOf(doc.signature.outputs), kind: inputs.length > 0 && inputs.every((s) => s.type === 'tensor') ? 'tensor' : 'columns' };
    } catch (e) {
      throw new Error(`The signature in ${path.join(folder, 'MLmodel')} is not valid JSON: ${(e as Error).message}`);
    }
  }
  if (typeof doc.run_id === 'string') info.runId = doc.run_id;
  if (typeof doc.artifact_path === 'string') info.artifactPath = doc.artifact_path;
  if (typeof doc.utc_time_created === 'string') info.utcTimeCreated = doc.utc_time_created;
  const example = isMapping(doc.saved_input_example_info) ? doc.saved_input_example_info : undefined;
  if (typeof example?.artifact_path === 'string') info.inputExamplePath = example.artifact_path;
  if (typeof example?.serving_input_path === 'string') info.servingInputPath = example.serving_input_path;
  if (typeof example?.type === 'string') info.inputExampleType = example.type;
  return info;
}

/** Reads `<folder>/MLmodel`. */
export async function readMlModel(folder: string): Promise<MlModelInfo> {
  const file = path.join(folder, 'MLmodel');
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch {
    throw new Error(`No MLmodel file in ${folder}: this is not an MLflow Model folder (log models with log_model).`);
  }
  return parseMlModel(text, folder);
}

/**
 * A body for `POST /invocations` built from the model's input example: the saved serving input
 * when there is one, else the example in the form MLflow saved it (split orient → dataframe_split,
 * records → dataframe_records, tensors → inputs). Undefined when the model has no example.
 */
export async function servingInputExample(info: MlModelInfo): Promise<Record<string, unknown> | undefined> {
  const read = async (relative: string | undefined): Promise<unknown> => {
    if (!relative) return undefined;
    try {
      return JSON.parse(await fs.promises.readFile(path.join(info.folder, relative), 'utf8')) as unknown;
    } catch {
      return undefined;
    }
  };
  const serving = await read(info.servingInputPath);
  if (isMapping(serving)) return serving;
  const example = await read(info.inputExamplePath);
  if (example === undefined) return undefined;
  if (info.inputExampleType === 'ndarray') return isMapping(example) && ('inputs' in example || 'instances' in example) ? example : { inputs: example };
  if (isMapping(example) && Array.isArray(example.data)) return { dataframe_split: example };
  if (Array.isArray(example)) return { dataframe_records: example };
  return { inputs: example };
}

/** Signature columns as `name: type` text, for tooltips and messages. */
export function describeSignature(signature: ModelSignatureInfo | undefined): string {
  if (!signature || signature.inputs.length === 0) return 'no signature';
  if (signature.kind === 'tensor') return signature.inputs.map((s) => `tensor ${s.dtype ?? ''} ${JSON.stringify(s.shape ?? [])}`).join(', ');
  return signature.inputs.map((s, i) => `${s.name ?? `#${i}`}: ${s.type}${s.required ? '' : '?'}`).join(', ');
}
