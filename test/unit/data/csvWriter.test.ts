import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../../../src/core/data/csvParser';
import { CsvWriter, formatCsvField, formatCsvRow, writeCsv } from '../../../src/core/data/csvWriter';
import { removeFolder, tempFolder } from '../helpers/tempFolder';

describe('CsvWriter', () => {
  let folder: string;
  before(() => {
    folder = tempFolder('trackside-csv-writer-');
  });
  after(() => removeFolder(folder));

  it('quotes only fields that need it, doubling quotes', () => {
    assert.equal(formatCsvField('plain'), 'plain');
    assert.equal(formatCsvField('a,b'), '"a,b"');
    assert.equal(formatCsvField('say "hi"'), '"say ""hi"""');
    assert.equal(formatCsvField('two\nlines'), '"two\nlines"');
    assert.equal(formatCsvField('cr\r'), '"cr\r"');
    assert.equal(formatCsvField(' padded'), '" padded"');
    assert.equal(formatCsvField('a;b', ';'), '"a;b"');
    assert.equal(formatCsvField('a,b', ';'), 'a,b');
  });

  it('writes numbers in full precision and missing values as empty fields', () => {
    assert.equal(formatCsvRow([0.1 + 0.2, -0, 1e21, NaN, null, undefined, true, new Date(Date.UTC(2024, 0, 2)), { k: 1 }]), '0.30000000000000004,0,1e+21,,,,true,2024-01-02T00:00:00.000Z,"{""k"":1}"');
  });

  it('round-trips awkward values through the parser', async () => {
    const file = path.join(folder, 'round.csv');
    const rows = [
      ['1', 'comma, inside', 'quote " inside'],
      ['2', 'line\nbreak', ''],
      ['3', '', 'crlf\r\nbreak'],
    ];
    await writeCsv(file, ['id', 'a', 'b'], rows);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith('id,a,b\r\n'), 'RFC 4180 line endings by default');
    assert.deepEqual(parseCsv(text), [['id', 'a', 'b'], ...rows]);
    assert.equal(fs.existsSync(`${file}.tmp`), false, 'the temporary file is renamed away');
  });

  it('streams rows from an async source, flushing as it goes', async () => {
    const file = path.join(folder, 'stream.csv');
    async function* rows(): AsyncGenerator<number[]> {
      for (let index = 0; index < 50_000; index++) {
        yield [index, index * 0.5];
      }
    }
    await writeCsv(file, ['i', 'half'], rows(), { lineEnding: '\n' });
    const records = parseCsv(fs.readFileSync(file, 'utf8'));
    assert.equal(records.length, 50_001);
    assert.deepEqual(records[50_000], ['49999', '24999.5']);
  });

  it('leaves the old file untouched until close, and untouched on abort', async () => {
    const file = path.join(folder, 'atomic.csv');
    fs.writeFileSync(file, 'old\n');
    const writer = await CsvWriter.create(file, ['new']);
    await writer.writeRow(['value']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n', 'unchanged before close');
    assert.ok(fs.existsSync(`${file}.tmp`));
    await writer.abort();
    assert.equal(fs.readFileSync(file, 'utf8'), 'old\n', 'unchanged after abort');
    assert.equal(fs.existsSync(`${file}.tmp`), false, 'the temporary file is removed');

    const second = await CsvWriter.create(file, ['new']);
    await second.writeRow(['value']);
    await second.close();
    assert.equal(fs.readFileSync(file, 'utf8'), 'new\r\nvalue\r\n');
    await assert.rejects(second.writeRow(['late']), /already closed/);
  });

  it('removes the temporary file when the row source throws', async () => {
    const file = path.join(folder, 'failing.csv');
    function* rows(): Generator<string[]> {
      yield ['1'];
      throw new Error('source broke');
    }
    await assert.rejects(writeCsv(file, ['a'], rows()), /source broke/);
    assert.equal(fs.existsSync(file), false);
    assert.equal(fs.existsSync(`${file}.tmp`), false);
  });
});
