/**
 * A time x-axis without a date library: round tick steps (seconds to months) aligned to local
 * time, and labels as short as the visible span allows. DOM-free, unit-tested in Node.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick steps to choose from (ms). */
const STEPS = [
  SECOND, 2 * SECOND, 5 * SECOND, 10 * SECOND, 15 * SECOND, 30 * SECOND,
  MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY,
];

const pad = (value: number): string => String(value).padStart(2, '0');

/** The padded x range of checks at `times`: a margin each side, and an hour around a single time. */
export function timeRange(times: readonly number[]): [number, number] | undefined {
  const finite = times.filter(Number.isFinite);
  if (finite.length === 0) return undefined;
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const margin = max > min ? Math.max((max - min) * 0.04, SECOND) : 30 * MINUTE;
  return [min - margin, max + margin];
}

/** The smallest round step that puts at most `maxTicks` ticks in `[min, max]`. */
export function tickStep(min: number, max: number, maxTicks: number): number {
  const span = Math.max(0, max - min);
  const wanted = span / Math.max(1, maxTicks);
  return STEPS.find((step) => step >= wanted) ?? Math.ceil(wanted / (365 * DAY)) * 365 * DAY;
}

/**
 * Tick positions in `[min, max]` at a round step: whole seconds, minutes and hours of the local
 * clock; local midnights for days and weeks; the first of a month for months and years.
 */
export function timeTicks(min: number, max: number, maxTicks: number): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return [];
  const step = tickStep(min, max, maxTicks);
  const ticks: number[] = [];
  if (step >= 30 * DAY) {
    const months = Math.max(1, Math.round(step / (30 * DAY)));
    const start = new Date(min);
    let date = new Date(start.getFullYear(), start.getMonth() - (start.getMonth() % months), 1);
    while (date.getTime() < min) date = new Date(date.getFullYear(), date.getMonth() + months, 1);
    for (; date.getTime() <= max; date = new Date(date.getFullYear(), date.getMonth() + months, 1)) ticks.push(date.getTime());
    return ticks;
  }
  if (step >= DAY) {
    const days = Math.round(step / DAY);
    const start = new Date(min);
    let date = new Date(start.getFullYear(), start.getMonth(), start.getDate());
    while (date.getTime() < min) date = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1);
    // Weeks start on Mondays.
    if (days === 7 || days === 14) while (date.getDay() !== 1) date = new Date(date.getFullYear(), date.getMonth(), date.getDate() + 1);
    for (; date.getTime() <= max; date = new Date(date.getFullYear(), date.getMonth(), date.getDate() + days)) ticks.push(date.getTime());
    return ticks;
  }
  // Below a day: aligned to the local clock (the time-zone offset of `min`).
  const offset = new Date(min).getTimezoneOffset() * MINUTE;
  let tick = Math.ceil((min - offset) / step) * step + offset;
  for (; tick <= max; tick += step) ticks.push(tick);
  return ticks;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A tick label for a check time, as short as the step allows: `14:05:30`, `14:05`, `May 3` (days, and midnight on hourly ticks), `May 2024`. */
export function formatTimeTick(ms: number, step: number): string {
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  const date = `${MONTHS[d.getMonth()]} ${d.getDate()}`;
  if (step >= 30 * DAY) return `${MONTHS[d.getMonth()]} ${d.getFullYear()}`;
  if (step >= DAY) return date;
  // Hourly ticks name the day at midnight.
  if (step >= HOUR && d.getHours() === 0 && d.getMinutes() === 0) return date;
  if (step >= MINUTE) return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
