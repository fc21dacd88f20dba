/** MLflow's metric, param and tag keys: at most 250 characters of `[/\w.\- ]`. */
export const maximumKeyLength = 250;

const allowed = /[\p{L}\p{N}_.\- ]/u;

/**
 * A name (a column, a rule id) made fit to be one segment of an MLflow key: characters MLflow
 * rejects, and `/` (a path separator in keys), become `_`; cut to `maxLength` characters. An empty
 * name becomes `_`.
 */
export function keySegment(name: string, maxLength = 200): string {
  let segment = '';
  for (const character of name) {
    segment += allowed.test(character) ? character : '_';
  }
  const characters = [...segment];
  if (characters.length > maxLength) {
    segment = characters.slice(0, maxLength).join('');
  }
  return segment === '' ? '_' : segment;
}

/**
 * Key segments for a list of names, unique among themselves: a name that is a fit segment keeps it;
 * one that needed changing, or would collide, gets `_2`, `_3`… appended. Returns the segment per
 * name and, for the names whose segment differs from the name, segment → name.
 */
export function uniqueKeySegments(names: readonly string[], maxLength = 200): { segments: Map<string, string>; renamed: Record<string, string> } {
  const segments = new Map<string, string>();
  const renamed: Record<string, string> = {};
  const taken = new Set<string>();
  // Names that are fit already keep their segment, whatever comes before them.
  for (const name of names) {
    if (keySegment(name, maxLength) === name && !taken.has(name)) {
      taken.add(name);
      segments.set(name, name);
    }
  }
  for (const name of names) {
    if (segments.has(name)) {
      continue;
    }
    const base = keySegment(name, maxLength);
    let segment = base;
    for (let suffix = 2; taken.has(segment); suffix++) {
      const tail = `_${suffix}`;
      segment = `${[...base].slice(0, maxLength - tail.length).join('')}${tail}`;
    }
    taken.add(segment);
    segments.set(name, segment);
    renamed[segment] = name;
  }
  return { segments, renamed };
}
