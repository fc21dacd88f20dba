/**
 * Seeded random inputs for the HTTP fuzzer: a small PRNG, random JSON, mutations of valid request
 * bodies and query strings, garbage bytes and odd paths. Everything comes from one seed, so a run
 * can be repeated exactly (`TRACKSIDE_FUZZ_SEED=<seed>`).
 */

/** mulberry32: a tiny, fast, seeded generator (for tests only). */
export class FuzzRandom {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

const UNICODE_SAMPLES = ['💥', 'é', 'Ωmega', '日本語', '\u0000', '\ud800', '\u202e', 'a\nb', "'; DROP TABLE runs; --", '%s%n', '\\', '"', '`'];

/** A value of a random type: the kinds of thing a broken or hostile client sends where a field goes. */
export function randomScalar(random: FuzzRandom): unknown {
  switch (random.int(22)) {
    case 0: return null;
    case 1: return true;
    case 2: return false;
    case 3: return 0;
    case 4: return -1;
    case 5: return random.int(1000);
    case 6: return 1e308;
    case 7: return -9223372036854775808;
    case 8: return 2 ** 64;
    case 9: return 0.5;
    case 10: return '';
    case 11: return 'NaN';
    case 12: return random.pick(['Infinity', '-Infinity', 'inf', 'nan']);
    case 13: return random.pick(['12', ' 12 ', '1e3', '0x10', '-5', '1.5', '9'.repeat(30)]);
    case 14: return random.pick(UNICODE_SAMPLES);
    case 15: return 'x'.repeat(random.pick([251, 5001, 6001, 70_000]));
    case 16: return [];
    case 17: return {};
    case 18: return ['a', 'b'];
    case 19: return { nested: { deeper: ['x'] } };
    case 20: return [{ key: 'k', value: 'v' }, null];
    default: return `s${random.int(100)}`;
  }
}

/** Random JSON of bounded size and depth. */
export function randomJson(random: FuzzRandom, depth = 0): unknown {
  if (depth > 3 || random.chance(0.4)) return randomScalar(random);
  if (random.chance(0.5)) return Array.from({ length: random.int(4) }, () => randomJson(random, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = random.int(5); i > 0; i--) out[random.pick(['run_id', 'key', 'value', 'name', 'experiment_id', `f${i}`])] = randomJson(random, depth + 1);
  return out;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The paths (lists of keys) to every field inside a JSON value, objects and arrays alike. */
function fieldPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...fieldPaths(child, [...prefix, key])]);
}

function parentOf(root: unknown, at: (string | number)[]): Record<string | number, unknown> {
  let node = root as Record<string | number, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  return node;
}

/**
 * A mutation of a valid body: fields dropped, retyped, replaced by huge or odd values, nested where
 * strings go, lists where objects go, extra fields. Returns the new body (the input is untouched).
 */
export function mutateBody(random: FuzzRandom, valid: Record<string, unknown>): unknown {
  const body = clone(valid);
  const rounds = 1 + random.int(3);
  for (let round = 0; round < rounds; round++) {
    const paths = fieldPaths(body);
    const kind = paths.length === 0 ? 4 : random.int(7);
    const at = paths.length > 0 ? random.pick(paths) : [];
    const parent = at.length > 0 ? parentOf(body, at) : undefined;
    const key = at[at.length - 1];
    switch (kind) {
      case 0: // drop
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else if (parent) delete parent[key];
        break;
      case 1: // retype
      case 2:
        if (parent) parent[key] = randomScalar(random);
        break;
      case 3: // nest or wrap
        if (parent) parent[key] = random.chance(0.5) ? { value: parent[key] } : [parent[key], parent[key]];
        break;
      case 4: // extra field
        (body as Record<string, unknown>)[random.pick(['run_uuid', 'extra', '__proto__', 'constructor', 'step', 'tags'])] = randomJson(random);
        break;
      case 5: // a random JSON value anywhere
        if (parent) parent[key] = randomJson(random);
        break;
      default: // the same field as a list of itself
        if (parent && Array.isArray(parent[key])) parent[key] = (parent[key] as unknown[]).concat(parent[key] as unknown[]);
        else if (parent) parent[key] = String(parent[key]) + random.pick(UNICODE_SAMPLES);
    }
  }
  return body;
}

