import type { SeriesColumns } from '../../src/shared/charts/seriesColumns';
import { h } from '../common/dom';

/** A small line of a metric's history: the min–max band faint, the last values on top (spikes show). */
export function sparkline(series: SeriesColumns | undefined, color: string, label: string): HTMLCanvasElement {
  const width = 120;
  const height = 26;
  const ratio = window.devicePixelRatio || 1;
  const canvas = h('canvas', { class: 'sparkline', role: 'img', 'aria-label': label, width: Math.round(width * ratio), height: Math.round(height * ratio) });
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const n = series?.steps.length ?? 0;
  if (!series || n === 0) return canvas;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    for (const v of [series.min[i], series.max[i], series.last[i]]) {
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!Number.isFinite(lo)) return canvas;
  const first = series.steps[0];
  const span = series.steps[n - 1] - first || 1;
  const x = (i: number): number => (n === 1 ? width / 2 : 2 + ((series.steps[i] - first) / span) * (width - 4));
  const y = (v: number): number => (hi === lo ? height / 2 : height - 2 - ((v - lo) / (hi - lo)) * (height - 4));
  const context = canvas.getContext('2d')!;
  context.scale(ratio, ratio);
  context.strokeStyle = color;
  context.globalAlpha = 0.3;
  context.beginPath();
  for (let i = 0; i < n; i++) {
    if (series.min[i] === series.max[i] || !Number.isFinite(series.min[i]) || !Number.isFinite(series.max[i])) continue;
    context.moveTo(x(i), y(series.min[i]));
    context.lineTo(x(i), y(series.max[i]));
  }
  context.stroke();
  context.globalAlpha = 1;
  context.lineWidth = 1.25;
  context.beginPath();
  let drawing = false;
  for (let i = 0; i < n; i++) {
    const v = series.last[i];
    if (!Number.isFinite(v)) {
      drawing = false;
      continue;
    }
    if (drawing) context.lineTo(x(i), y(v));
    else context.moveTo(x(i), y(v));
    drawing = true;
  }
  context.stroke();
  if (n === 1) {
    context.fillStyle = color;
    context.beginPath();
    context.arc(x(0), y(series.last[0]), 2, 0, Math.PI * 2);
    context.fill();
  }
  return canvas;
}
