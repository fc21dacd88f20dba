import { axisPosition, axisTicks, buildAxis, type ParallelAxis } from '../../src/shared/compare/parallelAxes';
import { compareValue } from '../../src/shared/compare/runDiff';
import { formatNumber } from '../../src/shared/displayFormat';
import type { CompareRun } from '../../src/shared/protocol/compareProtocol';
import { seriesColor, withAlpha, type ChartTheme } from '../common/chartTheme';
import { h } from '../common/dom';

const HEIGHT = 320;
const TOP = 44;
const BOTTOM = 24;
const SIDE = 56;

/** A label for an axis id (`param:lr` → `lr`, `metric:loss` → `loss`). */
export function axisLabel(id: string): string {
  return id.slice(id.indexOf(':') + 1);
}

/**
 * A parallel-coordinates chart drawn on a canvas: one vertical axis per param or metric (numeric
 * or categorical), one line per run, colored by the run's color or by a metric's value. Hovering a
 * line highlights it and names the run; the run list beside it is the keyboard way in.
 */
export class ParallelCoordinates {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tip: HTMLElement;
  private lines: { run: CompareRun; points: ({ x: number; y: number } | undefined)[] }[] = [];
  private axes: ParallelAxis[] = [];
  private hovered: string | undefined;
  private last: { runs: CompareRun[]; axisIds: string[]; colorBy?: string; theme: ChartTheme } | undefined;

  constructor() {
    this.canvas = h('canvas', { role: 'img', 'aria-label': 'Parallel coordinates of the compared runs' });
    this.tip = h('div', { class: 'plot-tip', hidden: true, role: 'tooltip' });
    this.element = h('div', { class: 'parallel' }, this.canvas, this.tip);
    this.canvas.addEventListener('mousemove', (e) => this.onHover(e));
    this.canvas.addEventListener('mouseleave', () => this.highlight(undefined));
    new ResizeObserver(() => this.redraw()).observe(this.element);
  }

  draw(runs: CompareRun[], axisIds: string[], colorBy: string | undefined, theme: ChartTheme): void {
    this.last = { runs, axisIds, colorBy, theme };
    this.axes = axisIds.map((id) => buildAxis(id, axisLabel(id), runs.map((run) => compareValue(run, id))));
    this.redraw();
  }

  /** Highlights one run's line (from the run list too). */
  highlight(runId: string | undefined): void {
    if (this.hovered === runId) return;
    this.hovered = runId;
    if (!runId) this.tip.hidden = true;
    this.redraw();
  }

  private redraw(): void {
    const last = this.last;
    if (!last) return;
    const width = Math.max(320, this.element.clientWidth);
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(HEIGHT * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    const context = this.canvas.getContext('2d')!;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, HEIGHT);
    const { runs, theme } = last;
    const font = `${Math.max(11, theme.fontSize - 1)}px ${theme.fontFamily}`;
    context.font = font;
    if (this.axes.length === 0) {
      context.fillStyle = theme.muted;
      context.fillText('Choose params or metrics to draw as axes.', SIDE, HEIGHT / 2);
      return;
    }
    const spacing = this.axes.length > 1 ? (width - 2 * SIDE) / (this.axes.length - 1) : 0;
    const xOf = (i: number): number => (this.axes.length > 1 ? SIDE + i * spacing : width / 2);
    const yOf = (position: number): number => TOP + (1 - position) * (HEIGHT - TOP - BOTTOM);
    const colorAxis = last.colorBy ? buildAxis(last.colorBy, '', runs.map((run) => compareValue(run, last.colorBy!))) : undefined;
    this.lines = runs.map((run) => ({
      run,
      points: this.axes.map((axis, i) => {
        const position = axisPosition(axis, compareValue(run, axis.id));
        return position === undefined ? undefined : { x: xOf(i), y: yOf(position) };
      }),
    }));
    const colorOf = (run: CompareRun, index: number): string => {
      if (!colorAxis) return seriesColor(theme, index);
      const position = axisPosition(colorAxis, compareValue(run, colorAxis.id));
      return position === undefined ? theme.muted : gradient(position, theme);
    };
    this.lines.forEach(({ run, points }, index) => {
      const highlighted = this.hovered === run.runId;
      context.strokeStyle = this.hovered && !highlighted ? withAlpha(colorOf(run, index), 0.2) : colorOf(run, index);
      context.lineWidth = highlighted ? 3 : 1.5;
      context.beginPath();
      let drawing = false;
      for (const point of points) {
        if (!point) {
          drawing = false;
          continue;
        }
        if (drawing) context.lineTo(point.x, point.y);
        else context.moveTo(point.x, point.y);
        drawing = true;
      }
      context.stroke();
    });
    context.lineWidth = 1;
    this.axes.forEach((axis, i) => {
      const x = xOf(i);
      context.strokeStyle = theme.foreground;
      context.globalAlpha = 0.6;
      context.beginPath();
      context.moveTo(x, TOP);
      context.lineTo(x, HEIGHT - BOTTOM);
      context.stroke();
      context.globalAlpha = 1;
      context.fillStyle = theme.foreground;
      context.textAlign = 'center';
      context.fillText(truncate(context, `${axis.id.startsWith('metric:') ? '◆ ' : ''}${axis.label}`, Math.max(60, spacing - 8)), x, TOP - 22);
      context.fillStyle = theme.muted;
      for (const tick of axisTicks(axis, shortNumber).slice(0, 12)) {
        context.textAlign = i === this.axes.length - 1 && this.axes.length > 1 ? 'right' : 'left';
        context.fillText(truncate(context, tick.label, Math.max(40, spacing / 2)), x + (context.textAlign === 'right' ? -4 : 4), yOf(tick.position) + 4);
      }
    });
  }

  private onHover(e: MouseEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let best: { run: CompareRun; distance: number } | undefined;
    for (const { run, points } of this.lines) {
      for (let i = 1; i < points.length; i++) {
        const a = points[i - 1];
        const b = points[i];
        if (!a || !b) continue;
        const distance = segmentDistance(x, y, a.x, a.y, b.x, b.y);
        if (!best || distance < best.distance) best = { run, distance };
      }
    }
    const found = best && best.distance <= 6 ? best.run : undefined;
    this.highlight(found?.runId);
    if (found) {
      this.tip.hidden = false;
      this.tip.textContent = `${found.name}: ${this.axes.map((axis) => `${axis.label} ${formatNumber(compareValue(found, axis.id) as number)}`).join(' · ')}`;
      Object.assign(this.tip.style, { left: `${Math.min(x + 12, rect.width - 260)}px`, top: `${y + 12}px` });
    }
  }
}

/** Axis ticks: four significant digits are enough to read a position. */
function shortNumber(value: number): string {
  return Number.isInteger(value) || !Number.isFinite(value) ? formatNumber(value) : formatNumber(Number(value.toPrecision(4)));
}

/** Blue (low) to orange (high) through the theme's chart colors. */
function gradient(position: number, theme: ChartTheme): string {
  const low = theme.dark ? [55, 148, 255] : [0, 95, 184];
  const high = theme.dark ? [255, 140, 0] : [190, 80, 0];
  const mix = low.map((c, i) => Math.round(c + (high[i] - c) * position));
  return `rgb(${mix.join(', ')})`;
}

function truncate(context: CanvasRenderingContext2D, text: string, width: number): string {
  if (context.measureText(text).width <= width) return text;
  let cut = text;
  while (cut.length > 1 && context.measureText(`${cut}…`).width > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const t = length === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
