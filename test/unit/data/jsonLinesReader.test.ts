import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DataFormatError } from '../../../src/core/data/dataFormatError';
import { describeSchemaDrift, readJsonLines } from '../../../src/core/data/jsonLinesReader';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

describe('readJsonLines', () => {
  let folder: string;
  before(() => {
    folder = tempFolder('trackside-jsonl-');
  });
  after(() => removeFolder(folder));

  function write(name: string, lines: string[]): string {
    const file = path.join(folder, name);
    fs.writeFileSync(file, lines.join('\n'));
    return file;
  }

  it('aligns objects to the union of the first batch keys, in first-seen order', async () => {
    const file = write('rows.jsonl', [
      '{"age": 31, "city": "Oslo"}',
      '',
      '{"city": "Bergen", "score": 0.5, "vip": true}',
      '{"age": null, "tags": ["a", "b"]}',
    ]);
    const table = await readJsonLines(file);
    assert.deepEqual(table.header, ['age', 'city', 'score', 'vip', 'tags']);
    const rows: string[][] = [];
    for await (const batch of table.batches) {
      rows.push(...batch);
    }
    assert.deepEqual(rows, [
      ['31', 'Oslo', '', '', ''],
      ['', 'Bergen', '0.5', 'true', ''],
      ['', '', '', '', '["a","b"]'],
    ]);
    assert.deepEqual(table.schemaDrift, []);
  });

  it('reports keys that appear after the first batch as schema drift, once per key with counts', async () => {
    const file = write('drift.jsonl', ['{"a": 1}', '{"a": 2}', '{"a": 3, "b": 9}', '{"a": 4, "b": 8}', '{"c": 1}']);
    const table = await readJsonLines(file, { batchSize: 2 });
    const rows: string[][] = [];
    for await (const batch of table.batches) {
      rows.push(...batch);
    }
    assert.deepEqual(table.header, ['a']);
    assert.deepEqual(rows, [['1'], ['2'], ['3'], ['4'], ['']]);
    assert.deepEqual(table.schemaDrift, [
      { key: 'b', firstLine: 3, lines: 2 },
      { key: 'c', firstLine: 5, lines: 1 },
    ]);
    assert.deepEqual(describeSchemaDrift('drift.jsonl', table), [
      "Schema drift in drift.jsonl: key 'b' first appears on line 3, after the first 2 lines fixed the columns; its values in 2 lines were ignored.",
      "Schema drift in drift.jsonl: key 'c' first appears on line 5, after the first 2 lines fixed the columns; its values in 1 line were ignored.",
    ]);
  });

  it('fails on schema drift when told to', async () => {
    const file = write('strict.jsonl', ['{"a": 1}', '{"a": 2, "b": 3}']);
    const table = await readJsonLines(file, { batchSize: 1, onSchemaDrift: 'error' });
    await assert.rejects(
      (async () => {
        for await (const batch of table.batches) {
          void batch;
        }
      })(),
      (error: unknown) => error instanceof DataFormatError && /strict\.jsonl, line 2: Key 'b' was not in the first 1 lines/.test(error.message),
    );
  });

  it('names the line of invalid JSON and of a line that is not an object', async () => {
    await assert.rejects(readJsonLines(write('bad.jsonl', ['{"a": 1}', '{"a": '])), (error: unknown) => error instanceof DataFormatError && error.line === 2 && /Not valid JSON/.test(error.message));
    await assert.rejects(readJsonLines(write('array.jsonl', ['[1, 2]'])), /line 1: Expected a JSON object on each line, found an array/);
  });

  it('refuses a file without objects', async () => {
    await assert.rejects(readJsonLines(write('blank.jsonl', ['', '  '])), /no JSON objects/);
  });
});
