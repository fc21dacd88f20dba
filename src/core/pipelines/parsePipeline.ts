import { parseCells, type PipelineCell } from './cellParser';
import { parameterType, parseParametersCell, renderParameterOverrides, type PipelineParameter } from './parametersCell';
import { renderPythonLiteral } from './pythonLiteral';

/** What the pipeline view shows before anything runs. */
export interface ParsedPipeline {
  cells: PipelineCell[];
  /** Index of the parameters cell (the first code cell tagged `parameters`); undefined when none. */
  parametersCell?: number;
  /** The parameters cell's parameters, in order ([] when there is no parameters cell). */
  parameters: PipelineParameter[];
  /** Indices of the cells a run executes (code cells), in order. */
  codeCells: number[];
}

export function parsePipeline(text: string): ParsedPipeline {
  const cells = parseCells(text);
  const parametersCell = cells.find((cell) => cell.kind === 'code' && cell.isParameters);
  return {
    cells,
    ...(parametersCell ? { parametersCell: parametersCell.index } : {}),
    parameters: parametersCell ? parseParametersCell(parametersCell.source) : [],
    codeCells: cells.filter((cell) => cell.kind === 'code').map((cell) => cell.index),
  };
}

/**
 * Which cells run: every code cell, exactly one cell (`only`, in a fresh kernel), or every code cell
 * up to and including a cell (`upTo`). Indices are those of `parseCells`.
 */
export type CellSelection = 'all' | { only: number } | { upTo: number };

/** One execution: a cell of the script, or the injected parameters (cell -1). */
export interface PipelineStep {
  cell: number;
  injected: boolean;
  title: string;
  code: string;
  /** 1-based line of the script where `code` starts (1 for the injected parameters). */
  firstLine: number;
}

/** The cell index of the injected-parameters step in events and results. */
export const INJECTED_PARAMETERS_CELL = -1;

/** The overrides that are actually set (undefined values dropped). */
function setOverrides(overrides: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
}

/**
 * The steps of a run. Overrides are injected papermill-style, as their own step right after the
 * parameters cell; without a parameters cell, before the first cell that runs. A selection that
 * leaves the parameters cell out gets no injected step. Throws on a selection that names no code cell.
 */
export function planPipelineSteps(parsed: ParsedPipeline, selection: CellSelection, overrides: Record<string, unknown>): PipelineStep[] {
  const codeCells = parsed.cells.filter((cell) => cell.kind === 'code');
  let chosen: PipelineCell[];
  if (selection === 'all') {
    chosen = codeCells;
  } else if ('only' in selection) {
    const cell = codeCells.find((candidate) => candidate.index === selection.only);
    if (!cell) throw new Error(`Cell ${selection.only} is not a code cell of this pipeline, so it cannot be run.`);
    chosen = [cell];
  } else {
    if (!parsed.cells.some((cell) => cell.index === selection.upTo)) {
      throw new Error(`The pipeline has no cell ${selection.upTo} (it has ${parsed.cells.length} cells).`);
    }
    chosen = codeCells.filter((cell) => cell.index <= selection.upTo);
  }
  const steps: PipelineStep[] = chosen.map((cell) => ({
    cell: cell.index,
    injected: false,
    title: cell.title,
    code: cell.source,
    firstLine: cell.sourceStartLine,
  }));
  const values = setOverrides(overrides);
  if (Object.keys(values).length === 0 || steps.length === 0) return steps;
  const injected: PipelineStep = {
    cell: INJECTED_PARAMETERS_CELL,
    injected: true,
    title: 'Injected parameters',
    code: renderParameterOverrides(parsed.parameters, values),
    firstLine: 1,
  };
  if (parsed.parametersCell === undefined) return [injected, ...steps];
  const at = steps.findIndex((step) => step.cell === parsed.parametersCell);
  if (at === -1) return steps;
  return [...steps.slice(0, at + 1), injected, ...steps.slice(at + 1)];
}

/** A value as MLflow params show it (Python's `str()`): strings as they are, others as Python literals. */
function paramText(value: unknown, asFloat: boolean): string {
  return typeof value === 'string' ? value : renderPythonLiteral(value, asFloat);
}

/**
 * The parameters' effective values as MLflow params: the parameters cell's defaults (when that cell
 * runs) with the injected overrides on top. A default that is not a literal is logged as its source.
 */
export function effectiveParameters(parsed: ParsedPipeline, steps: PipelineStep[], overrides: Record<string, unknown>): Record<string, string> {
  const params: Record<string, string> = {};
  const byName = new Map(parsed.parameters.map((parameter) => [parameter.name, parameter]));
  const isFloat = (name: string): boolean => {
    const parameter = byName.get(name);
    return parameter !== undefined && parameterType(parameter).type === 'float';
  };
  if (steps.some((step) => step.cell === parsed.parametersCell)) {
    for (const parameter of parsed.parameters) {
      params[parameter.name] = parameter.default === undefined && parameter.inferredType === 'unknown'
        ? parameter.defaultSource
        : paramText(parameter.default, isFloat(parameter.name));
    }
  }
  if (steps.some((step) => step.injected)) {
    for (const [name, value] of Object.entries(setOverrides(overrides))) params[name] = paramText(value, isFloat(name));
  }
  return params;
}
