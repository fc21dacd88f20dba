/** Text kept up to a number of UTF-8 bytes, then a note of how much was dropped. */
export class CappedOutput {
  private readonly parts: Buffer[] = [];
  private kept = 0;
  private dropped = 0;

  constructor(private readonly capBytes: number) {}

  append(text: string): void {
    const bytes = Buffer.from(text, 'utf8');
    const room = this.capBytes - this.kept;
    if (bytes.length <= room) {
      this.parts.push(bytes);
      this.kept += bytes.length;
      return;
    }
    let cut = Math.max(0, room);
    while (cut > 0 && (bytes[cut] & 0xc0) === 0x80) cut--; // not inside a UTF-8 character
    if (cut > 0) this.parts.push(bytes.subarray(0, cut));
    this.kept += cut;
    this.dropped += bytes.length - cut;
  }

  get truncated(): boolean {
    return this.dropped > 0;
  }

  /** The kept bytes, with a closing note when some were dropped. */
  toBytes(): Buffer {
    if (this.dropped === 0) return Buffer.concat(this.parts);
    const megabyte = 1024 * 1024;
    const size = this.capBytes % megabyte === 0 ? `${this.capBytes / megabyte} MB` : `${this.capBytes} bytes`;
    const note = `\n[Trackside: output truncated at ${size}; ${this.dropped} more bytes were not kept.]\n`;
    return Buffer.concat([...this.parts, Buffer.from(note, 'utf8')]);
  }
}
