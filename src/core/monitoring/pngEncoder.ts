import { deflateSync } from 'node:zlib';
import { glyphHeight, glyphRows, glyphWidth } from './pixelFont';

/** An RGB colour, 0..255 each. */
export type Rgb = readonly [number, number, number];

/**
 * A small RGB canvas with the few drawing operations a bar chart needs (filled rectangles, lines,
 * text in a 5×7 pixel font), encoded as PNG with node:zlib — no native code, no dependencies.
 */
export class Raster {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [255, 255, 255],
  ) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`A raster needs a positive whole width and height, not ${width}×${height}`);
    }
    this.pixels = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Sets one pixel; outside the canvas does nothing. */
  setPixel(x: number, y: number, color: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
      return;
    }
    const offset = (y * this.width + x) * 3;
    this.pixels[offset] = color[0];
    this.pixels[offset + 1] = color[1];
    this.pixels[offset + 2] = color[2];
  }

  /** The colour at a pixel. */
  pixel(x: number, y: number): Rgb {
    const offset = (y * this.width + x) * 3;
    return [this.pixels[offset], this.pixels[offset + 1], this.pixels[offset + 2]];
  }

  /** Fills the rectangle [x, x + width) × [y, y + height), clipped to the canvas (coordinates rounded). */
  fillRect(x: number, y: number, width: number, height: number, color: Rgb): void {
    const left = Math.max(0, Math.round(x));
    const top = Math.max(0, Math.round(y));
    const right = Math.min(this.width, Math.round(x + width));
    const bottom = Math.min(this.height, Math.round(y + height));
    for (let row = top; row < bottom; row++) {
      for (let column = left; column < right; column++) {
        this.setPixel(column, row, color);
      }
    }
  }

  /** A vertical dashed line at x from top to bottom. */
  dashedVerticalLine(x: number, top: number, bottom: number, color: Rgb, dash = 4): void {
    for (let y = Math.round(top); y < Math.round(bottom); y++) {
      if (Math.floor((y - top) / dash) % 2 === 0) {
        this.setPixel(Math.round(x), y, color);
      }
    }
  }

  /**
   * Draws text with the built-in 5×7 font, each font pixel `scale` pixels wide; characters the
   * font lacks are drawn as `?`. Returns the x after the text.
   */
  text(x: number, y: number, text: string, color: Rgb, scale = 1): number {
    let cursor = Math.round(x);
    for (const character of text) {
      const rows = glyphRows(character);
      rows.forEach((bits, row) => {
        for (let column = 0; column < glyphWidth; column++) {
          if (bits & (1 << (glyphWidth - 1 - column))) {
            this.fillRect(cursor + column * scale, Math.round(y) + row * scale, scale, scale, color);
          }
        }
      });
      cursor += (glyphWidth + 1) * scale;
    }
    return cursor;
  }

  /** The PNG file's bytes (8-bit RGB, no interlace). */
  toPng(): Buffer {
    return encodePng(this.width, this.height, this.pixels);
  }
}

/** Width in pixels of `text` drawn with `Raster.text` at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return [...text].length * (glyphWidth + 1) * scale;
}

/** Height in pixels of a line of text at `scale`. */
export function textHeight(scale = 1): number {
  return glyphHeight * scale;
}

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Encodes 8-bit RGB pixels (`width * height * 3` bytes, rows top to bottom) as a PNG file: IHDR,
 * one zlib-compressed IDAT with filter type 0 on every scanline, IEND.
 */
export function encodePng(width: number, height: number, rgb: Uint8Array): Buffer {
  const stride = width * 3;
  if (rgb.length !== stride * height) {
    throw new RangeError(`Expected ${stride * height} bytes of RGB for ${width}×${height}, got ${rgb.length}`);
  }
  const scanlines = Buffer.alloc((stride + 1) * height);
  for (let row = 0; row < height; row++) {
    scanlines[row * (stride + 1)] = 0;
    scanlines.set(rgb.subarray(row * stride, (row + 1) * stride), row * (stride + 1) + 1);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: truecolour
  header[10] = 0; // compression: deflate
  header[11] = 0; // filter method: adaptive (type 0 used throughout)
  header[12] = 0; // no interlace
  return Buffer.concat([pngSignature, chunk('IHDR', header), chunk('IDAT', deflateSync(scanlines, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (ISO 3309, the polynomial PNG and zlib use) of the bytes. */
export function crc32(bytes: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) {
        c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      }
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
