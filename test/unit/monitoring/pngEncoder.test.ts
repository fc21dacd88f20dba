import assert from 'node:assert/strict';
import { checkDrift } from '../../../src/core/monitoring/drift';
import { chartedColumnLimit, renderDriftChartPng } from '../../../src/core/monitoring/driftChartPng';
import { keySegment, uniqueKeySegments } from '../../../src/core/monitoring/metricKeys';
import { crc32, encodePng, Raster, textWidth } from '../../../src/core/monitoring/pngEncoder';
import { profileRows } from '../../../src/core/data/columnStats';
import { countColor, decodePng } from './monitoringFixtures';

describe('PNG encoder', () => {
  it('computes the CRC-32 PNG uses (the IEND chunk of every PNG ends in AE 42 60 82)', () => {
    assert.equal(crc32(Buffer.from('IEND', 'ascii')), 0xae426082);
    assert.equal(crc32(Buffer.from('123456789', 'ascii')), 0xcbf43926);
  });

  it('encodes RGB pixels that decode back to the same pixels', () => {
    const pixels = Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    const png = encodePng(3, 2, pixels);
    assert.equal(png.readUInt32BE(png.length - 4), 0xae426082, 'IEND CRC');
    const decoded = decodePng(png);
    assert.equal(decoded.width, 3);
    assert.equal(decoded.height, 2);
    assert.deepEqual([...decoded.pixels], [...pixels]);
    assert.throws(() => encodePng(3, 3, pixels), /Expected 27 bytes/);
  });

  it('draws rectangles clipped to the canvas and text in the pixel font', () => {
    const raster = new Raster(20, 10);
    raster.fillRect(15, 5, 10, 10, [0, 0, 0]);
    assert.equal(countColor(decodePng(raster.toPng()), [0, 0, 0]), 5 * 5);
    const text = new Raster(40, 12);
    const end = text.text(1, 1, 'Hi', [0, 0, 0]);
    assert.equal(end, 1 + textWidth('Hi'));
    // H: two uprights of 7 pixels and 3 more in the bar; i: a dot, a 5-pixel stem with a serif, a 3-pixel foot.
    assert.equal(countColor(decodePng(text.toPng()), [0, 0, 0]), 17 + 9);
  });
});

describe('drift chart PNG', () => {
  it('draws a red bar per drifted column and a blue one per stable column, with a legend', () => {
    const reference = profileRows(['stable', 'moved'], Array.from({ length: 400 }, (_, i) => [String(i % 20), String(i % 20)]));
    const current = profileRows(['stable', 'moved'], Array.from({ length: 400 }, (_, i) => [String(i % 20), String((i % 20) + 15)]));
    const png = decodePng(renderDriftChartPng(checkDrift(reference, current)));
    const red = countColor(png, [207, 34, 46]);
    const blue = countColor(png, [107, 143, 199]);
    assert.ok(red > 1000, `a long red bar (${red} red pixels)`);
    assert.ok(blue > 14 * 14, `a blue bar and the legend's blue square (${blue} blue pixels)`);
  });

  it(`stops at ${chartedColumnLimit} columns and keeps its height bounded`, () => {
    const header = Array.from({ length: 200 }, (_, i) => `c${i}`);
    const rows = Array.from({ length: 20 }, (_, r) => header.map((_, c) => String(r + c)));
    const png = decodePng(renderDriftChartPng(checkDrift(profileRows(header, rows), profileRows(header, rows))));
    assert.ok(png.height < (chartedColumnLimit + 8) * 24, `height ${png.height}`);
  });
});

describe('metric key segments', () => {
  it('keeps what MLflow accepts and replaces the rest, slashes included', () => {
    assert.equal(keySegment('monthly charges-2.x'), 'monthly charges-2.x');
    assert.equal(keySegment('größe'), 'größe');
    assert.equal(keySegment('a/b'), 'a_b');
    assert.equal(keySegment('price ($)'), 'price ___');
    assert.equal(keySegment(''), '_');
    assert.equal(keySegment('x'.repeat(300)).length, 200);
  });

  it('gives every name its own segment, valid names keeping theirs', () => {
    const { segments, renamed } = uniqueKeySegments(['a/b', 'a_b', 'a?b', 'c']);
    assert.deepEqual([...segments], [
      ['a_b', 'a_b'],
      ['c', 'c'],
      ['a/b', 'a_b_2'],
      ['a?b', 'a_b_3'],
    ]);
    assert.deepEqual(renamed, { a_b_2: 'a/b', a_b_3: 'a?b' });
  });
});
