import { describe, expect, it } from 'vitest';
import { integerStep, linePath, niceStep, place, timeLabel, timeRange, valueAxis } from './chart';

describe('niceStep', () => {
  it.each([
    [10, 4, 2.5],
    [100, 4, 25],
    [1, 4, 0.25],
    [7, 4, 2],
    [3, 4, 1],
    [12_000_000, 4, 5_000_000],
    [0.03, 3, 0.01],
    [0, 4, 1],
  ])('range %d / %d ticks → %d', (range, count, want) => {
    expect(niceStep(range, count)).toBeCloseTo(want, 12);
  });
});

describe('valueAxis', () => {
  it.each([
    ['counts start at zero and end on a round number', [3, 7, 9], undefined, 0, 10, [0, 2.5, 5, 7.5, 10]],
    ['one value still gets a range', [5], undefined, 0, 6, [0, 2, 4, 6]],
    ['all zero', [0, 0], undefined, 0, 1, [0, 0.25, 0.5, 0.75, 1]],
    ['ratios are pinned to 0..1', [0.93, 0.99], [0, 1] as [number, number], 0, 1, [0, 0.25, 0.5, 0.75, 1]],
    ['negatives go below zero', [-3, 4], undefined, -4, 4, [-4, -2, 0, 2, 4]],
    ['sizes', [1_048_576, 3_000_000], undefined, 0, 3_000_000, [0, 1_000_000, 2_000_000, 3_000_000]],
  ])('%s', (_name, values, fixed, min, max, ticks) => {
    const a = valueAxis(values as number[], 4, fixed);
    expect([a.min, a.max]).toEqual([min, max]);
    expect(a.ticks).toEqual(ticks);
    for (const v of values as number[]) expect(v >= a.min && v <= a.max).toBe(true);
  });

  // Found in Monitor: Open connections 0 or 1 drew ticks 0, 0.25 … 1, shown as "0, 0, 1, 1".
  it.each([
    ['one connection', [1, 1, 0], [0, 1]],
    ['all zero', [0, 0], [0, 1]],
    ['a few', [3, 7, 9], [0, 5, 10]],
    ['five', [5], [0, 2, 4, 6]],
    ['calls', [120, 1900], [0, 1000, 2000]],
    ['thousands', [25_000], [0, 10_000, 20_000, 30_000]],
  ])('whole numbers get whole ticks: %s', (_name, values, ticks) => {
    const a = valueAxis(values, 3, undefined, true);
    expect(a.ticks).toEqual(ticks);
    for (const t of a.ticks) expect(Number.isInteger(t)).toBe(true);
    for (const v of values) expect(v >= a.min && v <= a.max).toBe(true);
  });

  it.each([
    [0.25, 1],
    [1, 1],
    [2.5, 2],
    [25, 25],
    [5, 5],
  ])('integerStep(%s) = %s', (s, want) => expect(integerStep(s)).toBe(want));

  it('ignores values that are not numbers', () => {
    expect(valueAxis([NaN, 2, Infinity], 4).max).toBe(2);
  });
});

describe('place and linePath', () => {
  const box = { width: 200, height: 100, left: 40, right: 10, top: 10, bottom: 20 };
  const axis = { min: 0, max: 10, ticks: [0, 5, 10] };

  it('puts time left to right and values bottom to top', () => {
    const xy = place([{ t: 1000, v: 0 }, { t: 2000, v: 5 }, { t: 3000, v: 10 }], box, axis, 1000, 3000);
    expect(xy).toEqual([{ x: 40, y: 80 }, { x: 115, y: 45 }, { x: 190, y: 10 }]);
    expect(linePath(xy)).toBe('M40.0 80.0 L115.0 45.0 L190.0 10.0');
  });

  it('centres a single point and keeps values inside the axis', () => {
    expect(place([{ t: 5, v: 99 }], box, axis, 5, 5)).toEqual([{ x: 115, y: 10 }]);
    expect(place([{ t: 5, v: -1 }], box, axis, 5, 5)[0].y).toBe(80);
    expect(linePath([])).toBe('');
  });
});

describe('time', () => {
  it('ranges and labels', () => {
    expect(timeRange([])).toBeNull();
    expect(timeRange([{ t: 3, v: 0 }, { t: 1, v: 0 }])).toEqual([1, 3]);
    const t = Date.UTC(2026, 4, 4, 14, 5);
    expect(timeLabel(t, t, t + 3600_000)).toBe('14:05');
    expect(timeLabel(t, t - 3 * 86400_000, t)).toBe('05-04 14:05');
  });
});
