import { Chart, type ChartOptions as ChartJsOptions, type Plugin } from 'chart.js';
import { nearestIndex } from '../../src/shared/charts/chartPoints';
import { smoothEma } from '../../src/shared/charts/emaSmoothing';
import type { SeriesColumns } from '../../src/shared/charts/seriesColumns';
import { formatX, xValues } from '../../src/shared/charts/xAxis';
import { formatDateTime, formatNumber } from '../../src/shared/displayFormat';
import type { ChartRun, XAxisKind } from '../../src/shared/protocol/chartsProtocol';
import { seriesColor, withAlpha, type ChartTheme } from '../common/chartTheme';
import { h, replaceChildren } from '../common/dom';
import { paintSeries, type DrawnSeries, type HoverItem } from './seriesPainter';

export interface ChartOptions {
  xKind: XAxisKind;
  xMetric?: string;
  logY: boolean;
  smoothing: number;
  runs: readonly ChartRun[];
  hidden: ReadonlySet<string>;
  theme: ChartTheme;
  /** The x-axis metric's series of a run (x-axis by metric). */
  xSeries(runId: string): SeriesColumns | undefined;
}

export interface ChartEvents {
  /** The person zoomed or panned to an x range (undefined: reset). */
  zoomed(key: string, range: [number, number] | undefined): void;
}

/** The series layer: `paintSeries` under chart.js's axes and grid (see seriesPainter.ts). */
const seriesLayer: Plugin<'line'> = {
  id: 'tracksideSeries',
  beforeDatasetsDraw(chart) {
    const owner = (chart as unknown as { $trackside?: MetricChart }).$trackside ?? (chart.canvas as HTMLCanvasElement & { $pending?: MetricChart }).$pending;
    owner?.drawSeries(chart);
  },
};

/** More runs than this at the hovered x: the tooltip lists the ones nearest the pointer. */
const MAX_TOOLTIP_ROWS = 10;

const ZOOM_STEP = 0.8;
const PAN_STEP = 0.15;

/**
 * One metric's chart (all runs), reused across updates: data changes replace the series and
 * redraw without animation. Hovering shows the nearest bucket of each run at that x. Drag to zoom
 * into an x range, Shift+drag to pan, Ctrl+wheel to zoom at the pointer, double-click (or 0) to
 * reset; the keyboard does the same with + - ← →.
 */
