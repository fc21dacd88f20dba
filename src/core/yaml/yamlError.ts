/** A value that `parseYaml` produces and `stringifyYaml` writes: JSON's data model. */
export type YamlValue = null | boolean | number | string | YamlValue[] | YamlMapping;

export interface YamlMapping {
  [key: string]: YamlValue;
}

/** A YAML syntax error; `line` is 1-based and the message starts with it. */
export class YamlError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = 'YamlError';
  }
}

/** Sets `key` on `target` as an own data property, even for `__proto__`. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
