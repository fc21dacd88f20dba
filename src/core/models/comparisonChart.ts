/** One metric of an A/B comparison, for the chart. */
export interface ComparedMetric {
  name: string;
  a: number;
  b: number;
  /** Which direction is better (rmse: lower; accuracy: higher). */
  better: 'lower' | 'higher';
}

export interface ComparisonChartInput {
  title: string;
  labelA: string;
  labelB: string;
  metrics: ComparedMetric[];
  /** A line under the title (file, rows, task). */
  subtitle?: string;
}

const COLOR_A = '#4e79a7';
const COLOR_B = '#f28e2b';
const ROW_HEIGHT = 56;
const LEFT = 110;
const BAR_WIDTH = 380;

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function formatMetric(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-3)) return value.toExponential(3);
  return value.toFixed(magnitude >= 100 ? 1 : 4);
}

/** The better side of one metric ('tie' when equal). */
export function betterSide(metric: ComparedMetric): 'a' | 'b' | 'tie' {
  if (metric.a === metric.b) return 'tie';
  const aWins = metric.better === 'lower' ? metric.a < metric.b : metric.a > metric.b;
  return aWins ? 'a' : 'b';
}

/**
 * A standalone SVG: one row per metric with a bar for each model, scaled per metric (metrics have
 * different units), the value at the end of each bar, and a ✓ beside the better one.
 */
export function comparisonSvg(input: ComparisonChartInput): string {
  const top = input.subtitle ? 64 : 48;
  const height = top + input.metrics.length * ROW_HEIGHT + 36;
  const width = LEFT + BAR_WIDTH + 150;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="16" font-weight="bold" fill="#222">${escapeXml(input.title)}</text>`,
  ];
  if (input.subtitle) parts.push(`<text x="12" y="44" fill="#555">${escapeXml(input.subtitle)}</text>`);
  input.metrics.forEach((metric, index) => {
    const y = top + index * ROW_HEIGHT;
    const scale = Math.max(Math.abs(metric.a), Math.abs(metric.b)) || 1;
    const winner = betterSide(metric);
    parts.push(`<text x="12" y="${y + 22}" fill="#222">${escapeXml(metric.name)}</text>`);
    parts.push(`<text x="12" y="${y + 38}" fill="#888" font-size="10">${metric.better} is better</text>`);
    (['a', 'b'] as const).forEach((side, row) => {
      const value = metric[side];
      const length = Math.max(1, (Math.abs(value) / scale) * BAR_WIDTH);
      const barY = y + 6 + row * 22;
      parts.push(`<rect x="${LEFT}" y="${barY}" width="${length.toFixed(1)}" height="18" fill="${side === 'a' ? COLOR_A : COLOR_B}" rx="2"/>`);
      const mark = winner === side ? ' ✓' : '';
      parts.push(`<text x="${(LEFT + length + 6).toFixed(1)}" y="${barY + 13}" fill="#222">${escapeXml(formatMetric(value) + mark)}</text>`);
    });
  });
  const legendY = height - 14;
  parts.push(`<rect x="${LEFT}" y="${legendY - 10}" width="12" height="12" fill="${COLOR_A}"/>`);
  parts.push(`<text x="${LEFT + 18}" y="${legendY}" fill="#222">${escapeXml(input.labelA)}</text>`);
  parts.push(`<rect x="${LEFT + 200}" y="${legendY - 10}" width="12" height="12" fill="${COLOR_B}"/>`);
  parts.push(`<text x="${LEFT + 218}" y="${legendY}" fill="#222">${escapeXml(input.labelB)}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}

/** An HTML page with the chart and a table of the figures (no scripts, no external resources). */
export function comparisonHtml(input: ComparisonChartInput): string {
  const rows = input.metrics
    .map((m) => {
      const winner = betterSide(m);
      const label = winner === 'a' ? input.labelA : winner === 'b' ? input.labelB : 'tie';
      return `<tr><td>${escapeXml(m.name)}</td><td>${formatMetric(m.a)}</td><td>${formatMetric(m.b)}</td><td>${formatMetric(m.b - m.a)}</td><td>${escapeXml(label)}</td></tr>`;
    })
    .join('\n');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${escapeXml(input.title)}</title>`,
    '<style>body{font-family:sans-serif;margin:16px;color:#222}table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}</style>',
    '</head><body>',
    comparisonSvg(input),
    `<table><tr><th>metric</th><th>${escapeXml(input.labelA)}</th><th>${escapeXml(input.labelB)}</th><th>difference (B − A)</th><th>better</th></tr>`,
    rows,
    '</table></body></html>',
  ].join('\n');
}
