/**
 * The process logger. Personal data must never reach a log line: known personal fields are
 * redacted by path as a second line of defence, but code must not pass them in the first place.
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config/config.js';

const PERSONAL_FIELDS = [
  'nik',
  'headNik',
  'head_nik',
  'familyCardNumber',
  'family_card_number',
  'fullName',
  'full_name',
  'headName',
  'head_name',
  'address',
  'location',
  'pas',
  'variables',
  'authorization',
];

export function createLogger(config: Pick<Config, 'env' | 'log'>): Logger {
  const options = {
    level: config.log.level,
    redact: { paths: [...PERSONAL_FIELDS, ...PERSONAL_FIELDS.map((f) => `*.${f}`), ...PERSONAL_FIELDS.map((f) => `*.*.${f}`)], censor: '[redacted]' },
  };
  // Pretty-printed in the same thread and synchronously, not through a worker transport: the
  // seed's progress lines go straight to stderr, and an asynchronous log line would appear after
  // the progress it announces.
  //
  // JSON lines go to stdout synchronously too. pino's default destination writes asynchronously
  // on libuv's thread pool; at process.exit it flushes its buffer but skips a write still in
  // flight, which is then lost (seen in CI under load: the log of a shutdown that ended with status
  // 0 stopped at "shutting down"). The API logs no line per request, so the writes are few: start-up
  // stages, warnings, errors, import and seed progress.
  return config.env === 'development' && process.stdout.isTTY
    ? pino(options, pretty({ colorize: true, ignore: 'pid,hostname', sync: true }))
    : pino(options, pino.destination({ dest: 1, sync: true }));
}

export type { Logger };
