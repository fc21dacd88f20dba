import * as assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DatasetProfile, profileRows } from '../../../src/core/data/columnStats';
import { checkDrift, ColumnDrift, DriftReport } from '../../../src/core/monitoring/drift';
import { checkDriftFiles } from '../../../src/core/monitoring/driftFiles';
import { removeFolder, tempFolder } from '../helpers/tempFolder';
import { SeededRandom } from './seededRandom';

/** A profile of named columns given as arrays of cell texts (numbers are written as text). */
function profile(columns: Record<string, (string | number)[]>): DatasetProfile {
  const names = Object.keys(columns);
  const length = columns[names[0]].length;
  const rows = Array.from({ length }, (_, index) => names.map((name) => String(columns[name][index])));
  return profileRows(names, rows);
}

function column(report: DriftReport, name: string): ColumnDrift {
  const found = report.columns.find((entry) => entry.column === name);
  assert.ok(found, `column ${name} is in the report`);
  return found;
}

function repeat(counts: Record<string, number>): string[] {
  return Object.entries(counts).flatMap(([value, count]) => Array<string>(count).fill(value));
}

describe('checkDrift', () => {
  it('finds nothing between a dataset and itself: PSI 0, KS D 0 and p 1, χ² p 1', () => {
    const random = new SeededRandom(1);
    const data = profile({ x: random.normals(2000), color: repeat({ red: 500, blue: 300, green: 200 }).concat(repeat({ red: 1000 })) });
    const report = checkDrift(data, data);
    const x = column(report, 'x');
    assert.equal(x.kind, 'numeric');
    assert.equal(x.psi, 0);
    assert.equal(x.ks, 0);
    assert.equal(x.ksPValue, 1);
    assert.equal(x.meanShift, 0);
    assert.equal(x.bins.length, 10, '10 quantile bins');
    x.bins.forEach((bin) => assert.ok(Math.abs(bin.reference - 0.1) < 1e-9, `each reference bin holds 10%: ${bin.reference}`));
    const color = column(report, 'color');
    assert.equal(color.kind, 'categorical');
    assert.equal(color.psi, 0);
    assert.equal(color.chi2, 0);
    assert.equal(color.chi2PValue, 1);
    assert.equal(report.driftedCount, 0);
    assert.equal(report.driftShare, 0);
    assert.equal(report.meanPsi, 0);
    assert.equal(report.summary, 'No drift: 0 of 2 columns drifted (mean PSI 0.00).');
  });

  it('keeps two samples of the same normal distribution stable', () => {
    const random = new SeededRandom(2);
    const report = checkDrift(profile({ x: random.normals(5000, 10, 2) }), profile({ x: random.normals(5000, 10, 2) }));
    const x = column(report, 'x');
    assert.ok((x.psi as number) < 0.02, `PSI ${x.psi}`);
    assert.ok((x.ksPValue as number) > 0.05, `KS p ${x.ksPValue}`);
    assert.equal(x.drifted, false);
    assert.deepEqual(x.reasons, []);
  });

  it('flags a half-sigma shift of a normal column by PSI and KS, and measures the shift in std units', () => {
    const random = new SeededRandom(3);
    const report = checkDrift(profile({ x: random.normals(5000, 100, 10) }), profile({ x: random.normals(5000, 105, 10) }));
    const x = column(report, 'x');
    assert.ok((x.ksPValue as number) < 1e-10, `KS p ${x.ksPValue}`);
    assert.ok((x.psi as number) > 0.2, `PSI ${x.psi}`);
    assert.ok(Math.abs((x.meanShiftInStd as number) - 0.5) < 0.1, `mean shift ${x.meanShiftInStd} σ`);
    assert.ok(Math.abs(x.stdShiftInStd as number) < 0.1, `std shift ${x.stdShiftInStd} σ`);
    assert.equal(x.drifted, true);
    assert.equal(x.reasons.length, 2);
    assert.match(x.reasons[0], /^PSI 0\.\d\d is at or above 0\.2\.$/);
    assert.match(x.reasons[1], /^KS test: D=0\.\d{3}, p<0\.001 is below 0\.05\.$/);
  });

  it('flags a categorical shift by PSI and chi-square, with a hand-checked PSI', () => {
    const reference = profile({ color: repeat({ a: 500, b: 300, c: 200 }) });
    const current = profile({ color: repeat({ a: 200, b: 300, c: 500 }) });
    const color = column(checkDrift(reference, current), 'color');
    // (0.2 - 0.5)·ln(0.4) + 0 + (0.5 - 0.2)·ln(2.5) = 0.5498
    assert.ok(Math.abs((color.psi as number) - 0.3 * Math.log(2.5) * 2) < 1e-12, `PSI ${color.psi}`);
    assert.equal(color.chi2DegreesOfFreedom, 2);
    assert.ok((color.chi2PValue as number) < 1e-30);
    assert.equal(color.headline, 'PSI 0.55');
  });

  it('handles a category that only one side has, with the empty-bin epsilon', () => {
    const reference = profile({ city: repeat({ Oslo: 50, Bergen: 50 }) });
    const current = profile({ city: repeat({ Oslo: 50, Bergen: 40, Tromsø: 10 }) });
    const city = column(checkDrift(reference, current), 'city');
    const expected = (0.4 - 0.5) * Math.log(0.4 / 0.5) + (0.1 - 1e-4) * Math.log(0.1 / 1e-4);
    assert.ok(Math.abs((city.psi as number) - expected) < 1e-12, `PSI ${city.psi} vs ${expected}`);
    // Bars go by the larger share on either side, ties alphabetically.
    assert.deepEqual(
      city.bins.map((bin) => bin.label),
      ['Bergen', 'Oslo', 'Tromsø'],
    );
    assert.equal(city.bins[2].reference, 0);
  });

  it('writes the plain-language summary naming each drifted column by its first reason', () => {
    const random = new SeededRandom(4);
    const size = 20_000;
    const reference = profile({
      age: random.normals(size, 40, 10),
      income: random.normals(size, 50, 10),
      city: repeat({ Oslo: size / 2, Bergen: size / 2 }),
      steady: random.normals(size),
    });
    const current = profile({
      age: random.normals(size, 50, 10),
      income: random.normals(size, 51, 10),
      city: repeat({ Oslo: size * 0.45, Bergen: size * 0.55 }),
      steady: random.normals(size),
    });
    const report = checkDrift(reference, current);
    assert.ok((column(report, 'income').psi as number) < 0.2, 'a tenth of a sigma is below the PSI limit');
    assert.ok((column(report, 'city').psi as number) < 0.2, '50/50 → 45/55 is below the PSI limit');
    assert.match(report.summary, /^3 of 4 columns drifted: age \(PSI \d\.\d\d\), income \(KS p<0\.001\), city \(χ² p<0\.001\)\.$/);
    assert.equal(report.driftShare, 0.75);
    assert.equal(column(report, 'steady').drifted, false);
  });

  it('flags a null-rate shift even when the values keep their distribution', () => {
    const values = new SeededRandom(5).normals(1000);
    const reference = profile({ x: values });
    const current = profile({ x: values.map((value, index) => (index % 10 < 3 ? '' : value)) });
    const x = column(checkDrift(reference, current), 'x');
    assert.equal(x.nullRateRef, 0);
    assert.equal(x.nullRateCur, 0.3);
    assert.ok((x.ksPValue as number) > 0.05, 'the non-null values did not move');
    assert.equal(x.drifted, true);
    assert.deepEqual(x.reasons, ['Its null rate moved from 0.0% to 30.0% (limit ±10.0%).']);
    assert.equal(x.headline, 'nulls 0.0% → 30.0%');
  });

  it('honours custom thresholds', () => {
    const values = new SeededRandom(6).normals(1000);
    const current = profile({ x: values.map((value, index) => (index % 10 < 3 ? '' : value)) });
    const report = checkDrift(profile({ x: values }), current, { nullRateShift: 0.5 });
    assert.equal(column(report, 'x').drifted, false);
    assert.equal(report.thresholds.psi, 0.2, 'the other limits keep their defaults');
  });

  it('compares a column whose type changed as categories, matching 1.0 with 1', () => {
    const reference = profile({ code: ['1', '2', '2', '1.0'] });
    const current = profile({ code: ['1', '2', 'unknown', '2.0'] });
    const code = column(checkDrift(reference, current), 'code');
    assert.equal(code.kind, 'categorical');
    assert.deepEqual(code.kindChange, { reference: 'numeric', current: 'categorical' });
    assert.equal(code.headline, 'numeric → categorical');
    const shares = Object.fromEntries(code.bins.map((bin) => [bin.label, [bin.reference, bin.current]]));
    assert.deepEqual(shares, { '1': [0.5, 0.25], '2': [0.5, 0.5], unknown: [0, 0.25] });
  });

  it('flags a column that became all empty, and lists columns missing on either side', () => {
    const reference = profile({ kept: [1, 2, 3], emptied: [1, 2, 3], dropped: [1, 2, 3] });
    const current = profile({ kept: [1, 2, 3], emptied: ['', '', ''], added: ['x', 'y', 'z'] });
    const report = checkDrift(reference, current);
    const emptied = column(report, 'emptied');
    assert.equal(emptied.psi, null);
    assert.equal(emptied.drifted, true);
    assert.equal(emptied.reasons[0], 'It has no non-empty values in the current data.');
    assert.deepEqual(report.missingColumns, [
      { column: 'dropped', missingFrom: 'current' },
      { column: 'added', missingFrom: 'reference' },
    ]);
    assert.equal(report.summary, '1 of 2 columns drifted: emptied (all empty in current). Missing from the current data: dropped. Not in the reference data: added.');
  });

  it('does not call a column that was all empty a type change when text arrives', () => {
    const report = checkDrift(profile({ note: ['', '', ''] }), profile({ note: ['late', 'text', ''] }));
    const note = column(report, 'note');
    assert.equal(note.kind, 'categorical');
    assert.equal(note.kindChange, undefined);
    assert.deepEqual(note.reasons, [
      'It has no non-empty values in the reference data.',
      'Its null rate moved from 100.0% to 33.3% (limit ±10.0%).',
    ]);
  });
});