/** A JSON text with one top-level key written twice (JSON.parse keeps the last). */
export function duplicateKeyJson(random: FuzzRandom, valid: Record<string, unknown>): string {
  const text = JSON.stringify(valid);
  const keys = Object.keys(valid);
  if (keys.length === 0 || text.length < 2) return text;
  const key = random.pick(keys);
  return `{${JSON.stringify(key)}:${JSON.stringify(randomScalar(random)) ?? 'null'},${text.slice(1)}`;
}

/** encodeURIComponent that writes a lone surrogate as its (invalid) 3-byte UTF-8 form instead of throwing. */
function encodeLoose(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
}

/** A query string from a (mutated) query object, sometimes with `x[]=`/`x[0]=` forms and junk. */
export function fuzzQuery(random: FuzzRandom, query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    const items = Array.isArray(value) ? value : [value];
    const style = random.int(4);
    items.forEach((item, index) => {
      const name = style === 1 ? `${key}[]` : style === 2 ? `${key}[${index}]` : key;
      const text = typeof item === 'string' ? item : JSON.stringify(item) ?? '';
      parts.push(`${encodeLoose(name)}=${encodeLoose(text)}`);
    });
    if (style === 3) parts.push(`${encodeLoose(key)}=`);
  }
  if (random.chance(0.2)) parts.push(random.pick(['%ZZ=1', 'a=%C3%28', '=', '&&', 'run_id=%00', 'x[=1', '%E0%A4%A=2', 'run_ids[99999999999999999999]=1']));
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Bodies that are not valid JSON objects: invalid UTF-8, truncation, other JSON types, deep nesting. */
export function garbageBody(random: FuzzRandom): Buffer {
  switch (random.int(10)) {
    case 0: return Buffer.from(Array.from({ length: 1 + random.int(64) }, () => random.int(256)));
    case 1: return Buffer.from([0x7b, 0x22, 0x6b, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]); // {"k":"\xff\xfe"}
    case 2: return Buffer.from(random.pick(['{', '{"run_id":', '[1,2', '"unterminated', '{"a":1}}', 'nul', '{} {}', '\ufeff{}']));
    case 3: return Buffer.from(JSON.stringify(randomJson(random)) ?? 'null');
    case 4: return Buffer.from(random.pick(['[]', '"text"', '42', 'null', 'true', '1e999', '-0']));
    case 5: {
      const depth = random.pick([100, 5000, 200_000]);
      return Buffer.from(`{"run_id":${'['.repeat(depth)}${']'.repeat(depth)}}`);
    }
    case 6: {
      const depth = random.pick([1000, 100_000]);
      return Buffer.from(`{"key":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`);
    }
    case 7: return Buffer.from(`{"key":"${'\\u0000'.repeat(50)}","value":"\\ud800"}`);
    case 8: return Buffer.from(`{"value":1e400,"timestamp":-1e400,"step":1e20}`);
    default: return Buffer.alloc(0);
  }
}

/** Odd request paths near the real ones. */
export function weirdPath(random: FuzzRandom, realPath: string): string {
  switch (random.int(12)) {
    case 0: return `${realPath}/`;
    case 1: return `/${realPath}`;
    case 2: return realPath.replace(/\/([^/]+)$/, '/../$1');
    case 3: return realPath.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    case 4: return `${realPath}/${random.pick(['%', '%E0%A4%A', '%00', '..%2F..%2F..%2Fetc%2Fpasswd', '%2e%2e/%2e%2e', '\u00e9'])}`;
    case 5: return `${realPath}${'/x'.repeat(random.pick([10, 2000]))}`;
    case 6: return realPath.toUpperCase();
    case 7: return `${realPath};jsessionid=1`;
    case 8: return `/api/2.0/${'a'.repeat(random.pick([300, 8000]))}`;
    case 9: return `${realPath}#fragment`;
    case 10: return `http://127.0.0.1${realPath}`;
    default: return realPath.replace('/2.0/', random.pick(['/2.1/', '/3.0/', '//2.0//']));
  }
}
