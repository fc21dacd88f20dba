import { ColumnDrift, DriftBin, DriftReport, formatNumber, formatPercent, formatPsi, formatPValue } from './drift';

export interface DriftReportOptions {
  title?: string;
  /** Names for the two datasets (file names, say). */
  referenceName?: string;
  currentName?: string;
  /** Shown under the title; ISO text or a Date. */
  generatedAt?: string | Date;
  /** Extra lines for a "Notes" section, such as JSON Lines schema drift. */
  warnings?: string[];
}

const referenceColor = '#6b8fc7';
const currentColor = '#e07b39';

const styles = `
:root { color-scheme: light dark; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin-bottom: 0.25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid #d0d7de; padding-bottom: 0.25rem; }
.meta { color: #59636e; margin-top: 0; }
.summary { font-size: 1.05rem; padding: 0.75rem 1rem; border-left: 4px solid #59636e; background: #f6f8fa; }
.summary.drift { border-color: #cf222e; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 0.5rem; border-radius: 1rem; font-size: 0.8rem; font-weight: 600; }
.badge.drift { background: #ffebe9; color: #a40e26; }
.badge.stable { background: #dafbe1; color: #116329; }
.legend span { display: inline-block; width: 0.8rem; height: 0.8rem; margin: 0 0.3rem 0 1rem; vertical-align: middle; }
svg text { font: 10px system-ui, sans-serif; fill: currentColor; }
@media (prefers-color-scheme: dark) {
  body { color: #e6edf3; background: #0d1117; }
  th, .summary { background: #161b22; }
  th, td, h2 { border-color: #30363d; }
  .meta { color: #9198a1; }
}
`;

/**
 * A self-contained HTML page for a drift report: summary, an overview table, and per column its
 * statistics, reasons and an inline SVG bar chart of reference against current shares. Inline CSS,
 * no scripts, every text escaped; a CSP that allows nothing else.
 */
