import { Chart, type TooltipItem } from 'chart.js';
import { buildAxis } from '../../src/shared/compare/parallelAxes';
import { compareValue } from '../../src/shared/compare/runDiff';
import { formatNumber } from '../../src/shared/displayFormat';
import type { CompareRun } from '../../src/shared/protocol/compareProtocol';
import { seriesColor, tooltipColors, type ChartTheme } from '../common/chartTheme';
import { h } from '../common/dom';
import { axisLabel } from './parallelCoordinates';

interface ScatterPoint {
  x: number;
  y: number;
  run: CompareRun;
}

/** A scatter of any param or metric (x; categories spread on an index axis) against a metric (y), one point per run. */
export class ScatterChart {
  readonly element: HTMLElement;
  private readonly chart: Chart<'scatter', ScatterPoint[]>;
  private categories: string[] = [];

  constructor() {
    const canvas = h('canvas', { role: 'img', 'aria-label': 'Scatter of the compared runs' });
    this.element = h('div', { class: 'scatter' }, canvas);
    this.chart = new Chart(canvas, {
      type: 'scatter',
      data: { datasets: [] },
      options: {
        parsing: false,
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { x: { type: 'linear' }, y: { type: 'linear' } },
        plugins: { tooltip: { callbacks: { label: (item: TooltipItem<'scatter'>) => this.label(item) } } },
      },
    });
  }

  draw(runs: CompareRun[], xId: string, yId: string, theme: ChartTheme): void {
    const xAxis = buildAxis(xId, axisLabel(xId), runs.map((r) => compareValue(r, xId)));
    this.categories = xAxis.kind === 'categorical' ? xAxis.categories : [];
    const datasets = runs.flatMap((run, index) => {
      const xValue = compareValue(run, xId);
      const yValue = compareValue(run, yId);
      const x = xAxis.kind === 'categorical' ? this.categories.indexOf(String(xValue)) : Number(xValue);
      const y = Number(yValue);
      if (xValue === undefined || yValue === undefined || !Number.isFinite(x) || x < 0 || !Number.isFinite(y)) return [];
      const color = seriesColor(theme, index);
      return [{ label: run.name, data: [{ x, y, run }], backgroundColor: color, borderColor: color, pointRadius: 6, pointHoverRadius: 8 }];
    });
    this.chart.data.datasets = datasets;
    const x = this.chart.options.scales!.x!;
    const y = this.chart.options.scales!.y!;
    (x as { title: object }).title = { display: true, text: axisLabel(xId), color: theme.muted };
    (y as { title: object }).title = { display: true, text: axisLabel(yId), color: theme.muted };
    const categories = this.categories;
    (x as { ticks: object }).ticks = categories.length
      ? { stepSize: 1, callback: (v: number | string) => categories[Number(v)] ?? '' }
      : { callback: (v: number | string) => formatNumber(Number(v)) };
    x.min = categories.length ? -0.5 : undefined;
    x.max = categories.length ? categories.length - 0.5 : undefined;
    (x as { grace: string | number }).grace = categories.length ? 0 : '8%';
    (y as { grace: string }).grace = '8%';
    (y as { ticks: object }).ticks = { callback: (v: number | string) => formatNumber(Number(v)) };
    Object.assign(this.chart.options.plugins!.tooltip!, tooltipColors());
    this.chart.update('none');
    this.element.querySelector('canvas')!.setAttribute('aria-label', `Scatter of ${axisLabel(yId)} against ${axisLabel(xId)}: ${datasets.length} runs`);
  }

  private label(item: TooltipItem<'scatter'>): string {
    const point = item.raw as ScatterPoint;
    const x = this.categories.length ? this.categories[point.x] : formatNumber(point.x);
    return `${point.run.name}: ${x}, ${formatNumber(point.y)}`;
  }
}
