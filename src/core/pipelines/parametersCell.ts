import { parsePythonLiteral, renderPythonLiteral } from './pythonLiteral';

/**
 * The parameters cell read statically, with papermill's rules (PythonTranslator.inspect): each
 * top-level `name = value` or `name: type = value` is a parameter, an optional trailing comment is
 * its help (`# type: T` in it gives the type), blank lines and comments are skipped. A value may
 * run over several lines inside brackets (papermill joins them too); statements with chained or
 * augmented assignment, several targets, or `;` are not parameters.
 */

export type InferredType = 'int' | 'float' | 'str' | 'bool' | 'none' | 'list' | 'dict' | 'unknown';

export interface PipelineParameter {
  name: string;
  /** The annotation or `# type:` comment as written (quotes around an annotation removed). */
  typeName?: string;
  /** The value's Python source, multi-line values joined onto one line. */
  defaultSource: string;
  /** The value as JavaScript when `defaultSource` is a Python literal; otherwise undefined. */
  default?: unknown;
  /** The kind of literal `defaultSource` is ('unknown' for names, calls, tuples, expressions). */
  inferredType: InferredType;
  /** The trailing comment, without `#` and `type: T`. */
  help?: string;
  /** 1-based line of the assignment within the cell's source. */
  line: number;
}

interface Statement {
  line: number;
  code: string;
  comment?: string;
  /** Index in `code` of the top-level `=`, -1 if none. */
  equals: number;
  equalsCount: number;
  /** Index in `code` of the first top-level `:` before `equals`, -1 if none. */
  colon: number;
  semicolon: boolean;
}

const OPENING = '([{';
const CLOSING = ')]}';

/** Splits Python source into top-level logical lines, stripping comments and joining bracketed lines. */
function statements(source: string): Statement[] {
  const s = source.replace(/\r\n?/g, '\n');
  const result: Statement[] = [];
  let current: Statement = { line: 1, code: '', equals: -1, equalsCount: 0, colon: -1, semicolon: false };
  let depth = 0;
  let line = 1;
  let i = 0;
  const flush = (): void => {
    if (current.code.trim() !== '' || current.comment !== undefined) result.push(current);
    current = { line, code: '', equals: -1, equalsCount: 0, colon: -1, semicolon: false };
    depth = 0;
  };
  while (i < s.length) {
    const c = s[i];
    if (c === '#') {
      const end = s.indexOf('\n', i);
      current.comment = s.slice(i + 1, end === -1 ? s.length : end);
      i = end === -1 ? s.length : end;
    } else if (c === "'" || c === '"') {
      const triple = s.startsWith(c.repeat(3), i);
      const closing = triple ? c.repeat(3) : c;
      let j = i + closing.length;
      while (j < s.length && !s.startsWith(closing, j) && (triple || s[j] !== '\n')) j += s[j] === '\\' ? 2 : 1;
      j = Math.min(s.startsWith(closing, j) ? j + closing.length : j, s.length);
      const literal = s.slice(i, j);
      line += literal.split('\n').length - 1;
      current.code += literal;
      i = j;
    } else if (c === '\\' && s[i + 1] === '\n') {
      current.code += ' ';
      line++;
      i += 2;
    } else if (c === '\n') {
      line++;
      i++;
      if (depth === 0) {
        flush();
        continue;
      }
      current.comment = undefined;
      while (s[i] === ' ' || s[i] === '\t') i++;
      const trimmed = current.code.replace(/[ \t]+$/, '');
      const next = s[i] ?? '';
      current.code = trimmed + (OPENING.includes(trimmed.slice(-1)) || CLOSING.includes(next) || next === '\n' ? '' : ' ');
    } else {
      if (OPENING.includes(c)) depth++;
      else if (CLOSING.includes(c)) depth = Math.max(0, depth - 1);
      else if (depth === 0 && c === ';') current.semicolon = true;
      else if (depth === 0 && c === ':' && current.equals === -1 && s[i + 1] !== '=' && current.colon === -1) {
        current.colon = current.code.length;
      } else if (depth === 0 && c === '=' && !'=!<>:+-*/%&|^@'.includes(s[i - 1] ?? '') && s[i + 1] !== '=') {
        current.equalsCount++;
        if (current.equals === -1) current.equals = current.code.length;
      }
      current.code += c;
      i++;
    }
  }
  flush();
  return result;
}

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function inferredTypeOf(kind: string | undefined): InferredType {
  return kind === undefined || kind === 'tuple' ? 'unknown' : (kind as InferredType);
}

