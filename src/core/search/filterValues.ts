import { invalidParameter } from '../store/trackingError';
import type { FilterIdentifier, FilterValue } from './filterParser';
import { pythonSet, pythonTuple } from './pythonRepr';

/** The comparators a string column takes (IN and NOT IN carry a list). */
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE' | 'IN' | 'NOT IN';
export type NumericComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type StringComparison =
  | { comparator: '=' | '!=' | 'LIKE' | 'ILIKE'; value: string }
  | { comparator: 'IN' | 'NOT IN'; value: string[] };
export interface NumericComparison {
  comparator: NumericComparator;
  value: number;
}
export type Comparison = StringComparison | NumericComparison;

/** In MLflow's order, as its messages print them. */
export const NUMERIC_COMPARATORS: readonly NumericComparator[] = ['>', '>=', '!=', '=', '<', '<='];
export const STRING_COMPARATORS: readonly StringComparator[] = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];
/** MLflow's own set for params, tags, experiments and registry tags (no lists). */
export const SCALAR_STRING_COMPARATORS: readonly StringComparator[] = ['!=', '=', 'LIKE', 'ILIKE'];

export function isStringComparator(comparator: string, allowed: readonly StringComparator[]): comparator is StringComparator {
  return (allowed as readonly string[]).includes(comparator);
}

export function isNumericComparator(comparator: string): comparator is NumericComparator {
  return (NUMERIC_COMPARATORS as readonly string[]).includes(comparator);
}

/**
 * A string value or a list of strings. An unquoted word gets MLflow's "not quoted" message; a
 * number gets `numberMessage(text)`.
 */
export function stringValue(value: FilterValue, numberMessage: (text: string) => string): string | string[] {
  switch (value.kind) {
    case 'string':
      return value.value;
    case 'word':
      throw invalidParameter(
        `Parameter value is either not quoted or unidentified quote types used for string value ${value.text}. ` +
          'Use either single or double quotes.',
      );
    case 'number':
      throw invalidParameter(numberMessage(value.text));
    case 'list':
      return stringList(value);
  }
}

function stringList(list: { items: FilterValue[]; text: string }): string[] {
  if (list.items.length === 0) {
    throw invalidParameter('While parsing a list in the query, expected a non-empty list of string values, but got empty list');
  }
  return list.items.map((item) => {
    if (item.kind !== 'string') {
      throw invalidParameter(
        'While parsing a list in the query, expected string value, punctuation, or whitespace, ' +
          `but got different type in list: ${list.text}`,
      );
    }
    return item.value;
  });
}

/** A number, or `message(text)` for anything else. */
export function numberValue(value: FilterValue, message: (text: string) => string): number {
  if (value.kind !== 'number') throw invalidParameter(message(value.text));
  return value.value;
}

/** Pairs a checked comparator with its value (the parser only lets a list follow IN / NOT IN). */
export function stringComparison(comparator: StringComparator, value: string | string[]): StringComparison {
  if (comparator === 'IN' || comparator === 'NOT IN') {
    return { comparator, value: Array.isArray(value) ? value : [value] };
  }
  if (Array.isArray(value)) throw invalidParameter(`Invalid comparator '${comparator}' for a list of values; use IN or NOT IN`);
  return { comparator, value };
}

const ATTRIBUTE_OR_TAG_ENTITIES = ['attribute', 'tag', 'tags'];

/**
 * MLflow's identifier rule for experiments and the registry: `attribute.<key>`, `tag.`/`tags.<key>`
 * or a bare key (an attribute, which must be one of `validKeys`).
 */
export function attributeOrTagOf(identifier: FilterIdentifier, validKeys: readonly string[]): 'attribute' | 'tag' {
  if (identifier.entity !== undefined && !ATTRIBUTE_OR_TAG_ENTITIES.includes(identifier.entity)) {
    throw invalidParameter(
      `Invalid entity type '${identifier.entity}'. Valid entity types are ${pythonTuple(ATTRIBUTE_OR_TAG_ENTITIES)}`,
    );
  }
  if (identifier.entity === 'tag' || identifier.entity === 'tags') return 'tag';
  if (!validKeys.includes(identifier.key)) {
    throw invalidParameter(`Invalid attribute key '${identifier.key}' specified. Valid keys are '${pythonSet(validKeys)}'`);
  }
  return 'attribute';
}
