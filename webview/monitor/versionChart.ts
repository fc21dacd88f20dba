import { Chart, type ChartDataset, type Scale, type TooltipItem } from 'chart.js';
import { formatDateTime, formatNumber } from '../../src/shared/displayFormat';
import { formatCheckValue, lowerIsBetter, metricLabel, type MonitorPoint, type VersionSeries } from '../../src/shared/monitor/monitorSeries';
import { formatTimeTick, tickStep, timeTicks } from '../../src/shared/monitor/timeAxis';
import { seriesColor, tooltipColors, withAlpha, type ChartTheme } from '../common/chartTheme';
import { h } from '../common/dom';

export interface VersionChartOptions {
  /** Every version with checks, in version order: a version's colour is its place here. */
  versions: readonly string[];
  hidden: ReadonlySet<string>;
  highlight?: string;
  /** The x range shared by every chart of the panel (so their times line up). */
  range: [number, number];
  theme: ChartTheme;
}

type PointDataset = ChartDataset<'line', MonitorPoint[]> & { version: string };

/**
 * One metric over check time: a line per model version (its colour fixed by the version's place),
 * a point per check. Clicking a point opens its run; the tooltip names the version, value and time.
 */
export class VersionChart {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly latest: HTMLElement;
  private readonly chart: Chart<'line', MonitorPoint[]>;
  /** The tick step of the last layout (tick labels are as short as it allows). */
  private step = 60_000;

  constructor(
    readonly key: string,
    openRun: (runId: string) => void,
  ) {
    const title = metricLabel(key);
    this.canvas = h('canvas', { role: 'img', 'aria-label': `${title} over time` });
    this.latest = h('div', { class: 'latest muted' });
    this.element = h(
      'section',
      { class: 'chart-card', 'aria-label': `${title} (${key})` },
      h('header', null, h('h2', null, title), h('span', { class: 'muted key' }, key), h('span', { class: 'muted better' }, lowerIsBetter(key) ? 'lower is better' : 'higher is better')),
      this.latest,
      h('div', { class: 'chart-body' }, this.canvas),
    );
    const plain = (value: number | string): string => formatNumber(Number(value));
    this.chart = new Chart<'line', MonitorPoint[]>(this.canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        parsing: false,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        elements: { point: { radius: 3.5, hoverRadius: 6, hitRadius: 8 }, line: { tension: 0, borderWidth: 2 } },
        interaction: { mode: 'nearest', intersect: false },
        scales: {
          x: {
            type: 'linear',
            afterBuildTicks: (scale: Scale) => this.buildTimeTicks(scale),
            ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 16, callback: (value: number | string) => formatTimeTick(Number(value), this.step) },
          },
          y: { type: 'linear', grace: '10%', ticks: { callback: plain } },
        },
        plugins: {
          tooltip: {
            ...tooltipColors(),
            callbacks: {
              title: (items: TooltipItem<'line'>[]) => (items[0] ? formatDateTime((items[0].raw as MonitorPoint).x) : ''),
              label: (item: TooltipItem<'line'>) => `v${(item.dataset as PointDataset).version}: ${formatNumber((item.raw as MonitorPoint).y)}`,
              footer: () => 'Click to open the check’s run',
            },
          },
        },
        onHover: (event, elements) => {
          const target = event.native?.target as HTMLElement | undefined;
          if (target) target.style.cursor = this.pointAt(event.native) ? 'pointer' : elements.length ? 'crosshair' : 'default';
        },
        onClick: (event) => {
          const point = this.pointAt(event.native);
          if (point) openRun(point.runId);
        },
      },
    });
  }

  update(series: readonly VersionSeries[], options: VersionChartOptions): void {
    const { theme, highlight } = options;
    const datasets: PointDataset[] = [];
    for (const { version, points } of series) {
      if (options.hidden.has(version)) continue;
      const index = options.versions.indexOf(version);
      const base = seriesColor(theme, index < 0 ? options.versions.length : index);
      const emphasised = highlight === undefined || highlight === version;
      const color = emphasised ? base : withAlpha(base, 0.3);
      const strong = highlight === version;
      datasets.push({
        version,
        label: `v${version}`,
        data: points,
        borderColor: color,
        backgroundColor: color,
        pointBackgroundColor: emphasised ? base : color,
        borderWidth: strong ? 3 : 2,
        pointRadius: strong ? 5 : points.length > 60 ? 2 : 3.5,
        order: strong ? 0 : 1,
      });
    }
    this.chart.data.datasets = datasets;
    const scales = this.chart.options.scales as Record<'x' | 'y', Record<string, unknown>>;
    scales.x.min = options.range[0];
    scales.x.max = options.range[1];
    scales.x.title = { display: false };
    Object.assign(this.chart.options.plugins!.tooltip!, tooltipColors());
    this.chart.options.color = theme.foreground;
    this.chart.options.borderColor = theme.grid;
    this.chart.update('none');
    const visible = series.filter((s) => !options.hidden.has(s.version) && s.points.length > 0);
    const summary = visible.map((s) => `v${s.version} ${formatCheckValue(s.points[s.points.length - 1].y)}`);
    this.latest.textContent = summary.length ? `latest: ${summary.join(' · ')}` : '';
    const described = visible.map((s) => `version ${s.version}: ${s.points.length} check${s.points.length === 1 ? '' : 's'}, latest ${formatCheckValue(s.points[s.points.length - 1].y)}`);
    this.canvas.setAttribute('aria-label', `${metricLabel(this.key)} over time. ${described.length ? described.join('; ') : 'No checks shown'}.`);
  }

  destroy(): void {
    this.chart.destroy();
  }

  /** The check under the pointer (within a point's hit radius), if any. */
  private pointAt(event: Event | null | undefined): MonitorPoint | undefined {
    if (!event) return undefined;
    const [hit] = this.chart.getElementsAtEventForMode(event, 'nearest', { intersect: true }, false);
    return hit ? this.chart.data.datasets[hit.datasetIndex]?.data[hit.index] : undefined;
  }

  /** Round local-time ticks (chart.js's linear ticks would fall on arbitrary milliseconds). */
  private buildTimeTicks(scale: Scale): void {
    const maxTicks = Math.max(2, Math.floor((scale.width || 400) / 70));
    this.step = tickStep(scale.min, scale.max, maxTicks);
    scale.ticks = timeTicks(scale.min, scale.max, maxTicks).map((value) => ({ value }));
  }
}
