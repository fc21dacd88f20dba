import path from 'node:path';
import { coerceParameterInput, parameterType, type PipelineParameter } from '../../core/pipelines/parametersCell';
import { parsePipeline, type ParsedPipeline } from '../../core/pipelines/parsePipeline';
import type { ParameterField, ParameterFieldKind, PipelineDocument } from '../../shared/protocol/pipelineProtocol';

/** The script as the pipeline panel shows it: cells and the parameters form (no `vscode` here). */

/** The default as a person edits it: a str without quotes, a bool as True/False, else the Python source. */
export function parameterDefaultText(parameter: PipelineParameter): string {
  if (typeof parameter.default === 'string') return parameter.default;
  if (typeof parameter.default === 'boolean') return parameter.default ? 'True' : 'False';
  return parameter.defaultSource;
}

function fieldKind(type: string, nullable: boolean): ParameterFieldKind {
  if (type === 'bool') return nullable ? 'literal' : 'checkbox';
  if (type === 'int' || type === 'float') return 'number';
  if (type === 'str') return 'text';
  return 'literal';
}

/** One form field per parameter of the parameters cell; `line` is the file line of its assignment. */
export function parameterFields(parsed: ParsedPipeline): ParameterField[] {
  const cell = parsed.parametersCell === undefined ? undefined : parsed.cells[parsed.parametersCell];
  return parsed.parameters.map((parameter) => {
    const { type, nullable } = parameterType(parameter);
    return {
      name: parameter.name,
      type,
      nullable,
      ...(parameter.typeName ? { typeName: parameter.typeName } : {}),
      field: fieldKind(type, nullable),
      defaultText: parameterDefaultText(parameter),
      ...(parameter.help ? { help: parameter.help } : {}),
      line: (cell?.sourceStartLine ?? 1) + parameter.line - 1,
    };
  });
}

/** The panel's view of a script's text. */
export function pipelineDocument(scriptPath: string, text: string, dirty: boolean): { parsed: ParsedPipeline; document: PipelineDocument } {
  const parsed = parsePipeline(text);
  return {
    parsed,
    document: {
      scriptPath,
      fileName: path.basename(scriptPath),
      dirty,
      cells: parsed.cells.map((cell) => ({
        index: cell.index,
        kind: cell.kind,
        title: cell.title,
        source: cell.source,
        sourceStartLine: cell.sourceStartLine,
        ...(cell.markerLine !== undefined ? { markerLine: cell.markerLine } : {}),
        isParameters: cell.isParameters,
      })),
      parameters: parameterFields(parsed),
      ...(parsed.parametersCell !== undefined ? { parametersCell: parsed.parametersCell } : {}),
    },
  };
}

/** A document for a script that could not be read. */
export function unreadableDocument(scriptPath: string, error: string): PipelineDocument {
  return { scriptPath, fileName: path.basename(scriptPath), dirty: false, cells: [], parameters: [], error };
}

/**
 * The form's text checked against the parameters cell: the values that differ from their default
 * become overrides (typed as the cell declares them); unchanged fields inject nothing, so the cell's
 * own defaults apply. Names the cell does not declare are ignored.
 */
export function formOverrides(parsed: ParsedPipeline, values: Record<string, string>): { overrides: Record<string, unknown>; errors: Record<string, string> } {
  const overrides: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const parameter of parsed.parameters) {
    const text = values[parameter.name];
    if (text === undefined || text === parameterDefaultText(parameter)) continue;
    const coerced = coerceParameterInput(parameter, text);
    if ('error' in coerced) errors[parameter.name] = coerced.error;
    else overrides[parameter.name] = coerced.value;
  }
  return { overrides, errors };
}

/** Checks one field's text (the form validates as the person types). */
export function checkParameter(parsed: ParsedPipeline, name: string, text: string): { error?: string } {
  const parameter = parsed.parameters.find((candidate) => candidate.name === name);
  if (!parameter) return { error: `The parameters cell has no parameter '${name}' any more.` };
  const coerced = coerceParameterInput(parameter, text);
  return 'error' in coerced ? { error: coerced.error } : {};
}
