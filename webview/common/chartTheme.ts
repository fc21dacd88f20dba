import { Chart, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip } from 'chart.js';
import { cssVar, themeKind } from './theme';

/** Colors and fonts for charts, read from VS Code's CSS variables (light, dark and high contrast). */
export interface ChartTheme {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  focus: string;
  fontFamily: string;
  fontSize: number;
  highContrast: boolean;
  dark: boolean;
  /** Series colors: VS Code's chart colors first, then evenly spread hues. */
  palette: string[];
}

const BASE_COLORS = ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green', '--vscode-charts-red', '--vscode-charts-purple', '--vscode-charts-yellow'];
const FALLBACKS = ['#3794ff', '#d18616', '#89d185', '#f14c4c', '#b180d7', '#cca700'];

export function readChartTheme(): ChartTheme {
  const kind = themeKind();
  const dark = kind === 'dark' || kind === 'highContrast';
  const highContrast = kind === 'highContrast' || kind === 'highContrastLight';
  const palette = BASE_COLORS.map((name, i) => cssVar(name, FALLBACKS[i]));
  return {
    foreground: cssVar('--vscode-foreground', dark ? '#cccccc' : '#3b3b3b'),
    muted: cssVar('--vscode-descriptionForeground', dark ? '#9d9d9d' : '#717171'),
    grid: highContrast ? cssVar('--vscode-contrastBorder', dark ? '#6fc3df' : '#0f4a85') : withAlpha(cssVar('--vscode-foreground', dark ? '#cccccc' : '#3b3b3b'), 0.12),
    background: cssVar('--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
    focus: cssVar('--vscode-focusBorder', '#0078d4'),
    fontFamily: cssVar('--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Number.parseFloat(cssVar('--vscode-font-size', '13')) || 13,
    highContrast,
    dark,
    palette,
  };
}

/** The color of series `index`: the theme's chart colors, then golden-angle hues readable on the background. */
export function seriesColor(theme: ChartTheme, index: number): string {
  if (index < theme.palette.length) return theme.palette[index];
  const hue = Math.round((index * 137.508 + 210) % 360);
  return `hsl(${hue}, ${theme.highContrast ? 90 : 65}%, ${theme.dark ? 65 : 40}%)`;
}

/** A CSS color (`#rgb`, `#rrggbb`, `#rrggbbaa`, `rgb()`, `rgba()`, `hsl()`) with its alpha multiplied by `alpha`. */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const hex = /^#([0-9a-f]{3,8})$/i.exec(c);
  if (hex) {
    let digits = hex[1];
    if (digits.length === 3 || digits.length === 4) digits = [...digits].map((d) => d + d).join('');
    const r = parseInt(digits.slice(0, 2), 16);
    const g = parseInt(digits.slice(2, 4), 16);
    const b = parseInt(digits.slice(4, 6), 16);
    const a = digits.length === 8 ? parseInt(digits.slice(6, 8), 16) / 255 : 1;
    return `rgba(${r}, ${g}, ${b}, ${+(a * alpha).toFixed(3)})`;
  }
  const fn = /^(rgba?|hsla?)\(([^)]*)\)$/i.exec(c);
  if (fn) {
    const parts = fn[2].split(/[\s,/]+/).filter(Boolean);
    const a = parts.length > 3 ? Number.parseFloat(parts[3]) * (parts[3].endsWith('%') ? 0.01 : 1) : 1;
    const kind = fn[1].toLowerCase().startsWith('hsl') ? 'hsla' : 'rgba';
    return `${kind}(${parts.slice(0, 3).join(', ')}, ${+(a * alpha).toFixed(3)})`;
  }
  return c;
}

let registered = false;

/** Registers only the chart.js parts Trackside uses (line and scatter charts, linear/log scales, tooltips). */
export function setUpCharts(theme: ChartTheme): void {
  if (!registered) {
    Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip);
    registered = true;
  }
  Chart.defaults.color = theme.foreground;
  Chart.defaults.borderColor = theme.grid;
  Chart.defaults.font.family = theme.fontFamily;
  Chart.defaults.font.size = Math.max(11, theme.fontSize - 1);
  Chart.defaults.animation = false;
}

/** Tooltip colors that follow the editor's hover widget. */
export function tooltipColors(): { backgroundColor: string; titleColor: string; bodyColor: string; borderColor: string; borderWidth: number } {
  return {
    backgroundColor: cssVar('--vscode-editorHoverWidget-background', '#252526'),
    titleColor: cssVar('--vscode-editorHoverWidget-foreground', '#cccccc'),
    bodyColor: cssVar('--vscode-editorHoverWidget-foreground', '#cccccc'),
    borderColor: cssVar('--vscode-editorHoverWidget-border', '#454545'),
    borderWidth: 1,
  };
}
