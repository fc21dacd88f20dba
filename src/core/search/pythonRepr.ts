/**
 * Python's `repr()` for the few shapes MLflow prints inside its error messages (strings, lists,
 * sets, dicts, bytes), so Trackside's messages read exactly like MLflow's.
 */

/** `repr(str)`: single quotes unless the text holds a single quote and no double quote. */
export function pythonString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else out += ch;
  }
  return out + quote;
}

/** `repr(list_of_str)`, e.g. `['metrics.a', 'metrics.a DESC']`. */
export function pythonList(items: readonly string[]): string {
  return `[${items.map(pythonString).join(', ')}]`;
}

/** `repr(set_of_str)` in the order given (Python's own order varies from run to run). */
export function pythonSet(items: readonly string[]): string {
  return `{${items.map(pythonString).join(', ')}}`;
}

/** `repr(tuple_of_str)`, e.g. `('attribute', 'tag', 'tags')`. */
export function pythonTuple(items: readonly string[]): string {
  return `(${items.map(pythonString).join(', ')})`;
}

/** `repr()` of what `json.loads` returns: dicts, lists, strings, numbers, booleans, None. */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pythonString(value);
  if (typeof value === 'number') return Number.isInteger(value) && !Object.is(value, -0) ? String(value) : pythonFloat(value);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonString(k)}: ${pythonJson(v)}`).join(', ')}}`;
}

function pythonFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** `repr(bytes)`, e.g. `b'{"offset": 2'`. */
export function pythonBytes(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27);
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'";
  let out = `b${quote}`;
  for (const byte of bytes) {
    const ch = String.fromCharCode(byte);
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
