import type { EntryPoint } from './mlproject';
import { MLprojectError } from './mlprojectError';

/** Turning an entry point's command template and resolved parameters into a command to run. */

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;
const EXTRA_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * Python's `shlex.quote`: safe values (letters, digits and `@%+=:,./-_`) stay bare, the empty string
 * becomes `''`, anything else is single-quoted with each `'` written as `'"'"'`.
 */
export function shellQuote(value: string): string {
  if (value === '') return "''";
  if (SHELL_SAFE.test(value)) return value;
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}

type TemplatePart = { text: string } | { field: string };

/** Splits a command template with Python `str.format` rules: `{name}` fields, `{{` and `}}` for braces. */
function templateParts(entry: EntryPoint, available: Record<string, string>): TemplatePart[] {
  const command = entry.command;
  const parts: TemplatePart[] = [];
  let text = '';
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if ((c === '{' || c === '}') && command[i + 1] === c) {
      text += c;
      i++;
    } else if (c === '}') {
      throw new MLprojectError(`The command of entry point '${entry.name}' has a single '}'; write '}}' for a literal brace.`);
    } else if (c === '{') {
      const close = command.indexOf('}', i);
      const field = close === -1 ? '' : command.slice(i + 1, close);
      if (close === -1 || !/^[^{}!:.[\]]+$/.test(field)) {
        throw new MLprojectError(
          `The command of entry point '${entry.name}' has an unsupported field '${command.slice(i, close === -1 ? undefined : close + 1)}'; ` +
            `use {parameter_name}, and '{{' or '}}' for literal braces.`,
        );
      }
      if (!Object.prototype.hasOwnProperty.call(available, field)) {
        const names = Object.keys(available);
        throw new MLprojectError(
          `The command of entry point '${entry.name}' uses {${field}}, which is not one of its parameters` +
            `${names.length > 0 ? ` (${names.join(', ')})` : ''}.`,
        );
      }
      if (text !== '') parts.push({ text });
      text = '';
      parts.push({ field });
      i = close;
    } else {
      text += c;
    }
  }
  if (text !== '') parts.push({ text });
  return parts;
}

function checkExtraNames(entry: EntryPoint, extra: Record<string, string>): void {
  for (const name of Object.keys(extra)) {
    if (!EXTRA_NAME.test(name)) {
      throw new MLprojectError(`'${name}' cannot be passed to entry point '${entry.name}' as --${name}: use letters, digits, '_', '.' and '-'.`);
    }
  }
}

/**
 * The shell command MLflow would run: each `{param}` replaced by its value, shell-quoted, then
 * `--name value` for each extra parameter (values quoted). Run it with `sh -c` / a shell.
 */
export function renderCommand(entry: EntryPoint, params: Record<string, string>, extra: Record<string, string> = {}): string {
  checkExtraNames(entry, extra);
  const command = templateParts(entry, params)
    .map((part) => ('field' in part ? shellQuote(params[part.field]) : part.text))
    .join('');
  const extras = Object.entries(extra).map(([name, value]) => `--${name} ${shellQuote(value)}`);
  return [command, ...extras].join(' ');
}

const UNQUOTED_SPECIAL = '|&;<>()$`*?[\n';

/**
 * The same command as an argument vector, for spawning without a shell: words are split as a
 * POSIX shell would split the template, and each parameter value lands whole in its word (no
 * quoting needed). Returns undefined when the template needs a shell (pipes, redirections,
 * `$` expansion, globs, `~`, comments, several lines, leading `NAME=value` assignments).
 */
export function commandArgv(entry: EntryPoint, params: Record<string, string>, extra: Record<string, string> = {}): string[] | undefined {
  checkExtraNames(entry, extra);
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  for (const part of templateParts(entry, params)) {
    if ('field' in part) {
      word += params[part.field];
      inWord = true;
      continue;
    }
    const text = part.text;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quote === "'") {
        if (c === "'") quote = undefined;
        else word += c;
      } else if (quote === '"') {
        if (c === '"') quote = undefined;
        else if (c === '$' || c === '`') return undefined;
        else if (c === '\\' && '$`"\\\n'.includes(text[i + 1] ?? '')) word += text[++i];
        else word += c;
      } else if (c === ' ' || c === '\t') {
        endWord();
      } else if (c === "'" || c === '"') {
        quote = c;
        inWord = true;
      } else if (c === '\\') {
        if (i + 1 >= text.length || text[i + 1] === '\n') return undefined;
        word += text[++i];
        inWord = true;
      } else if (UNQUOTED_SPECIAL.includes(c) || ((c === '#' || c === '~') && !inWord)) {
        return undefined;
      } else {
        word += c;
        inWord = true;
      }
    }
  }
  if (quote !== undefined) {
    throw new MLprojectError(`The command of entry point '${entry.name}' has an unclosed ${quote === "'" ? 'single' : 'double'} quote.`);
  }
  endWord();
  if (words.length === 0 || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) return undefined;
  for (const [name, value] of Object.entries(extra)) words.push(`--${name}`, value);
  return words;
}
