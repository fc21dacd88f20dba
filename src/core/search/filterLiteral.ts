/**
 * A string literal of MLflow's filter grammar: `'…'` with backslashes and single quotes escaped, so
 * `filterParser` reads back exactly `value` (`name = ${filterString(name)}`).
 */
export function filterString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
