/**
 * Background work of the households feature: the age roll-up refresh. A household's has_elderly and
 * has_child are computed when it or its members are written, on that day; a member who turns 60 or
 * 18 later changes them only through `refresh_age_rollups()` (drizzle/0021; since 0022 it adds the
 * day's changes to the villages' statistics instead of recomputing them, so a day's work follows the
 * members who crossed a threshold, not the size of their villages), which this runs at start and
 * then every `periodMs`. The database keeps the refresh's invariant (one claimed day, a
 * lock against writers and other processes), so every API process runs it: the first one after
 * midnight does the day's work and the others find it done.
 */
import type { Database } from '../../db/database.js';
import { isDatabaseUnavailable } from '../../errors/errors.js';
import type { Logger } from '../../logging/logger.js';
import { type AgeRollupRefresh, refreshAgeRollups, villageAgeDrift } from './household.queries.js';

/**
 * Villages whose age counts are checked against a recomputation after each refresh (random ones,
 * drawn anew each day). Measured: 0.92-1.38 s at 1M households, 1.63-2.28 s at 10M (about 1,200 per
 * village), once a day, under the 15 s statement timeout: enough to see a systematic error in the
 * refresh's additions or in a writer within days, not to find every single wrong row.
 */
export const AGE_CHECK_SAMPLE_VILLAGES = 100;

export interface AgeRollupRefresher {
  /** Runs a refresh now, after any run in progress (tests call it instead of waiting for the timer). */
  runNow(): Promise<AgeRollupRefresh>;
  /** Stops the timer and waits for a run in progress to end. */
  stop(): Promise<void>;
}

/**
 * Refreshes at once and then every `periodMs` (0: never, not even at start). A failed run is
 * logged and leaves the day unchanged, so the next one retries; it never throws into the process,
 * an unreachable database included.
 */
export function startAgeRollupRefresher(db: Database, log: Logger, periodMs: number, checkVillages = AGE_CHECK_SAMPLE_VILLAGES): AgeRollupRefresher {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  // Runs one after another: a run at start, the timer's and runNow's never overlap in one process.
  let current: Promise<void> = Promise.resolve();
  const enqueue = <T>(work: () => Promise<T>): Promise<T> => {
    const next = current.then(work);
    current = next.then(
      () => undefined,
      () => undefined,
    );
    return next;
  };
  const run = async (): Promise<AgeRollupRefresh> => {
    const started = Date.now();
    const result = await refreshAgeRollups(db);
    const ms = Date.now() - started;
    if (result.outcome === 'REFRESHED') {
      log.info({ ...result, ms }, `age roll-ups refreshed from ${result.fromDate} to ${result.toDate}: ${result.householdsChanged} households changed`);
      await checkSample(result.toDate);
    } else if (result.outcome === 'BUSY') {
      log.info({ ...result, ms }, 'age roll-ups: a writer or another refresh holds the lock; trying again at the next run');
    } else {
      log.debug({ ...result, ms }, 'age roll-ups: up to date');
    }
    return result;
  };
  // The refresh adds the day's changes; a row some write left wrong stays wrong (drizzle/0022).
  // After a refresh, a sample is rebuilt: a count the rebuild changed is logged as an error (it
  // means a writer broke the rule or the additions are wrong). A failure here is logged on its
  // own: the refresh itself succeeded.
  const checkSample = async (day: string) => {
    if (checkVillages <= 0) return;
    try {
      const drift = await villageAgeDrift(db, checkVillages);
      if (drift.length === 0) return;
      log.error(
        { villages: drift, order: ['elderly_members', 'child_members', 'households_with_elderly'] },
        `village statistics: the age counts of ${drift.length} of ${checkVillages} villages checked differed from a recomputation as of ${day}; rebuilt`,
      );
    } catch (error) {
      log.error({ err: error }, 'village statistics: the check after the age refresh failed; the refresh itself is done');
    }
  };
  const tick = () => {
    void enqueue(async () => {
      try {
        await run();
      } catch (error) {
        const retry = `the next run (in ${Math.round(periodMs / 1000)} s) retries`;
        if (isDatabaseUnavailable(error)) log.warn({ err: error }, `age roll-up refresh: database unavailable; ${retry}`);
        else log.error({ err: error }, `age roll-up refresh failed and changed nothing; ${retry}`);
      }
    }).finally(() => {
      if (!stopped) timer = setTimeout(tick, periodMs).unref();
    });
  };
  if (periodMs > 0) tick();
  return {
    runNow: () => enqueue(run),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
