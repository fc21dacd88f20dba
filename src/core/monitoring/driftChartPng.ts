import { DriftReport, formatPsi } from './drift';
import { Raster, Rgb, textHeight, textWidth } from './pngEncoder';

const scale = 2;
const padding = 16;
const rowHeight = 24;
const barAreaWidth = 420;
const valueWidth = textWidth('0.00 drifted', scale) + 8;
const labelCharacters = 24;
/** Height of capitals and digits (the font's 7 rows). */
const capHeight = 7 * scale;
/** Columns drawn; the rest are summed up in one line. */
export const chartedColumnLimit = 60;

const ink: Rgb = [31, 35, 40];
const muted: Rgb = [89, 99, 110];
const drifted: Rgb = [207, 34, 46];
const stable: Rgb = [107, 143, 199];
const threshold: Rgb = [31, 35, 40];
const gridLine: Rgb = [208, 215, 222];
const background: Rgb = [255, 255, 255];

/**
 * The drift report as a PNG picture: one horizontal bar per column, its length the column's PSI
 * (largest first), red when the column drifted (for any reason), blue when stable, a dashed line at
 * the PSI threshold, the summary above and a legend below.
 */
export function renderDriftChartPng(report: DriftReport): Buffer {
  const columns = [...report.columns].sort((a, b) => (b.psi ?? -1) - (a.psi ?? -1) || a.column.localeCompare(b.column));
  const shown = columns.slice(0, chartedColumnLimit);
  const hidden = columns.length - shown.length;
  const longest = Math.max(4, ...shown.map((column) => Math.min(labelCharacters, [...column.column].length)));
  const labelWidth = textWidth('x'.repeat(longest), scale);
  const plotLeft = padding + labelWidth + 10;
  const width = plotLeft + barAreaWidth + valueWidth + padding;
  const headerHeight = padding + 2 * (textHeight(scale) + 10) + 8;
  const rows = Math.max(1, shown.length) + (hidden > 0 ? 1 : 0);
  const legendTop = headerHeight + rows * rowHeight + 16;
  const height = legendTop + textHeight(scale) + padding + 4;
  const raster = new Raster(width, height, background);

  const psiLimit = report.thresholds.psi;
  const largest = Math.max(psiLimit * 1.5, ...shown.map((column) => (column.psi !== null && Number.isFinite(column.psi) ? column.psi : 0)));
  const barLength = (psi: number): number => Math.max(1, Math.round((Math.min(psi, largest) / largest) * barAreaWidth));

  raster.text(padding, padding, fit(`Data drift: PSI per column (threshold ${psiLimit})`, width - 2 * padding), ink, scale);
  raster.text(padding, padding + textHeight(scale) + 10, fit(headline(report), width - 2 * padding), report.driftedCount > 0 ? drifted : muted, scale);

  const plotTop = headerHeight - 4;
  const plotBottom = headerHeight + Math.max(1, shown.length) * rowHeight;
  raster.fillRect(plotLeft, plotTop, 1, plotBottom - plotTop, gridLine);
  if (shown.length === 0) {
    raster.text(plotLeft + 8, headerHeight + 4, 'No columns to compare', muted, scale);
  }
  const labels: [number, number, string, Rgb][] = [];
  shown.forEach((column, index) => {
    const top = headerHeight + index * rowHeight;
    const textTop = top + Math.round((rowHeight - textHeight(scale)) / 2) + 2;
    raster.text(padding, textTop, clip(column.column, labelCharacters), ink, scale);
    if (column.psi === null || !Number.isFinite(column.psi)) {
      labels.push([plotLeft + 6, textTop, column.drifted ? 'no PSI, drifted' : 'no PSI', column.drifted ? drifted : muted]);
      return;
    }
    const length = barLength(column.psi);
    raster.fillRect(plotLeft + 1, top + 4, length, rowHeight - 8, column.drifted ? drifted : stable);
    const label = `${column.psi > largest ? '>' : ''}${formatPsi(column.psi)}${column.drifted ? ' drifted' : ''}`;
    labels.push([plotLeft + 1 + length + 6, textTop, label, column.drifted ? drifted : muted]);
  });
  if (hidden > 0) {
    raster.text(padding, headerHeight + shown.length * rowHeight + 5, `… and ${hidden} more column${hidden === 1 ? '' : 's'} (see report.html)`, muted, scale);
  }
  const thresholdX = plotLeft + 1 + Math.round((psiLimit / largest) * barAreaWidth);
  raster.dashedVerticalLine(thresholdX, plotTop, plotBottom + 4, threshold);
  // Values go over the threshold line, each on a patch of background.
  for (const [x, y, text, color] of labels) {
    raster.fillRect(x - 2, y - 2, textWidth(text, scale) + 2, textHeight(scale) + 2, background);
    raster.text(x, y, text, color, scale);
  }

  let x = padding;
  const legendText = legendTop;
  for (const [color, name] of [
    [drifted, 'drifted'],
    [stable, 'stable'],
  ] as const) {
    raster.fillRect(x, legendText, capHeight, capHeight, color);
    x = raster.text(x + capHeight + 6, legendText, name, ink, scale) + 14;
  }
  raster.dashedVerticalLine(x + 2, legendText - 2, legendText + capHeight + 2, threshold, 3);
  raster.text(x + 10, legendText, `PSI threshold ${psiLimit}`, ink, scale);
  return raster.toPng();
}

function headline(report: DriftReport): string {
  const total = report.columns.length;
  const rows = `${report.rowCountRef.toLocaleString('en-US')} vs ${report.rowCountCur.toLocaleString('en-US')} rows`;
  if (total === 0) {
    return `No shared columns (${rows})`;
  }
  return `${report.driftedCount} of ${total} column${total === 1 ? '' : 's'} drifted (${rows})`;
}

function clip(text: string, characters: number): string {
  const glyphs = [...text];
  return glyphs.length <= characters ? text : `${glyphs.slice(0, characters - 1).join('')}…`;
}

function fit(text: string, pixels: number): string {
  const characters = Math.floor(pixels / textWidth('x', scale));
  return clip(text, characters);
}
