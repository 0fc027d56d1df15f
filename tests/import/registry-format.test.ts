/**
 * The registry format's date check is calendar arithmetic (for speed, see isIsoDate); it must agree
 * with the Date round trip it replaced on every day of years that exercise the leap rules, and
 * refuse what is not a calendar date.
 */
import { describe, expect, it } from 'vitest';
import { isIsoDate } from '../../src/features/imports/registry.format.js';

const viaDate = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
};
const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isIsoDate', () => {
  it('agrees with a Date round trip on every month and day 0–32 of leap and common years', () => {
    let checked = 0;
    for (const year of [1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const value = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
          expect(isIsoDate(value), value).toBe(viaDate(value));
          checked++;
        }
      }
    }
    expect(checked).toBe(11 * 14 * 33);
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
  });

  it('refuses what is not YYYY-MM-DD', () => {
    for (const value of ['', '2024-2-01', '2024-02-1', '24-02-01', '2024/02/01', '2024-02-01T00:00', ' 2024-02-01', '２０２４-02-01']) {
      expect(isIsoDate(value), value).toBe(false);
    }
  });
});
