/** The largest smoothing weight the slider offers (1 would freeze the line at its first value). */
export const MAX_SMOOTHING = 0.99;

/**
 * TensorBoard's smoothing: an exponential moving average with `weight` (0 = none, 0.99 = heavy),
 * debiased so the start of the line is not pulled towards zero — the running average divided by
 * `1 - weight^n` after n finite points. Non-finite values (NaN, ±Infinity) pass through unchanged
 * and do not enter the average; a constant series stays exactly constant.
 */
export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  const w = Math.min(MAX_SMOOTHING, Math.max(0, Number.isFinite(weight) ? weight : 0));
  const out = new Float64Array(values.length);
  let constant = true;
  let firstFinite: number | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (firstFinite === undefined) firstFinite = v;
    else if (v !== firstFinite) {
      constant = false;
      break;
    }
  }
  if (w === 0 || constant) {
    for (let i = 0; i < values.length; i++) out[i] = values[i];
    return out;
  }
  let accumulated = 0;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    accumulated = accumulated * w + (1 - w) * v;
    count++;
    out[i] = accumulated / (1 - Math.pow(w, count));
  }
  return out;
}
