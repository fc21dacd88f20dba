import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { defaultBatchSize, openCsv, uniqueColumnNames } from '../../../src/core/data/csvReader';
import { DataFormatError } from '../../../src/core/data/dataFormatError';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

async function readAll(file: string, options: Parameters<typeof openCsv>[1] = {}): Promise<{ header: string[]; batches: string[][][] }> {
  const table = await openCsv(file, options);
  const batches: string[][][] = [];
  for await (const batch of table.batches) {
    batches.push(batch);
  }
  return { header: table.header, batches };
}

describe('openCsv', () => {
  let folder: string;
  before(() => {
    folder = tempFolder('trackside-csv-');
  });
  after(() => removeFolder(folder));

  function write(name: string, content: string | Buffer): string {
    const file = path.join(folder, name);
    fs.writeFileSync(file, content);
    return file;
  }

  it('returns the header and rows in batches of exactly the batch size, the last one shorter', async () => {
    const lines = ['x,y', ...Array.from({ length: 25 }, (_, index) => `${index},${index * 2}`)];
    const file = write('numbers.csv', lines.join('\n') + '\n');
    const { header, batches } = await readAll(file, { batchSize: 10, chunkBytes: 16 });
    assert.deepEqual(header, ['x', 'y']);
    assert.deepEqual(
      batches.map((batch) => batch.length),
      [10, 10, 5],
    );
    assert.deepEqual(batches[0][0], ['0', '0']);
    assert.deepEqual(batches[2][4], ['24', '48']);
  });

  it('reads multi-byte UTF-8 split across chunks, a BOM, CRLF and quoted line breaks', async () => {
    const file = write('text.csv', Buffer.from('\uFEFFcity,note\r\nZürich,"a\r\nb"\r\n東京,"x, ""y"""\r\n', 'utf8'));
    const { header, batches } = await readAll(file, { chunkBytes: 3 });
    assert.deepEqual(header, ['city', 'note']);
    assert.deepEqual(batches.flat(), [
      ['Zürich', 'a\r\nb'],
      ['東京', 'x, "y"'],
    ]);
  });

  it('gives a header and no batches for a header-only file', async () => {
    const { header, batches } = await readAll(write('empty-body.csv', 'a,b\n'));
    assert.deepEqual(header, ['a', 'b']);
    assert.equal(batches.length, 0);
  });

  it('refuses an empty file with a message naming it', async () => {
    await assert.rejects(openCsv(write('empty.csv', '')), (error: unknown) => error instanceof DataFormatError && /empty\.csv: The file is empty/.test(error.message));
  });

  it('fails on a ragged row with the file name and line', async () => {
    const file = write('ragged.csv', 'a,b\n1,2\n3\n');
    await assert.rejects(
      readAll(file),
      (error: unknown) => error instanceof DataFormatError && error.message.startsWith('ragged.csv, line 3: Expected 2 fields'),
    );
  });

  it('makes header names unique and non-empty as pandas does', async () => {
    const { header } = await readAll(write('dupes.csv', 'a,a,,b,a\n1,2,3,4,5\n'));
    assert.deepEqual(header, ['a', 'a.1', 'Unnamed: 2', 'b', 'a.2']);
    assert.deepEqual(uniqueColumnNames(['a', 'a.1', 'a']), ['a', 'a.1', 'a.2']);
  });

  it('closes the file when the loop stops early', async () => {
    const file = write('long.csv', ['v', ...Array.from({ length: 1000 }, (_, index) => String(index))].join('\n'));
    const table = await openCsv(file, { batchSize: 10, chunkBytes: 64 });
    for await (const batch of table.batches) {
      assert.equal(batch.length, 10);
      break;
    }
    const next = await table.batches.next();
    assert.equal(next.done, true, 'the generator is finished');
  });

  it('sizes default batches at about 50,000 fields', () => {
    assert.equal(defaultBatchSize(20), 2500);
    assert.equal(defaultBatchSize(1), 50000);
    assert.equal(defaultBatchSize(5000), 100);
  });

  it('refuses a batch size that is not a positive whole number', async () => {
    await assert.rejects(openCsv(write('b.csv', 'a\n1\n'), { batchSize: 0 }), /batch size/);
  });
});
