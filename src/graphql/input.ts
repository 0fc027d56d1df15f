/** Scalar arguments shared by every feature: ids and ISO dates, validated with errors that name the argument. */
import { badInput } from '../errors/errors.js';

/** A database id sent as ID or Int: a positive integer. `what` names it in the error, e.g. "a household id". */
export function parseId(value: string | number, argument: string, what = 'an id'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw badInput(argument, `must be ${what} (a positive integer); got ${JSON.stringify(value)}.`);
  return n;
}

/** A calendar date YYYY-MM-DD that exists; with `notInFuture`, not after tomorrow (time zones). */
export function parseIsoDate(value: string, argument: string, options: { notInFuture?: boolean } = {}): string {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : null;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) throw badInput(argument, `must be a date YYYY-MM-DD; got ${JSON.stringify(value)}.`);
  if (options.notInFuture && parsed.getTime() > Date.now() + 24 * 3600 * 1000) throw badInput(argument, `must not be in the future; got ${value}.`);
  return value;
}