export class MetricChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly selection: HTMLElement;
  private readonly tooltip: HTMLElement;
  /** Created once (empty, with Trackside's formatters: chart.js's default ones build Intl formats), then reused. */
  private chart: Chart<'line'> | undefined;
  private meta: DrawnSeries[] = [];
  private hover: HoverItem[] = [];
  /** Where the pointer is over the canvas (CSS px), while it is: live updates keep the hover there. */
  private pointer: { x: number; y: number } | undefined;
  private drag: { startX: number; pan: boolean; min: number; max: number } | undefined;
  private options: ChartOptions | undefined;

  constructor(
    readonly key: string,
    private readonly events: ChartEvents,
    theme: ChartTheme,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': `Chart of ${key}` });
    this.selection = h('div', { class: 'zoom-selection', hidden: true });
    this.tooltip = h('div', { class: 'chart-tooltip', hidden: true, 'aria-hidden': 'true' });
    this.element = h('div', { class: 'chart-body', tabindex: 0, 'aria-label': `${key} chart. Plus and minus zoom, arrows pan, 0 resets.` }, this.canvas, this.selection, this.tooltip);
    // Created (empty) at once, so its set-up overlaps the host's answer; Trackside's formatters from the start.
    const plain = { ticks: { callback: (value: number | string) => formatNumber(Number(value)) } };
    this.chart = this.create({ x: { type: 'linear', ...plain }, y: { type: 'linear', ...plain } }, theme);
    this.element.addEventListener('mousedown', (e) => this.onDown(e));
    this.element.addEventListener('mousemove', (e) => this.onHover(e));
    this.element.addEventListener('mouseleave', () => {
      this.pointer = undefined;
      this.setHover([]);
    });
    window.addEventListener('mousemove', (e) => this.onMove(e));
    window.addEventListener('mouseup', (e) => this.onUp(e));
    this.element.addEventListener('dblclick', () => this.events.zoomed(this.key, undefined));
    this.element.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Plot width in CSS pixels (for the bucket budget). */
  get plotWidth(): number {
    const area = this.chart?.chartArea;
    return area ? area.right - area.left : Math.max(100, this.element.clientWidth - 70);
  }

  /** The x values of a run's series as drawn (for turning a zoomed x range into steps). */
  xsOf(runId: string): { steps: Float64Array; xs: Float64Array } | undefined {
    const found = this.meta.find((m) => m.runId === runId);
    return found ? { steps: found.series.steps, xs: found.xs } : undefined;
  }

  update(series: ReadonlyMap<string, SeriesColumns>, options: ChartOptions, range: [number, number] | undefined): void {
    this.options = options;
    const meta: DrawnSeries[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    let left = Infinity;
    let right = -Infinity;
    options.runs.forEach((run, index) => {
      const s = series.get(run.runId);
      if (!s || options.hidden.has(run.runId) || s.steps.length === 0) return;
      const xs = this.xsFor(s, options);
      const smoothed = options.smoothing > 0 ? smoothEma(s.last, options.smoothing) : undefined;
      const include = (v: number): void => {
        if (!Number.isFinite(v) || (options.logY && v <= 0)) return;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      };
      for (let i = 0; i < xs.length; i++) {
        const x = xs[i];
        if (x < left) left = x;
        if (x > right) right = x;
        if (range && (x < range[0] || x > range[1])) continue;
        include(s.min[i]);
        include(s.max[i]);
        include(s.last[i]);
      }
      const color = seriesColor(options.theme, index);
      const rawColor = withAlpha(color, smoothed ? (options.theme.highContrast ? 0.45 : 0.28) : 0.55);
      meta.push({ runId: run.runId, name: run.name, series: s, xs, color, rawColor, smoothed });
    });
    this.meta = meta;
    this.hover = [];
    // Bounds given, not derived: there are no chart.js datasets to derive them from. The y range
    // holds the raw layer's min and max too (with a margin).
    const [xMin, xMax] = range ?? (left <= right ? [left, right === left ? left + 1 : right] : [undefined, undefined]);
    const [yMin, yMax] = yBounds(lo, hi, options.logY);
    const scales = {
      x: {
        type: 'linear' as const,
        min: xMin,
        max: xMax,
        ticks: { maxRotation: 0, autoSkipPadding: 18, includeBounds: false, callback: (value: number | string) => formatX(options.xKind, Number(value)) },
        title: { display: true, text: axisTitle(options), color: options.theme.muted },
      },
      y: {
        type: options.logY ? ('logarithmic' as const) : ('linear' as const),
        min: yMin,
        max: yMax,
        ticks: { includeBounds: false, callback: (value: number | string) => formatNumber(Number(value)) },
      },
    };
    if (!this.chart) this.chart = this.create(scales, options.theme);
    else {
      const chart = this.chart;
      // Mutated in place: new option objects would make chart.js rebuild its option resolvers.
      const current = chart.options.scales as Record<'x' | 'y', Record<string, unknown>>;
      for (const axis of ['x', 'y'] as const) Object.assign(current[axis], scales[axis]);
      chart.options.color = options.theme.foreground;
      chart.options.borderColor = options.theme.grid;
      chart.update('none');
    }
    if (this.pointer && !this.drag) this.hoverAt(this.pointer.x, this.pointer.y);
    else this.tooltip.hidden = true;
    this.canvas.setAttribute('aria-label', `Chart of ${this.key}: ${meta.length} runs${range ? `, zoomed to ${formatX(options.xKind, range[0])}–${formatX(options.xKind, range[1])}` : ''}`);
  }

  private create(scales: ChartJsOptions<'line'>['scales'], theme: ChartTheme): Chart<'line'> {
    // The owner is set before the first render (the constructor renders): the series layer needs it.
    const canvas = this.canvas as HTMLCanvasElement & { $pending?: MetricChart };
    canvas.$pending = this;
    const chart = new Chart<'line'>(canvas, {
      type: 'line',
      data: { datasets: [] },
      plugins: [seriesLayer],
      options: {
        color: theme.foreground,
        borderColor: theme.grid,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        // Pointer events are handled here (hover, zoom, pan): chart.js has no elements to hit-test.
        events: [],
        scales,
        plugins: { tooltip: { enabled: false } },
      },
    });
    (chart as unknown as { $trackside: MetricChart }).$trackside = this;
    delete canvas.$pending;
    return chart;
  }

  /** The chart as a PNG on the editor background (base64, no data: prefix). */
  png(background: string): string {
    if (!this.chart) return '';
    const copy = document.createElement('canvas');
    copy.width = this.canvas.width;
    copy.height = this.canvas.height;
    const context = copy.getContext('2d')!;
    context.fillStyle = background;
    context.fillRect(0, 0, copy.width, copy.height);
    context.drawImage(this.canvas, 0, 0);
    return copy.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  }

  /** The series layer (see `seriesLayer`). */
  drawSeries(chart: Chart): void {
    if (this.options) paintSeries(chart, this.meta, this.hover, this.options);
  }

  destroy(): void {
    this.chart?.destroy();
    this.element.remove();
  }

  private xsFor(series: SeriesColumns, options: ChartOptions): Float64Array {
    const run = options.runs.find((r) => r.runId === series.runId);
    return xValues(options.xKind, series, { runStart: run?.startTime, xSeries: options.xKind === 'metric' ? options.xSeries(series.runId) : undefined });
  }

  /** Hover: the bucket of each run nearest to the pointer along x (those at the nearest x), as chart.js's `nearest` mode on x did. */
  private onHover(e: MouseEvent): void {
    if (this.drag) return;
    const rect = this.canvas.getBoundingClientRect();
    this.pointer = { x: e.clientX - rect.left, y: e.clientY - rect.top };
    this.hoverAt(this.pointer.x, this.pointer.y);
  }

  private hoverAt(px: number, py: number): void {
    const chart = this.chart;
    const options = this.options;
    const area = chart?.chartArea;
    if (!chart || !options || !area) return;
    if (px < area.left || px > area.right || py < area.top || py > area.bottom) {
      this.setHover([]);
      return;
    }
    const x = chart.scales.x;
    const target = x.getValueForPixel(px) ?? 0;
    const sorted = options.xKind === 'step';
    let best = Infinity;
    let items: HoverItem[] = [];
    this.meta.forEach((m, k) => {
      const i = nearestIndex(m.xs, m.smoothed ?? m.series.last, target, options.logY, sorted, x.min, x.max);
      if (i < 0) return;
      const distance = Math.abs(x.getPixelForValue(m.xs[i]) - px);
      if (distance < best - 0.01) {
        best = distance;
        items = [{ meta: k, index: i }];
      } else if (distance <= best + 0.01) items.push({ meta: k, index: i });
    });
    this.setHover(items, py);
  }

  private setHover(items: HoverItem[], pointerY = 0): void {
    const same = items.length === this.hover.length && items.every((item, i) => item.meta === this.hover[i].meta && item.index === this.hover[i].index);
    if (!same) {
      this.hover = items;
      this.chart?.draw();
    }
    if (items.length === 0) {
      this.tooltip.hidden = true;
      return;
    }
    if (!same) this.renderTooltip(items, pointerY);
    this.placeTooltip(items);
  }

  private renderTooltip(items: HoverItem[], pointerY: number): void {
    const y = this.chart!.scales.y;
    let shown = items;
    if (items.length > MAX_TOOLTIP_ROWS) {
      const distance = (item: HoverItem): number => {
        const m = this.meta[item.meta];
        return Math.abs(y.getPixelForValue((m.smoothed ?? m.series.last)[item.index]) - pointerY);
      };
      const nearest = new Set([...items].sort((a, b) => distance(a) - distance(b)).slice(0, MAX_TOOLTIP_ROWS));
      shown = items.filter((item) => nearest.has(item));
    }
    const first = this.meta[items[0].meta];
    replaceChildren(
      this.tooltip,
      h('div', { class: 'tooltip-title' }, this.tooltipTitle(first, items[0].index)),
      shown.map((item) => {
        const m = this.meta[item.meta];
        return h('div', { class: 'tooltip-row' }, h('span', { class: 'swatch', style: { background: m.color } }), h('span', null, this.tooltipLabel(m, item.index)));
      }),
      items.length > shown.length ? h('div', { class: 'tooltip-more' }, `+${items.length - shown.length} more runs (the ${shown.length} nearest the pointer are listed)`) : null,
    );
    this.tooltip.hidden = false;
  }

  /** Beside the hovered points (their mean height), on the side of the pointer with room. */
  private placeTooltip(items: HoverItem[]): void {
    const chart = this.chart!;
    const x = chart.scales.x;
    const y = chart.scales.y;
    let sumY = 0;
    for (const item of items) {
      const m = this.meta[item.meta];
      sumY += y.getPixelForValue((m.smoothed ?? m.series.last)[item.index]);
    }
    const first = this.meta[items[0].meta];
    const anchorX = this.canvas.offsetLeft + x.getPixelForValue(first.xs[items[0].index]);
    const anchorY = this.canvas.offsetTop + sumY / items.length;
    const width = this.tooltip.offsetWidth;
    const height = this.tooltip.offsetHeight;
    const room = this.element.clientWidth;
    const left = anchorX + 12 + width <= room ? anchorX + 12 : Math.max(0, anchorX - 12 - width);
    const top = Math.max(0, Math.min(this.element.clientHeight - height, anchorY - height / 2));
    Object.assign(this.tooltip.style, { left: `${left}px`, top: `${top}px` });
  }

  private tooltipTitle(m: DrawnSeries, i: number): string {
    const options = this.options!;
    const step = m.series.steps[i];
    if (options.xKind === 'step') return `step ${step}`;
    return `step ${step} · ${axisTitle(options)} ${formatX(options.xKind, m.xs[i])}`;
  }

  private tooltipLabel(m: DrawnSeries, i: number): string {
    const s = m.series;
    const value = m.smoothed ? m.smoothed[i] : s.last[i];
    const parts = [`${m.name}: ${formatNumber(value)}`];
    if (m.smoothed) parts.push(`raw ${formatNumber(s.last[i])}`);
    if (s.min[i] !== s.max[i]) parts.push(`min ${formatNumber(s.min[i])} max ${formatNumber(s.max[i])}`);
    parts.push(`step ${s.steps[i]}`, formatDateTime(s.times[i]));
    return parts.join(' · ');
  }

  private valueAt(pixel: number): number {
    return this.chart?.scales.x.getValueForPixel(pixel) ?? 0;
  }

  private currentRange(): [number, number] {
    const scale = this.chart?.scales.x;
    return scale ? [scale.min, scale.max] : [0, 1];
  }

  private onDown(e: MouseEvent): void {
    if (e.button !== 0) return;
    const area = this.chart?.chartArea;
    const x = e.clientX - this.canvas.getBoundingClientRect().left;
    if (!area || x < area.left || x > area.right) return;
    const [min, max] = this.currentRange();
    this.drag = { startX: x, pan: e.shiftKey, min, max };
    this.setHover([]);
    e.preventDefault();
  }

  private onMove(e: MouseEvent): void {
    if (!this.drag) return;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const chart = this.chart;
    if (!chart) return;
    if (this.drag.pan) {
      const delta = this.valueAt(this.drag.startX) - this.valueAt(x);
      chart.options.scales!.x!.min = this.drag.min + delta;
      chart.options.scales!.x!.max = this.drag.max + delta;
      chart.update('none');
      return;
    }
    const area = chart.chartArea;
    const left = Math.max(area.left, Math.min(this.drag.startX, x));
    const right = Math.min(area.right, Math.max(this.drag.startX, x));
    const top = this.canvas.offsetTop + area.top;
    Object.assign(this.selection.style, { left: `${this.canvas.offsetLeft + left}px`, width: `${right - left}px`, top: `${top}px`, height: `${area.bottom - area.top}px` });
    this.selection.hidden = right - left < 3;
  }

  private onUp(e: MouseEvent): void {
    const drag = this.drag;
    if (!drag) return;
    this.drag = undefined;
    this.selection.hidden = true;
    const rect = this.canvas.getBoundingClientRect();
    const x = e.clientX - rect.left;
    if (drag.pan) {
      this.events.zoomed(this.key, this.currentRange());
      return;
    }
    if (Math.abs(x - drag.startX) < 5) return;
    const a = this.valueAt(Math.min(drag.startX, x));
    const b = this.valueAt(Math.max(drag.startX, x));
    this.events.zoomed(this.key, [a, b]);
  }

  private onWheel(e: WheelEvent): void {
    if (!(e.ctrlKey || e.metaKey)) return;
    e.preventDefault();
    this.zoomAround(this.valueAt(e.clientX - this.canvas.getBoundingClientRect().left), e.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
  }

  private onKey(e: KeyboardEvent): void {
    const [min, max] = this.currentRange();
    const span = max - min;
    if (e.key === '+' || e.key === '=') this.zoomAround((min + max) / 2, ZOOM_STEP);
    else if (e.key === '-') this.zoomAround((min + max) / 2, 1 / ZOOM_STEP);
    else if (e.key === 'ArrowLeft') this.events.zoomed(this.key, [min - span * PAN_STEP, max - span * PAN_STEP]);
    else if (e.key === 'ArrowRight') this.events.zoomed(this.key, [min + span * PAN_STEP, max + span * PAN_STEP]);
    else if (e.key === '0' || e.key === 'Escape') this.events.zoomed(this.key, undefined);
    else return;
    e.preventDefault();
  }

  private zoomAround(center: number, factor: number): void {
    const [min, max] = this.currentRange();
    this.events.zoomed(this.key, [center - (center - min) * factor, center + (max - center) * factor]);
  }
}

/** The y range of the visible data with a 4% margin (a factor on a log axis); undefined when there is none. */
function yBounds(lo: number, hi: number, log: boolean): [number | undefined, number | undefined] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [undefined, undefined];
  if (log) return [lo / 1.2, hi * 1.2];
  const margin = hi === lo ? Math.abs(hi) * 0.05 || 1 : (hi - lo) * 0.04;
  return [lo - margin, hi + margin];
}

function axisTitle(options: ChartOptions): string {
  switch (options.xKind) {
    case 'step':
      return 'step';
    case 'wallTime':
      return 'wall time';
    case 'relativeTime':
      return 'time since start';
    case 'metric':
      return options.xMetric ?? 'metric';
  }
}
