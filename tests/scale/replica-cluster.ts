/**
 * A throw-away primary and streaming replica (PostgreSQL 15) for the read-routing tests: initdb
 * in a temp dir, `pg_basebackup -R` (writes standby.signal and primary_conninfo) into a second
 * data directory, each on its own free port. The shared server is never touched. As root the
 * binaries run as the `postgres` user, because initdb refuses to run as root.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, PG_BIN } from '../failsafe/pg-cluster.js';

export { PG_BIN };

export const hasPgBinaries = () => ['initdb', 'pg_ctl', 'pg_basebackup'].every((bin) => existsSync(join(PG_BIN, bin)));

export interface Node {
  port: number;
  /** URL of database `name` on this node. */
  url(name?: string): string;
  start(): void;
  stop(mode?: 'fast' | 'immediate'): void;
  /**
   * SIGSTOP to the postmaster and every process under it: the server stops answering but its
   * connections stay open and new ones are accepted by the kernel and then hang, as with a frozen
   * host or a network partition that sends no reset. `thaw` sends SIGCONT.
   */
  freeze(): void;
  thaw(): void;
}

export interface ReplicatedCluster {
  primary: Node;
  replica: Node;
  destroy(): void;
}

/**
 * Signals the postmaster of `data` and its child processes (backends, WAL receiver, startup
 * process). Also used by bench/scale-out.ts to freeze its replica.
 */
export function signalPostgres(data: string, signal: 'SIGSTOP' | 'SIGCONT'): void {
  const postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  // The postmaster first when stopping, so that no child is forked after the list was read.
  const order = signal === 'SIGSTOP' ? [postmaster, ...children] : [...children, postmaster];
  for (const pid of order) {
    try {
      process.kill(pid, signal);
    } catch (error) {
      // A backend that ended between pgrep and now.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
}

export async function createReplicatedCluster(): Promise<ReplicatedCluster> {
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'kt-scale-pg-'));
  const owner = asRoot
    ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) }
    : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  const run = (bin: string, args: string[]) => {
    const command = asRoot ? 'runuser' : join(PG_BIN, bin);
    const argv = asRoot ? ['-u', 'postgres', '--', join(PG_BIN, bin), ...args] : args;
    const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 120_000 });
    if (result.status !== 0) throw new Error(`${bin} ${args.join(' ')} failed: ${result.stderr || result.stdout}`);
  };
  const node = (name: string, port: number, extra: string): Node => {
    const data = join(dir, name);
    const sockets = join(dir, `${name}-sock`);
    if (!existsSync(sockets)) {
      mkdirSync(sockets);
      if (owner) chownSync(sockets, owner.uid, owner.gid);
    }
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${sockets} -c fsync=off -c max_connections=60 ${extra}`;
    return {
      port,
      url: (db = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${db}`,
      start: () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, `${name}.log`), '-w', '-t', '90', 'start']),
      stop: (mode = 'fast') => run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']),
      freeze: () => signalPostgres(data, 'SIGSTOP'),
      thaw: () => signalPostgres(data, 'SIGCONT'),
    };
  };

  const primaryPort = await freePort();
  run('initdb', ['-D', join(dir, 'primary'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
  // wal_level=replica and max_wal_senders are PostgreSQL 15's defaults; named here for the reader.
  const primary = node('primary', primaryPort, '-c wal_level=replica -c max_wal_senders=5');
  primary.start();
  const replicaPort = await freePort();
  // -R: standby.signal + primary_conninfo; -X stream: the WAL written during the copy comes along.
  run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', join(dir, 'replica'), '-R', '-X', 'stream', '-c', 'fast']);
  const replica = node('replica', replicaPort, '-c hot_standby=on');
  replica.start();
  return {
    primary,
    replica,
    destroy: () => {
      for (const n of [replica, primary]) {
        try {
          n.stop('immediate');
        } catch {
          // already stopped
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
