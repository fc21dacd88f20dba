import assert from 'node:assert/strict';
import { JOURNAL_MAGIC, crc32, encodeRecord, parseJournal } from '../../../src/core/store/journalFormat';

function journal(...records: Buffer[]): Buffer {
  return Buffer.concat([JOURNAL_MAGIC, ...records]);
}

describe('journal framing', () => {
  it('computes the standard CRC-32', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });

  it('round-trips records in order', () => {
    const data = journal(encodeRecord(1, { t: 'a' }), encodeRecord(2, { t: 'b', n: [1, null] }));
    const parsed = parseJournal(data);
    assert.equal(parsed.kind, 'ok');
    assert.deepEqual(parsed.kind === 'ok' && parsed.records, [
      { seq: 1, payload: { t: 'a' } },
      { seq: 2, payload: { t: 'b', n: [1, null] } },
    ]);
  });

  it('treats a record cut short at the end as a torn tail', () => {
    const first = encodeRecord(1, { t: 'a' });
    const second = encodeRecord(2, { t: 'b', big: 'x'.repeat(100) });
    for (const cut of [1, 7, 8, 20, second.length - 1]) {
      const parsed = parseJournal(journal(first, second.subarray(0, cut)));
      assert.equal(parsed.kind, 'tornTail', `cut at ${cut}`);
      if (parsed.kind === 'tornTail') {
        assert.equal(parsed.records.length, 1);
        assert.equal(parsed.validBytes, JOURNAL_MAGIC.length + first.length);
      }
    }
  });

  it('treats a damaged last record and trailing zeros as a torn tail', () => {
    const last = encodeRecord(2, { t: 'b' });
    last[last.length - 2] ^= 0xff;
    assert.equal(parseJournal(journal(encodeRecord(1, {}), last)).kind, 'tornTail');
    assert.equal(parseJournal(journal(encodeRecord(1, {}), Buffer.alloc(4096))).kind, 'tornTail');
  });

  it('refuses damage followed by more records as corruption', () => {
    const middle = encodeRecord(2, { t: 'b' });
    middle[12] ^= 0x01;
    const parsed = parseJournal(journal(encodeRecord(1, {}), middle, encodeRecord(3, {})));
    assert.equal(parsed.kind, 'corrupt');
    assert.match(parsed.kind === 'corrupt' ? parsed.reason : '', /checksum/);
  });

  it('refuses a file that is not a journal and sequence numbers that go backwards', () => {
    assert.equal(parseJournal(Buffer.from('SQLite format 3\0')).kind, 'corrupt');
    assert.equal(parseJournal(journal(encodeRecord(5, {}), encodeRecord(4, {}))).kind, 'corrupt');
  });
});
