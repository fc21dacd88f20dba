/** Writing YAML scalars so that both PyYAML (YAML 1.1) and `parseYaml` (1.2 core) read them back. */

const BOOL_OR_NULL_1_1 = /^(?:~|null|Null|NULL|yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
/** Numbers in YAML 1.2's core schema, and in PyYAML's YAML 1.1 (underscores, 0b, sexagesimal). */
const NUMBER_1_2 = /^[-+]?(?:[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;
const NUMBER_1_1 = /^[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_]*)?(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?)$/;
const INFINITY_OR_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const TIMESTAMP_LIKE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const INDICATOR_START = /^[-?:,[\]{}#&*!|>'"%@`=<.~ ]/;
const NEEDS_ESCAPE = /[\0-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\t]/;

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = {
  '\0': '\\0', '\x07': '\\a', '\b': '\\b', '\t': '\\t', '\n': '\\n', '\v': '\\v', '\f': '\\f',
  '\r': '\\r', '\x1b': '\\e', '"': '\\"', '\\': '\\\\', '\x85': '\\N', '\u2028': '\\L', '\u2029': '\\P',
};

function hasLoneSurrogate(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return true;
    }
    if (code >= 0xdc00 && code <= 0xdfff) return true;
  }
  return false;
}

function needsDoubleQuotes(value: string): boolean {
  // Paired surrogates (emoji) are fine; only control characters and lone halves need escapes.
  return NEEDS_ESCAPE.test(value.replace(/[\ud800-\udbff][\udc00-\udfff]/g, 'x')) || hasLoneSurrogate(value);
}

function canBePlain(value: string): boolean {
  return (
    value !== '' &&
    !INDICATOR_START.test(value) &&
    !/[ \t]$/.test(value) &&
    !/:(?:[ \t]|$)/.test(value) &&
    !/[ \t]#/.test(value) &&
    !BOOL_OR_NULL_1_1.test(value) &&
    !NUMBER_1_2.test(value) &&
    !NUMBER_1_1.test(value) &&
    !INFINITY_OR_NAN.test(value) &&
    !TIMESTAMP_LIKE.test(value) &&
    !needsDoubleQuotes(value)
  );
}

function doubleQuoted(value: string): string {
  let out = '"';
  for (const c of value) {
    const code = c.codePointAt(0) ?? 0;
    const escape = DOUBLE_QUOTE_ESCAPES[c];
    if (escape !== undefined) out += escape;
    else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfeff || (code >= 0xd800 && code <= 0xdfff)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/** A string as a YAML scalar: plain when safe, else single-quoted, else double-quoted with escapes. */
export function formatYamlString(value: string): string {
  if (canBePlain(value)) return value;
  if (needsDoubleQuotes(value)) return doubleQuoted(value);
  return `'${value.replace(/'/g, "''")}'`;
}

export function formatYamlKey(key: string): string {
  return formatYamlString(key);
}

/** A number the way PyYAML writes floats: a decimal point in the mantissa, `.inf`, `.nan`. */
function formatYamlNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (value === Infinity) return '.inf';
  if (value === -Infinity) return '-.inf';
  const text = String(value);
  if (!/e/.test(text)) return text;
  const [mantissa, exponent] = text.split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}e${exponent}`;
}

/** Formats a scalar (string, number, boolean, null, bigint); throws for anything else. */
export function formatYamlScalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return formatYamlString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatYamlNumber(value);
  if (typeof value === 'bigint') return value.toString();
  throw new TypeError(`stringifyYaml cannot write a value of type ${value instanceof Object ? value.constructor.name : typeof value}`);
}
