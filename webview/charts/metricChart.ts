import { Chart, type ChartDataset, type ChartOptions as ChartJsOptions, type Plugin, type TooltipItem } from 'chart.js';
import { linePoints, rawLinePoints, type PlotPoint } from '../../src/shared/charts/chartPoints';
import { smoothEma } from '../../src/shared/charts/emaSmoothing';
import type { SeriesColumns } from '../../src/shared/charts/seriesColumns';
import { formatX, xValues } from '../../src/shared/charts/xAxis';
import { formatDateTime, formatNumber } from '../../src/shared/displayFormat';
import type { ChartRun, XAxisKind } from '../../src/shared/protocol/chartsProtocol';
import { seriesColor, tooltipColors, withAlpha, type ChartTheme } from '../common/chartTheme';
import { h } from '../common/dom';

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

interface DatasetMeta {
  runId: string;
  series: SeriesColumns;
  xs: Float64Array;
  color: string;
  /** The smoothed values (absent without smoothing: the dataset is the raw last values). */
  smoothed?: Float64Array;
}

/**
 * Draws the raw data under the datasets straight on the canvas (no chart.js element per point):
 * with smoothing, the raw line faint behind the smoothed one (spikes kept as min–max strokes);
 * without, the min–max stroke of every bucket that holds more than one point.
 */
const rawLayer: Plugin<'line'> = {
  id: 'tracksideRawLayer',
  beforeDatasetsDraw(chart) {
    const owner = (chart as unknown as { $trackside?: MetricChart }).$trackside ?? (chart.canvas as HTMLCanvasElement & { $pending?: MetricChart }).$pending;
    owner?.drawRaw(chart);
  },
};

const ZOOM_STEP = 0.8;
const PAN_STEP = 0.15;

/**
 * One metric's chart (all runs), reused across updates: data changes replace the datasets in
 * place and redraw without animation. Drag to zoom into an x range, Shift+drag to pan, Ctrl+wheel
 * to zoom at the pointer, double-click (or 0) to reset; the keyboard does the same with + - ← →.
 */