/** Reads the parameters of a parameters cell's source. */
export function parseParametersCell(source: string): PipelineParameter[] {
  const parameters: PipelineParameter[] = [];
  for (const statement of statements(source)) {
    const { code, equals, colon } = statement;
    if (equals === -1 || statement.equalsCount !== 1 || statement.semicolon || /^[ \t]/.test(code)) continue;
    const name = code.slice(0, colon === -1 ? equals : colon).trim();
    const defaultSource = code.slice(equals + 1).trim();
    if (!IDENTIFIER.test(name) || defaultSource === '') continue;
    let annotation = colon === -1 ? undefined : code.slice(colon + 1, equals).trim();
    const quoted = annotation === undefined ? null : /^(['"])(.*)\1$/.exec(annotation);
    if (quoted) annotation = quoted[2].trim();
    const comment = /^\s*(?:type:\s*(\S*)\s*)?(.*)$/s.exec(statement.comment ?? '');
    const typeComment = comment?.[1] || undefined;
    const help = comment?.[2].trim() || undefined;
    const literal = parsePythonLiteral(defaultSource);
    const parameter: PipelineParameter = {
      name,
      defaultSource,
      inferredType: inferredTypeOf(literal?.kind),
      line: statement.line,
    };
    const typeName = annotation || typeComment;
    if (typeName) parameter.typeName = typeName;
    if (literal && literal.kind !== 'tuple') parameter.default = literal.value;
    if (help) parameter.help = help;
    parameters.push(parameter);
  }
  return parameters;
}

export interface ParameterType {
  type: InferredType;
  /** `Optional[T]`, `T | None` or a None default: `None` is also accepted. */
  nullable: boolean;
}

const DECLARED_TYPES: Record<string, InferredType> = {
  int: 'int', float: 'float', str: 'str', bool: 'bool', None: 'none', NoneType: 'none',
  list: 'list', List: 'list', Sequence: 'list', dict: 'dict', Dict: 'dict', Mapping: 'dict',
};

/** The type a form field validates against: the declared type when it is understood, else the inferred one. */
export function parameterType(parameter: PipelineParameter): ParameterType {
  let declared = parameter.typeName?.replace(/\s+/g, '');
  let nullable = parameter.inferredType === 'none';
  if (declared) {
    const optional = /^(?:typing\.)?Optional\[(.*)\]$/.exec(declared);
    const parts = (optional ? optional[1] : declared).split('|').filter((part) => part !== 'None');
    if (optional || parts.length < declared.split('|').length) nullable = true;
    declared = parts.length === 1 ? parts[0].replace(/^typing\./, '').replace(/\[.*\]$/, '') : undefined;
  }
  const type = (declared !== undefined ? DECLARED_TYPES[declared] : undefined) ?? parameter.inferredType;
  return { type: type === 'none' && nullable && declared === undefined ? 'unknown' : type, nullable };
}

const TYPE_DESCRIPTIONS: Record<InferredType, string> = {
  int: 'an int (a whole number such as 10)',
  float: 'a float (a number such as 0.5)',
  str: 'a str',
  bool: 'a bool (True or False)',
  none: 'None',
  list: 'a list (such as [1, 2])',
  dict: 'a dict (such as {"key": 1})',
  unknown: 'a Python literal',
};

/**
 * Validates a form field's text against the parameter's type. Numbers accept Python's forms
 * (underscores, `inf`, `nan` for floats); bools accept True/False/true/false/1/0; lists and dicts
 * accept Python or JSON literals; untyped parameters take a literal if the text is one, else the text.
 */
export function coerceParameterInput(parameter: PipelineParameter, text: string): { value: unknown } | { error: string } {
  const { type, nullable } = parameterType(parameter);
  const trimmed = text.trim();
  const refuse = (): { error: string } => ({
    error: `Parameter '${parameter.name}' expects ${TYPE_DESCRIPTIONS[type]}${nullable ? ' or None' : ''}, got '${text}'.`,
  });
  if (nullable && (trimmed === 'None' || (trimmed === '' && type !== 'str'))) return { value: null };
  switch (type) {
    case 'int': {
      if (!/^[-+]?[0-9](?:_?[0-9])*$/.test(trimmed)) return refuse();
      const value = Number(trimmed.replace(/_/g, ''));
      if (!Number.isSafeInteger(value)) {
        return { error: `Parameter '${parameter.name}' expects an int between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}, got '${text}'.` };
      }
      return { value };
    }
    case 'float': {
      const special = /^([-+]?)(inf|infinity|nan)$/i.exec(trimmed);
      if (special) return { value: special[2].toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity };
      if (!/^[-+]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/.test(trimmed)) {
        return refuse();
      }
      return { value: Number(trimmed.replace(/_/g, '')) };
    }
    case 'bool':
      if (/^(?:true|1)$/i.test(trimmed)) return { value: true };
      if (/^(?:false|0)$/i.test(trimmed)) return { value: false };
      return refuse();
    case 'str':
      return { value: text };
    case 'none':
      return trimmed === 'None' || trimmed === '' ? { value: null } : refuse();
    case 'list':
    case 'dict': {
      const literal = parsePythonLiteral(trimmed, { json: true });
      const kind = literal?.kind === 'tuple' ? 'list' : literal?.kind;
      return literal && kind === type ? { value: literal.value } : refuse();
    }
    case 'unknown': {
      const literal = parsePythonLiteral(trimmed, { json: true });
      return literal ? { value: literal.value } : { value: text };
    }
  }
}

const PYTHON_KEYWORDS = new Set(
  ('False None True and as assert async await break class continue def del elif else except finally for from ' +
    'global if import in is lambda nonlocal not or pass raise return try while with yield').split(' '),
);

/**
 * The Python source injected after the parameters cell, papermill-style: `# Parameters` then one
 * `name = literal` line per value (in the order of `values`). A value for a parameter typed float
 * keeps a decimal point (`3` → `3.0`). Throws when a name is not a valid Python identifier.
 */
export function renderParameterOverrides(parameters: PipelineParameter[], values: Record<string, unknown>): string {
  let out = '# Parameters\n';
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (!IDENTIFIER.test(name) || PYTHON_KEYWORDS.has(name)) {
      throw new Error(`'${name}' is not a valid Python variable name, so it cannot be injected as a parameter.`);
    }
    const parameter = parameters.find((candidate) => candidate.name === name);
    const asFloat = parameter !== undefined && parameterType(parameter).type === 'float';
    out += `${name} = ${renderPythonLiteral(value, asFloat)}\n`;
  }
  return out;
}
