import assert from 'node:assert/strict';
import { formatDuration, formatSize, formatTable, formatTime } from '../../../src/cli/tableFormat';

describe('CLI table formatting', () => {
  const columns = [{ header: 'Id', keep: true }, { header: 'Name' }, { header: 'Size', right: true }];
  const rows = [['0123456789abcdef', 'a rather long experiment name that goes on', '1'], ['7', 'short', '12345']];

  it('aligns columns, right-aligns numbers and cuts cells longer than the cap', () => {
    assert.equal(
      formatTable(columns, rows, { maxCell: 20 }),
      [
        'Id                Name                   Size',
        '0123456789abcdef  a rather long exper…      1',
        '7                 short                 12345',
      ].join('\n'),
    );
  });

  it('shrinks the widest column to fit a terminal width, never the kept ones', () => {
    const lines = formatTable(columns, rows, { width: 36 }).split('\n');
    assert.ok(lines.every((line) => line.length <= 36), lines.join('\n'));
    assert.ok(lines[1].startsWith('0123456789abcdef  a rather'));
    assert.ok(lines[1].includes('…'));
  });

  it('writes times, sizes and durations for people', () => {
    const noon = new Date(2024, 2, 1, 12, 5, 9).getTime(); // local time
    assert.equal(formatTime(noon), '2024-03-01 12:05:09');
    assert.equal(formatTime(undefined), '');
    assert.equal(formatSize(512), '512 B');
    assert.equal(formatSize(2048), '2.0 kB');
    assert.equal(formatSize(23_000_000), '23.0 MB');
    assert.equal(formatDuration(0 + 1, 4201), '4.2s');
    assert.equal(formatDuration(1, 185_001), '3m 05s');
    assert.equal(formatDuration(1, 7_800_001), '2h 10m');
    assert.equal(formatDuration(1000, undefined), '');
  });
});
