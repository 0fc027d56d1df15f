/**
 * Progress for long jobs: a bar on an interactive terminal, otherwise a line every 10% so CI
 * logs and `docker logs` still show that the job is moving.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  advance(by: number): void;
  stop(): void;
}

export function startProgress(label: string, total: number, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { advance: (by) => bar.increment(by), stop: () => bar.stop() };
  }
  let done = 0;
  let lastDecile = -1;
  const started = Date.now();
  return {
    advance(by) {
      done += by;
      const decile = Math.floor((done / Math.max(total, 1)) * 10);
      if (decile > lastDecile) {
        lastDecile = decile;
        write(`${label}: ${done.toLocaleString('en')}/${total.toLocaleString('en')} (${decile * 10}%, ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      }
    },
    stop() {},
  };
}
