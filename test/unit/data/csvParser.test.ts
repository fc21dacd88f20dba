import * as assert from 'node:assert/strict';
import { CsvParser, parseCsv } from '../../../src/core/data/csvParser';
import { DataFormatError } from '../../../src/core/data/dataFormatError';

/** Parses `text` fed in pieces cut at the given offsets. */
function parseInPieces(text: string, cuts: number[]): string[][] {
  const parser = new CsvParser();
  const records: string[][] = [];
  let start = 0;
  for (const cut of [...cuts, text.length]) {
    parser.push(text.slice(start, cut), records);
    start = cut;
  }
  return parser.end(records);
}

describe('CsvParser', () => {
  it('reads a header and plain rows', () => {
    assert.deepEqual(parseCsv('a,b,c\n1,2,3\n4,5,6\n'), [
      ['a', 'b', 'c'],
      ['1', '2', '3'],
      ['4', '5', '6'],
    ]);
  });

  it('reads the last row without a final line break, and CRLF line endings', () => {
    assert.deepEqual(parseCsv('a,b\r\n1,2\r\n3,4'), [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('keeps empty fields, including leading and trailing ones', () => {
    assert.deepEqual(parseCsv('a,b,c\n,,\n1,,\n,,3\n'), [
      ['a', 'b', 'c'],
      ['', '', ''],
      ['1', '', ''],
      ['', '', '3'],
    ]);
  });

  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    const text = 'name,note\n"Smith, J","said ""hi"""\n"two\nlines","crlf\r\ninside"\n"",x\n';
    assert.deepEqual(parseCsv(text), [
      ['name', 'note'],
      ['Smith, J', 'said "hi"'],
      ['two\nlines', 'crlf\r\ninside'],
      ['', 'x'],
    ]);
  });

  it('strips the byte-order mark and skips empty lines', () => {
    assert.deepEqual(parseCsv('\uFEFFa,b\n\n1,2\r\n\r\n3,4\n\n'), [
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('is lenient like Python csv: a quote inside an unquoted field is text, text after a closing quote is appended', () => {
    assert.deepEqual(parseCsv('a,b\n5\'10",x\n"ab"c,y\n'), [
      ['a', 'b'],
      ['5\'10"', 'x'],
      ['abc', 'y'],
    ]);
  });

  it('reports an unclosed quote with the line it opens on', () => {
    assert.throws(
      () => parseCsv('a,b\n1,2\n"open,3\n4,5\n'),
      (error: unknown) => error instanceof DataFormatError && error.line === 3 && /never closed/.test(error.message),
    );
  });

  it('reports a row with the wrong number of fields, with its line number', () => {
    assert.throws(
      () => parseCsv('a,b,c\n1,2,3\n"x\ny",2,3\n4,5\n', { fileName: 'data.csv' }),
      (error: unknown) =>
        error instanceof DataFormatError && error.line === 5 && error.message.startsWith('data.csv, line 5: Expected 3 fields') && /found 2/.test(error.message),
    );
  });

  it('pads short rows and cuts long ones when ragged rows are allowed', () => {
    assert.deepEqual(parseCsv('a,b,c\n1\n1,2,3,4\n', { allowRaggedRows: true }), [
      ['a', 'b', 'c'],
      ['1', '', ''],
      ['1', '2', '3'],
    ]);
  });

  it('uses another delimiter when told, and refuses a quote as one', () => {
    assert.deepEqual(parseCsv('a;b\n"1;5";2\n', { delimiter: ';' }), [
      ['a', 'b'],
      ['1;5', '2'],
    ]);
    assert.throws(() => new CsvParser({ delimiter: '"' }), /delimiter/);
    assert.throws(() => new CsvParser({ delimiter: ';;' }), /delimiter/);
  });

  it('gives the same records however the input is cut into pieces', () => {
    const text = '\uFEFFid,text,value\r\n1,"a ""quoted"", text",3.5\r\n2,"multi\r\nline\nfield",\r\n3,plain,-1e-3\n\n4,"",""\n5,x,"y"';
    const whole = parseCsv(text);
    assert.equal(whole.length, 6);
    for (let cut = 0; cut <= text.length; cut++) {
      assert.deepEqual(parseInPieces(text, [cut]), whole, `one cut at ${cut}`);
    }
    for (let first = 0; first <= text.length; first += 3) {
      for (let second = first; second <= text.length; second += 5) {
        assert.deepEqual(parseInPieces(text, [first, second]), whole, `cuts at ${first} and ${second}`);
      }
    }
    const oneByOne = Array.from({ length: text.length }, (_, index) => index + 1);
    assert.deepEqual(parseInPieces(text, oneByOne), whole, 'one character at a time');
  });

  it('counts lines across quoted line breaks and pieces', () => {
    const parser = new CsvParser();
    parser.push('a,b\n"x\ny",1\n2,');
    assert.equal(parser.line, 4, 'the incomplete record starts on line 4');
  });
});