export function renderDriftReport(report: DriftReport, options: DriftReportOptions = {}): string {
  const title = options.title ?? 'Data drift report';
  const referenceName = options.referenceName ?? 'reference';
  const currentName = options.currentName ?? 'current';
  const generatedAt = options.generatedAt instanceof Date ? options.generatedAt.toISOString() : options.generatedAt;
  const meta = [
    `${escapeHtml(referenceName)} (${report.rowCountRef.toLocaleString('en-US')} rows) against ${escapeHtml(currentName)} (${report.rowCountCur.toLocaleString('en-US')} rows)`,
    generatedAt === undefined ? undefined : `generated ${escapeHtml(generatedAt)}`,
  ].filter((part) => part !== undefined);
  const thresholds = report.thresholds;
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${styles}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="meta">${meta.join(' · ')}</p>`,
    `<p class="summary${report.driftedCount > 0 ? ' drift' : ''}">${escapeHtml(report.summary)}</p>`,
    `<p class="meta">A column drifts when PSI ≥ ${thresholds.psi}, the KS p-value &lt; ${thresholds.ksPValue} (numeric), ` +
      `the χ² p-value &lt; ${thresholds.chi2PValue} (categorical), or its null rate moves by ${formatPercent(thresholds.nullRateShift)} or more. ` +
      `Drifted: ${report.driftedCount} of ${report.columns.length} (${formatPercent(report.driftShare)}); mean PSI ${Number.isNaN(report.meanPsi) ? '–' : formatPsi(report.meanPsi)}.</p>`,
    overviewTable(report.columns),
    ...missingSection(report),
    ...notesSection(options.warnings ?? []),
    ...report.columns.map((column, index) => columnSection(column, index, referenceName, currentName)),
    '</body>',
    '</html>',
    '',
  ];
  return parts.join('\n');
}

function overviewTable(columns: readonly ColumnDrift[]): string {
  const rows = columns.map((column, index) => {
    const test =
      column.kind === 'numeric'
        ? column.ksPValue === undefined
          ? '–'
          : `KS D=${column.ks?.toFixed(3)}, ${formatPValue(column.ksPValue)}`
        : column.chi2PValue === undefined || Number.isNaN(column.chi2PValue)
          ? '–'
          : `χ²=${column.chi2?.toFixed(1)}, ${formatPValue(column.chi2PValue)}`;
    return (
      `<tr><td><a href="#column-${index}">${escapeHtml(column.column)}</a></td><td>${column.kind}</td>` +
      `<td class="number">${column.psi === null ? '–' : formatPsi(column.psi)}</td><td>${escapeHtml(test)}</td>` +
      `<td class="number">${formatPercent(column.nullRateRef)} → ${formatPercent(column.nullRateCur)}</td><td>${badge(column.drifted)}</td></tr>`
    );
  });
  return [
    '<table>',
    '<thead><tr><th>Column</th><th>Kind</th><th>PSI</th><th>Test</th><th>Null rate</th><th>Status</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

function missingSection(report: DriftReport): string[] {
  if (report.missingColumns.length === 0) {
    return [];
  }
  const items = report.missingColumns.map(
    (entry) => `<li>${escapeHtml(entry.column)}: ${entry.missingFrom === 'current' ? 'missing from the current data' : 'not in the reference data'}</li>`,
  );
  return ['<h2>Columns in one dataset only</h2>', `<ul>${items.join('')}</ul>`];
}

function notesSection(warnings: readonly string[]): string[] {
  if (warnings.length === 0) {
    return [];
  }
  return ['<h2>Notes</h2>', `<ul>${warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`];
}

function columnSection(column: ColumnDrift, index: number, referenceName: string, currentName: string): string {
  const rows: [string, string, string, string][] = [
    ['Non-null values', count(column.valueCountRef), count(column.valueCountCur), ''],
    ['Null rate', formatPercent(column.nullRateRef), formatPercent(column.nullRateCur), signedPoints(column.nullRateCur - column.nullRateRef)],
  ];
  if (column.meanRef !== undefined && column.meanCur !== undefined) {
    rows.push(['Mean', formatNumber(column.meanRef), formatNumber(column.meanCur), shift(column.meanShift, column.meanShiftInStd)]);
  }
  if (column.stdRef !== undefined && column.stdCur !== undefined) {
    rows.push(['Standard deviation', formatNumber(column.stdRef), formatNumber(column.stdCur), shift(column.stdShift, column.stdShiftInStd)]);
  }
  const statistics = [
    column.psi === null ? undefined : `PSI ${formatPsi(column.psi)}`,
    column.ks === undefined || column.ksPValue === undefined ? undefined : `KS D=${column.ks.toFixed(3)}, ${formatPValue(column.ksPValue)}`,
    column.chi2 === undefined || column.chi2PValue === undefined || Number.isNaN(column.chi2PValue)
      ? undefined
      : `χ²=${column.chi2.toFixed(1)} (${column.chi2DegreesOfFreedom} df), ${formatPValue(column.chi2PValue)}`,
  ].filter((part): part is string => part !== undefined);
  const reasons = column.reasons.length === 0 ? '' : `<ul>${column.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>`;
  return [
    `<h2 id="column-${index}">${escapeHtml(column.column)} ${badge(column.drifted)}</h2>`,
    `<p class="meta">${column.kind}${statistics.length > 0 ? ` · ${escapeHtml(statistics.join(' · '))}` : ''}</p>`,
    reasons,
    '<table>',
    `<thead><tr><th></th><th>${escapeHtml(referenceName)}</th><th>${escapeHtml(currentName)}</th><th>Shift</th></tr></thead>`,
    `<tbody>${rows.map((row) => `<tr><th>${row[0]}</th><td class="number">${row[1]}</td><td class="number">${row[2]}</td><td class="number">${escapeHtml(row[3])}</td></tr>`).join('')}</tbody>`,
    '</table>',
    column.bins.length === 0 ? '' : barChart(column.bins, column.kind === 'numeric' ? 'Share of values per reference-decile bin' : 'Share of values per category', referenceName, currentName),
  ].join('\n');
}

/** Grouped bars, one pair per bin, scaled to the largest share; each bar has a tooltip. */
export function barChart(bins: readonly DriftBin[], caption: string, referenceName: string, currentName: string): string {
  const plotHeight = 140;
  const labelHeight = 70;
  const groupWidth = 44;
  const barWidth = 16;
  const left = 36;
  const width = left + bins.length * groupWidth + 10;
  const height = plotHeight + labelHeight + 10;
  const largest = Math.max(...bins.map((bin) => Math.max(bin.reference, bin.current)), 1e-9);
  const top = 10;
  const y = (share: number): number => top + plotHeight - (share / largest) * plotHeight;
  const elements: string[] = [
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 5}" y2="${top + plotHeight}" stroke="currentColor" stroke-width="0.5"/>`,
    `<text x="${left - 4}" y="${top + 4}" text-anchor="end">${escapeHtml(formatPercent(largest))}</text>`,
    `<text x="${left - 4}" y="${top + plotHeight}" text-anchor="end">0%</text>`,
  ];
  bins.forEach((bin, index) => {
    const x = left + index * groupWidth + (groupWidth - 2 * barWidth) / 2;
    const bars: [number, string, string, number][] = [
      [x, referenceColor, referenceName, bin.reference],
      [x + barWidth, currentColor, currentName, bin.current],
    ];
    for (const [barX, color, name, share] of bars) {
      const barTop = y(share);
      elements.push(
        `<rect x="${barX}" y="${barTop.toFixed(1)}" width="${barWidth - 2}" height="${(top + plotHeight - barTop).toFixed(1)}" fill="${color}">` +
          `<title>${escapeHtml(`${bin.label} — ${name}: ${formatPercent(share)}`)}</title></rect>`,
      );
    }
    const labelX = left + index * groupWidth + groupWidth / 2;
    const labelY = top + plotHeight + 12;
    const label = bin.label.length > 18 ? `${bin.label.slice(0, 17)}…` : bin.label;
    elements.push(`<text x="${labelX}" y="${labelY}" text-anchor="end" transform="rotate(-35 ${labelX} ${labelY})">${escapeHtml(label)}</text>`);
  });
  return [
    `<figure>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(caption)}">`,
    ...elements,
    '</svg>',
    `<figcaption class="meta legend">${escapeHtml(caption)}<span style="background:${referenceColor}"></span>${escapeHtml(referenceName)}` +
      `<span style="background:${currentColor}"></span>${escapeHtml(currentName)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function badge(drifted: boolean): string {
  return drifted ? '<span class="badge drift">drifted</span>' : '<span class="badge stable">stable</span>';
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function signedPoints(delta: number): string {
  const points = delta * 100;
  return `${points >= 0 ? '+' : '−'}${Math.abs(points).toFixed(1)} pts`;
}

function shift(absolute: number | undefined, inStd: number | undefined): string {
  if (absolute === undefined || Number.isNaN(absolute)) {
    return '';
  }
  const sign = absolute >= 0 ? '+' : '−';
  const units = inStd === undefined ? '' : ` (${inStd >= 0 ? '+' : '−'}${Math.abs(inStd).toFixed(2)} σ)`;
  return `${sign}${formatNumber(Math.abs(absolute))}${units}`;
}