export class MetricChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly selection: HTMLElement;
  /** Created once (empty, with Trackside's formatters: chart.js's default ones build Intl formats), then reused. */
  private chart: Chart<'line', PlotPoint[]> | undefined;
  private meta: DatasetMeta[] = [];
  private drag: { startX: number; pan: boolean; min: number; max: number } | undefined;
  private options: ChartOptions | undefined;

  constructor(
    readonly key: string,
    private readonly events: ChartEvents,
    theme: ChartTheme,
  ) {
    this.canvas = h('canvas', { role: 'img', 'aria-label': `Chart of ${key}` });
    this.selection = h('div', { class: 'zoom-selection', hidden: true });
    this.element = h('div', { class: 'chart-body', tabindex: 0, 'aria-label': `${key} chart. Plus and minus zoom, arrows pan, 0 resets.` }, this.canvas, this.selection);
    // Created (empty) at once, so its set-up overlaps the host's answer; Trackside's formatters from the start.
    const plain = { ticks: { callback: (value: number | string) => formatNumber(Number(value)) } };
    this.chart = this.create([], { x: { type: 'linear', ...plain }, y: { type: 'linear', ...plain } }, theme);
    this.element.addEventListener('mousedown', (e) => this.onDown(e));
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
    const datasets: ChartDataset<'line', PlotPoint[]>[] = [];
    const meta: DatasetMeta[] = [];
    let lo = Infinity;
    let hi = -Infinity;
    let left = Infinity;
    let right = -Infinity;
    options.runs.forEach((run, index) => {
      const s = series.get(run.runId);
      if (!s || options.hidden.has(run.runId) || s.steps.length === 0) return;
      const color = seriesColor(options.theme, index);
      const xs = this.xsFor(s, options);
      const smoothed = options.smoothing > 0 ? smoothEma(s.last, options.smoothing) : undefined;
      for (let i = 0; i < xs.length; i++) {
        if (xs[i] < left) left = xs[i];
        if (xs[i] > right) right = xs[i];
        if (range && (xs[i] < range[0] || xs[i] > range[1])) continue;
        for (const v of [s.min[i], s.max[i], s.last[i]]) {
          if (!Number.isFinite(v) || (options.logY && v <= 0)) continue;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      datasets.push({ label: run.name, data: linePoints(xs, smoothed ?? s.last, options.logY), borderColor: color, backgroundColor: color, borderWidth: smoothed ? 2 : 1.5 });
      meta.push({ runId: run.runId, series: s, xs, color, smoothed });
    });
    this.meta = meta;
    // Bounds given, not derived: chart.js then skips scanning every point for them. The raw layer is
    // drawn outside chart.js, so the y range is made to hold its min and max (with a margin).
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
    if (!this.chart) this.chart = this.create(datasets, scales, options.theme);
    else {
      const chart = this.chart;
      // Sorted x (step and time axes) lets chart.js find the visible points by binary search.
      chart.options.normalized = options.xKind !== 'metric';
      chart.data.datasets = datasets;
      // Mutated in place: new option objects would make chart.js rebuild its option resolvers.
      const current = chart.options.scales as Record<'x' | 'y', Record<string, unknown>>;
      for (const axis of ['x', 'y'] as const) Object.assign(current[axis], scales[axis]);
      Object.assign(chart.options.plugins!.tooltip!, tooltipColors());
      chart.options.color = options.theme.foreground;
      chart.options.borderColor = options.theme.grid;
      chart.update('none');
    }
    this.canvas.setAttribute('aria-label', `Chart of ${this.key}: ${meta.length} runs${range ? `, zoomed to ${formatX(options.xKind, range[0])}–${formatX(options.xKind, range[1])}` : ''}`);
  }

  private create(datasets: ChartDataset<'line', PlotPoint[]>[], scales: ChartJsOptions<'line'>['scales'], theme: ChartTheme): Chart<'line', PlotPoint[]> {
    // The owner is set before the first render (the constructor renders): the raw layer needs it.
    const canvas = this.canvas as HTMLCanvasElement & { $pending?: MetricChart };
    canvas.$pending = this;
    const chart = new Chart<'line', PlotPoint[]>(canvas, {
      type: 'line',
      data: { datasets },
      plugins: [rawLayer],
      options: {
        color: theme.foreground,
        borderColor: theme.grid,
        parsing: false,
        normalized: true,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        // Lets chart.js draw a long line one vertex per pixel column (NaN points are stepped over).
        spanGaps: true,
        elements: { point: { radius: 0, hitRadius: 6, hoverRadius: 3 }, line: { borderWidth: 1.5, tension: 0 } },
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales,
        plugins: {
          tooltip: {
            ...tooltipColors(),
            callbacks: {
              title: (items) => this.tooltipTitle(items),
              label: (item) => this.tooltipLabel(item),
            },
          },
        },
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

  /** The raw layer (see `rawLayer`), clipped to the plot area. */
  drawRaw(chart: Chart): void {
    const options = this.options;
    const area = chart.chartArea;
    if (!options || !area) return;
    const x = chart.scales.x;
    const y = chart.scales.y;
    const context = chart.ctx;
    context.save();
    context.beginPath();
    context.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    context.clip();
    context.lineWidth = 1;
    for (const m of this.meta) {
      context.strokeStyle = withAlpha(m.color, m.smoothed ? (options.theme.highContrast ? 0.45 : 0.28) : 0.55);
      context.beginPath();
      if (m.smoothed) {
        let drawing = false;
        for (const p of rawLinePoints(m.series, m.xs, options.logY)) {
          if (!Number.isFinite(p.y)) {
            drawing = false;
            continue;
          }
          const px = x.getPixelForValue(p.x);
          const py = y.getPixelForValue(p.y);
          if (drawing) context.lineTo(px, py);
          else context.moveTo(px, py);
          drawing = true;
        }
      } else {
        const s = m.series;
        for (let i = 0; i < m.xs.length; i++) {
          const lo = s.min[i];
          const hi = s.max[i];
          if (lo === hi || !Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(m.xs[i]) || (options.logY && lo <= 0)) continue;
          const px = x.getPixelForValue(m.xs[i]);
          context.moveTo(px, y.getPixelForValue(lo));
          context.lineTo(px, y.getPixelForValue(hi));
        }
      }
      context.stroke();
    }
    context.restore();
  }

  destroy(): void {
    this.chart?.destroy();
    this.element.remove();
  }

  private xsFor(series: SeriesColumns, options: ChartOptions): Float64Array {
    const run = options.runs.find((r) => r.runId === series.runId);
    return xValues(options.xKind, series, { runStart: run?.startTime, xSeries: options.xKind === 'metric' ? options.xSeries(series.runId) : undefined });
  }

  private tooltipTitle(items: TooltipItem<'line'>[]): string {
    const first = items[0];
    if (!first || !this.options) return '';
    const point = first.raw as PlotPoint;
    const meta = this.meta[first.datasetIndex];
    const step = meta?.series.steps[point.index];
    if (this.options.xKind === 'step') return `step ${step ?? '?'}`;
    return `step ${step ?? '?'} · ${axisTitle(this.options)} ${formatX(this.options.xKind, point.x)}`;
  }

  private tooltipLabel(item: TooltipItem<'line'>): string {
    const meta = this.meta[item.datasetIndex];
    if (!meta) return '';
    const i = (item.raw as PlotPoint).index;
    const s = meta.series;
    const value = meta.smoothed ? meta.smoothed[i] : s.last[i];
    const parts = [`${item.dataset.label}: ${formatNumber(value)}`];
    if (meta.smoothed) parts.push(`raw ${formatNumber(s.last[i])}`);
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
