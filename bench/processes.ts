/**
 * Child processes under test (the API, PostGraphile) and their memory. Each server runs as one
 * node process (no npx/tsx wrapper in between) so that /proc/<pid>/status describes the server
 * itself: VmHWM is its peak resident set since start, VmRSS the current one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

/** VmHWM and VmRSS of a process in KiB (null when /proc is not readable, e.g. not Linux). */
export function memoryKiB(pid: number): { peak: number; current: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { peak: field('VmHWM'), current: field('VmRSS') };
  } catch {
    return null;
  }
}

let clockTicks: number | null = null;

/** CPU time (user + system) a process has used, seconds; null when /proc is not readable. */
export function cpuSeconds(pid: number): number | null {
  try {
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return null;
  }
}

/**
 * Waits until the process `pid` uses less than 25 ms of CPU in 250 ms (it has finished the
 * requests a load left running), at most `timeoutMs`.
 */
export async function waitUntilIdle(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c0 = cpuSeconds(pid);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const c1 = cpuSeconds(pid);
    if (c0 === null || c1 === null || c1 - c0 < 0.025 || Date.now() > deadline) return;
  }
}

export interface ServerProcess {
  name: string;
  pid: number;
  baseUrl: string;
  /** Last lines the process printed (for error messages). */
  output(): string;
  /** Largest VmRSS seen by the sampler and the kernel's VmHWM, KiB. */
  memory(): { peakKiB: number | null; sampledPeakKiB: number | null };
  /** Largest VmRSS sampled since the previous call, KiB (per-operation memory). */
  takeWindowPeak(): number | null;
  stop(): Promise<void>;
}

export interface SpawnServerOptions {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  port: number;
  /** Resolves when the server answers; default: any HTTP answer on `readyPath`. */
  readyPath: string;
  timeoutMs?: number;
}

export async function spawnServer(options: SpawnServerOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name}: could not start ${options.command}`);
  const baseUrl = `http://127.0.0.1:${options.port}`;

  let sampledPeak: number | null = null;
  let windowPeak: number | null = null;
  let lastPeak: number | null = null;
  const sample = () => {
    const m = memoryKiB(pid);
    if (m) {
      sampledPeak = Math.max(sampledPeak ?? 0, m.current);
      windowPeak = Math.max(windowPeak ?? 0, m.current);
      lastPeak = m.peak;
    }
  };
  const sampler = setInterval(sample, 250);
  sampler.unref();

  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (exited !== null) {
      clearInterval(sampler);
      throw new Error(`${options.name} exited with status ${exited} before it was ready:\n${lines.join('\n')}`);
    }
    try {
      await fetch(`${baseUrl}${options.readyPath}`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        clearInterval(sampler);
        throw new Error(`${options.name} did not answer on ${baseUrl}${options.readyPath} within ${options.timeoutMs ?? 120_000} ms:\n${lines.join('\n')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  return {
    name: options.name,
    pid,
    baseUrl,
    output: () => lines.join('\n'),
    memory() {
      sample();
      return { peakKiB: lastPeak, sampledPeakKiB: sampledPeak };
    },
    takeWindowPeak() {
      sample();
      const peak = windowPeak;
      windowPeak = null;
      return peak;
    },
    async stop() {
      clearInterval(sampler);
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
