import type { Chart, Scale } from 'chart.js';
import { forEachRawLinePoint, visibleRange } from '../../src/shared/charts/chartPoints';
import type { SeriesColumns } from '../../src/shared/charts/seriesColumns';
import type { XAxisKind } from '../../src/shared/protocol/chartsProtocol';

/** One run's series as the chart draws it. */
export interface DrawnSeries {
  runId: string;
  name: string;
  series: SeriesColumns;
  xs: Float64Array;
  color: string;
  /** The raw layer's color (the series color, faint). */
  rawColor: string;
  /** The smoothed values (absent without smoothing: the line is the raw last values). */
  smoothed?: Float64Array;
}

/** More runs than this in one chart: their lines are drawn 1 px wide. */
export const THIN_LINES_ABOVE = 10;

/** A hovered bucket: `meta` indexes the drawn series, `index` its buckets. */
export interface HoverItem {
  meta: number;
  index: number;
}

/**
 * Draws the series straight on the canvas from their typed columns, clipped to the plot area (no
 * chart.js dataset or element per point: chart.js draws the axes and grid): first the raw data
 * under the lines — with smoothing, the raw line faint behind the smoothed one (spikes kept as
 * min–max strokes); without, the min–max stroke of every bucket that holds more than one point —
 * then one line per run, the first run on top, then the hovered points.
 */
export function paintSeries(chart: Chart, series: readonly DrawnSeries[], hover: readonly HoverItem[], options: { xKind: XAxisKind; logY: boolean }): void {
  const area = chart.chartArea;
  if (!area) return;
  const xScale = chart.scales.x;
  const x = pixelMap(xScale);
  const y = pixelMap(chart.scales.y);
  const sorted = options.xKind === 'step';
  const context = chart.ctx;
  context.save();
  context.beginPath();
  context.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
  context.clip();
  context.lineWidth = 1;
  for (const m of series) {
    context.strokeStyle = m.rawColor;
    context.beginPath();
    if (m.smoothed) {
      let drawing = false;
      forEachRawLinePoint(m.series, m.xs, options.logY, (px, py) => {
        if (!Number.isFinite(py)) {
          drawing = false;
          return;
        }
        if (drawing) context.lineTo(x(px), y(py));
        else context.moveTo(x(px), y(py));
        drawing = true;
      });
    } else {
      const s = m.series;
      const [from, to] = visibleRange(m.xs, sorted, xScale.min, xScale.max);
      for (let i = from; i < to; i++) {
        const lo = s.min[i];
        const hi = s.max[i];
        if (lo === hi || !Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(m.xs[i]) || (options.logY && lo <= 0)) continue;
        const bottom = y(lo);
        const top = y(hi);
        // Under a pixel tall, the stroke lies inside the line drawn through the bucket's last value.
        if (bottom - top < 1) continue;
        const px = x(m.xs[i]);
        context.moveTo(px, bottom);
        context.lineTo(px, top);
      }
    }
    context.stroke();
  }
  // One line per run through its last (or smoothed) values; points that cannot be plotted (NaN,
  // ≤ 0 on a log axis) are stepped over. Drawn last to first, so the first run is on top. Many runs
  // get 1 px lines: less clutter where they overlap, and a tenth of the rasterising (software
  // canvas: 50 lines of 275 points 1.5 px wide ~11 ms, 1 px ~1 ms).
  const thin = series.length > THIN_LINES_ABOVE;
  context.lineCap = 'butt';
  context.lineJoin = thin ? 'bevel' : 'miter';
  for (let k = series.length - 1; k >= 0; k--) {
    const m = series[k];
    const values = m.smoothed ?? m.series.last;
    const [from, to] = visibleRange(m.xs, sorted, xScale.min, xScale.max);
    context.strokeStyle = m.color;
    context.lineWidth = thin ? 1 : m.smoothed ? 2 : 1.5;
    context.beginPath();
    let started = false;
    for (let i = from; i < to; i++) {
      const v = values[i];
      const xv = m.xs[i];
      if (!Number.isFinite(xv) || !Number.isFinite(v) || (options.logY && v <= 0)) continue;
      if (started) context.lineTo(x(xv), y(v));
      else context.moveTo(x(xv), y(v));
      started = true;
    }
    context.stroke();
  }
  for (const item of hover) {
    const m = series[item.meta];
    const v = (m.smoothed ?? m.series.last)[item.index];
    context.fillStyle = m.color;
    context.beginPath();
    context.arc(x(m.xs[item.index]), y(v), 3, 0, Math.PI * 2);
    context.fill();
  }
  context.restore();

}

/**
 * `scale.getPixelForValue` for the drawing loops: plain arithmetic on a linear scale (the same
 * mapping, clamped to ±32,767 px as chart.js does), the scale's own method on a log scale.
 */
function pixelMap(scale: Scale): (value: number) => number {
  const v0 = scale.min;
  const v1 = scale.max;
  const p0 = scale.getPixelForValue(v0);
  const p1 = scale.getPixelForValue(v1);
  if (scale.type !== 'linear' || !(v1 > v0) || !Number.isFinite(p0) || !Number.isFinite(p1)) return (value) => scale.getPixelForValue(value);
  const k = (p1 - p0) / (v1 - v0);
  return (value) => {
    const p = p0 + (value - v0) * k;
    return p < -32768 ? -32768 : p > 32767 ? 32767 : p;
  };
}