describe('checkDriftFiles', () => {
  let folder: string;
  before(() => {
    folder = tempFolder('trackside-drift-');
  });
  after(() => removeFolder(folder));

  it('streams two CSV files through profiles and reports the shifted column', async () => {
    const random = new SeededRandom(8);
    const lines = (shift: number): string => {
      const rows = ['id,score,segment'];
      for (let index = 0; index < 3000; index++) {
        rows.push(`${index},${random.normal(shift, 1).toFixed(4)},${index % 3 === 0 ? '"gold, plus"' : 'basic'}`);
      }
      return rows.join('\n');
    };
    const referencePath = path.join(folder, 'reference.csv');
    const currentPath = path.join(folder, 'current.csv');
    fs.writeFileSync(referencePath, lines(0));
    fs.writeFileSync(currentPath, lines(1));
    const result = await checkDriftFiles(referencePath, currentPath, { batchSize: 500, chunkBytes: 4096 });
    assert.equal(result.report.rowCountRef, 3000);
    assert.equal(result.report.rowCountCur, 3000);
    assert.deepEqual(
      result.report.columns.map((entry) => [entry.column, entry.kind, entry.drifted]),
      [
        ['id', 'numeric', false],
        ['score', 'numeric', true],
        ['segment', 'categorical', false],
      ],
    );
    assert.deepEqual(
      column(result.report, 'segment').bins.map((bin) => bin.label),
      ['basic', 'gold, plus'],
    );
    assert.deepEqual(result.warnings, []);
  });

  it('reads JSON Lines by extension and passes schema drift on as a warning', async () => {
    const referencePath = path.join(folder, 'reference.jsonl');
    const currentPath = path.join(folder, 'current.jsonl');
    fs.writeFileSync(referencePath, ['{"a": 1}', '{"a": 2}', '{"a": 3}'].join('\n'));
    fs.writeFileSync(currentPath, ['{"a": 1}', '{"a": 2, "extra": true}', '{"a": 3}'].join('\n'));
    const result = await checkDriftFiles(referencePath, currentPath, { batchSize: 1 });
    assert.equal(result.report.columns.length, 1);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0], /^Schema drift in current\.jsonl: key 'extra' first appears on line 2/);
  });
});
