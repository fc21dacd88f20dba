import * as assert from 'node:assert/strict';
import { profileRows } from '../../../src/core/data/columnStats';
import { checkDrift } from '../../../src/core/monitoring/drift';
import { escapeHtml, renderDriftReport } from '../../../src/core/monitoring/report';
import { SeededRandom } from './seededRandom';

function sampleReport(): ReturnType<typeof checkDrift> {
  const random = new SeededRandom(9);
  const rows = (shift: number, cities: string[]): string[][] =>
    Array.from({ length: 400 }, (_, index) => [random.normal(shift, 1).toFixed(3), cities[index % cities.length]]);
  const header = ['score', '<b>city</b>'];
  return checkDrift(profileRows(header, rows(0, ['Oslo', 'Bergen'])), profileRows(header, rows(1, ['Oslo', 'Bergen', '<script>alert(1)</script>'])));
}

describe('renderDriftReport', () => {
  const html = renderDriftReport(sampleReport(), {
    title: 'Drift: "weekly" check',
    referenceName: 'train.csv',
    currentName: 'prod & live.csv',
    generatedAt: new Date(Date.UTC(2025, 0, 31, 12)),
  });

  it('is a complete page with inline CSS and a CSP that forbids everything else', () => {
    assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en">'));
    assert.ok(html.trimEnd().endsWith('</html>'));
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/);
    assert.match(html, /<style>[\s\S]+<\/style>/);
  });

  it('has no scripts and loads nothing from outside', () => {
    assert.equal(/<script/i.test(html), false);
    assert.equal(/\son\w+=/i.test(html), false, 'no event handler attributes');
    assert.equal(/(src|href)="(?!#)/i.test(html), false, 'only in-page links');
  });

  it('escapes every text that came from the data or the caller', () => {
    assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;'), 'a category value');
    assert.ok(html.includes('&#60;b&#62;city&#60;/b&#62;'), 'a column name');
    assert.ok(html.includes('<title>Drift: &#34;weekly&#34; check</title>'));
    assert.ok(html.includes('prod &#38; live.csv'));
    assert.equal(escapeHtml(`<a href='x'>&</a>`), '&#60;a href=&#39;x&#39;&#62;&#38;&#60;/a&#62;');
  });

  it('states the summary, the datasets and the time', () => {
    assert.match(html, /<p class="summary drift">2 of 2 columns drifted: score \(PSI \d\.\d\d\), &#60;b&#62;city&#60;\/b&#62; \(PSI \d\.\d\d\)\.<\/p>/);
    assert.ok(html.includes('train.csv (400 rows) against prod &#38; live.csv (400 rows) · generated 2025-01-31T12:00:00.000Z'));
  });

  it('draws one SVG chart per column with a bar pair per bin', () => {
    const charts = html.match(/<svg [\s\S]*?<\/svg>/g) ?? [];
    assert.equal(charts.length, 2);
    assert.equal((charts[0].match(/<rect /g) ?? []).length, 20, 'numeric: 10 quantile bins × 2');
    assert.equal((charts[1].match(/<rect /g) ?? []).length, 6, 'categorical: 3 categories × 2');
    assert.match(charts[1], /<title>&#60;script&#62;alert\(1\)&#60;\/script&#62; — train\.csv: 0\.0%<\/title>/);
  });

  it('has a table row per column and a section per column', () => {
    assert.equal((html.match(/<a href="#column-\d">/g) ?? []).length, 2);
    assert.ok(html.includes('<h2 id="column-0">score <span class="badge drift">drifted</span></h2>'));
    assert.match(html, /<tr><th>Mean<\/th><td class="number">[-\d.]+<\/td><td class="number">[-\d.]+<\/td><td class="number">\+[\d.]+ \(\+[\d.]+ σ\)<\/td><\/tr>/);
  });

  it('adds notes and missing columns when there are some', () => {
    const report = checkDrift(profileRows(['a', 'b'], [['1', '2']]), profileRows(['a'], [['1']]));
    const page = renderDriftReport(report, { warnings: ['Schema drift in x.jsonl: key <k>'] });
    assert.ok(page.includes('<li>b: missing from the current data</li>'));
    assert.ok(page.includes('<li>Schema drift in x.jsonl: key &#60;k&#62;</li>'));
  });
});
