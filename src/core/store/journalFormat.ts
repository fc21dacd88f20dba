import zlib from 'node:zlib';

/**
 * The journal's on-disk framing. A journal file is
 *
 *   "TSJ1" | records…
 *   record = u32 length | u32 crc32(body) | body
 *   body   = f64 seq | utf-8 JSON of the mutation
 *
 * (little-endian). A record is valid when its length fits in the file and its CRC matches.
 */

export const JOURNAL_MAGIC = Buffer.from('TSJ1', 'ascii');
const FRAME_HEADER = 8;
const SEQ_BYTES = 8;
/** Larger than any request body we accept (1 MB batches) with room to spare. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 (IEEE): zlib's native one where this Node has it (20.15+), else a table-driven one. */
export function crc32(bytes: Uint8Array): number {
  const native = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;
  if (native) return native(bytes) >>> 0;
  let c = -1;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

export function encodeRecord(seq: number, payload: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(payload), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER + SEQ_BYTES + json.length);
  frame.writeDoubleLE(seq, FRAME_HEADER);
  json.copy(frame, FRAME_HEADER + SEQ_BYTES);
  const body = frame.subarray(FRAME_HEADER);
  frame.writeUInt32LE(body.length, 0);
  frame.writeUInt32LE(crc32(body), 4);
  return frame;
}

export interface JournalRecord {
  seq: number;
  payload: unknown;
}

export type ParseOutcome =
  | { kind: 'ok'; records: JournalRecord[] }
  /** The file ends in a partial or damaged record: everything before `validBytes` is good. */
  | { kind: 'tornTail'; records: JournalRecord[]; validBytes: number; reason: string }
  /** Damage followed by more data: not a crash artefact, refuse to guess. */
  | { kind: 'corrupt'; offset: number; reason: string };

/**
 * Parses a whole journal file. A bad record that reaches the end of the file (or is followed only
 * by zero bytes, as a torn append can leave) is a torn tail: it was never acknowledged. A bad
 * record with valid-looking data after it is corruption.
 */
export function parseJournal(data: Buffer): ParseOutcome {
  if (data.length < JOURNAL_MAGIC.length) {
    return { kind: 'tornTail', records: [], validBytes: 0, reason: 'journal shorter than its header' };
  }
  if (!data.subarray(0, JOURNAL_MAGIC.length).equals(JOURNAL_MAGIC)) {
    return { kind: 'corrupt', offset: 0, reason: 'not a Trackside journal (bad magic)' };
  }
  const records: JournalRecord[] = [];
  let pos = JOURNAL_MAGIC.length;
  let lastSeq = -Infinity;
  while (pos < data.length) {
    const problem = (reason: string, recordEnd: number): ParseOutcome => {
      const restIsZero = data.subarray(pos).every((b) => b === 0);
      if (recordEnd >= data.length || restIsZero) return { kind: 'tornTail', records, validBytes: pos, reason };
      return { kind: 'corrupt', offset: pos, reason };
    };
    if (pos + FRAME_HEADER > data.length) return problem('partial record header', data.length);
    const length = data.readUInt32LE(pos);
    const expectedCrc = data.readUInt32LE(pos + 4);
    const end = pos + FRAME_HEADER + length;
    if (length < SEQ_BYTES || length > MAX_RECORD_BYTES) return problem(`impossible record length ${length}`, end);
    if (end > data.length) return problem('record runs past the end of the file', end);
    const body = data.subarray(pos + FRAME_HEADER, end);
    if (crc32(body) !== expectedCrc) return problem('checksum mismatch', end);
    const seq = body.readDoubleLE(0);
    let payload: unknown;
    try {
      payload = JSON.parse(body.subarray(SEQ_BYTES).toString('utf8'));
    } catch {
      return { kind: 'corrupt', offset: pos, reason: 'record with a valid checksum holds invalid JSON' };
    }
    if (!(seq > lastSeq)) return { kind: 'corrupt', offset: pos, reason: `sequence ${seq} after ${lastSeq}` };
    lastSeq = seq;
    records.push({ seq, payload });
    pos = end;
  }
  return { kind: 'ok', records };
}
