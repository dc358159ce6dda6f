// The small line chart's arithmetic: a "nice" value axis (round steps: 1, 2, 2.5 or 5 × 10ⁿ),
// time on the x axis, and the SVG path through the points. Pure functions, tested.

export interface Point {
  /** Milliseconds since the epoch. */
  t: number;
  v: number;
}

export interface Axis {
  min: number;
  max: number;
  ticks: number[];
}

/** A round step near `range / count`: 1, 2, 2.5 or 5 times a power of ten. */
export function niceStep(range: number, count: number): number {
  if (!(range > 0) || !(count > 0)) return 1;
  const raw = range / count;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return m * p;
}

/** A step for whole numbers: at least 1, and 2 where the round step would be 2.5. */
export function integerStep(step: number): number {
  if (step < 1) return 1;
  return Number.isInteger(step) ? step : Math.floor(step);
}

/**
 * The value axis for `values`: from 0 (or below, for negatives) to a round number at or
 * above the largest, about `count` ticks. `fixed` pins it (a ratio: [0, 1]). One value, or
 * all equal, still gets a range around it. `integers`: the series only holds whole numbers
 * (connections, calls), so every tick is one — no "0, 0.5, 1" read as "0, 1, 1".
 */
export function valueAxis(values: number[], count = 4, fixed?: [number, number], integers = false): Axis {
  let lo: number;
  let hi: number;
  if (fixed) {
    [lo, hi] = fixed;
  } else {
    const finite = values.filter((v) => Number.isFinite(v));
    lo = Math.min(0, ...finite);
    hi = Math.max(0, ...finite);
    if (hi === lo) hi = lo + 1;
  }
  const step = integers && !fixed ? integerStep(niceStep(hi - lo, count)) : niceStep(hi - lo, count);
  const min = fixed ? lo : Math.floor(lo / step) * step;
  const max = fixed ? hi : Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = min; v <= max + step * 1e-6; v += step) ticks.push(round(v, step));
  return { min, max, ticks };
}

function round(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(digits, 12)));
}

export interface Box {
  width: number;
  height: number;
  /** Room for the axis labels. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

/** Where each point goes in the box: time left to right, value bottom to top. */
export function place(points: Point[], box: Box, axis: Axis, t0: number, t1: number): { x: number; y: number }[] {
  const w = box.width - box.left - box.right;
  const h = box.height - box.top - box.bottom;
  const span = t1 - t0;
  const range = axis.max - axis.min || 1;
  return points.map((p) => ({
    x: box.left + (span > 0 ? ((p.t - t0) / span) * w : w / 2),
    y: box.top + h - ((Math.min(Math.max(p.v, axis.min), axis.max) - axis.min) / range) * h,
  }));
}

/** "M x y L x y …" with one decimal; "" for no points. */
export function linePath(xy: { x: number; y: number }[]): string {
  return xy.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
}

/** The first and last time (the same twice for one point); null for none. */
export function timeRange(points: Point[]): [number, number] | null {
  if (points.length === 0) return null;
  const ts = points.map((p) => p.t);
  return [Math.min(...ts), Math.max(...ts)];
}

/** A time label for the x axis: "14:05" within one day, else "05-04 14:05" (UTC). */
export function timeLabel(t: number, t0: number, t1: number): string {
  const d = new Date(t);
  const hm = `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
  if (t1 - t0 < 24 * 3600 * 1000 && new Date(t0).getUTCDate() === new Date(t1).getUTCDate()) return hm;
  return `${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')} ${hm}`;
}
