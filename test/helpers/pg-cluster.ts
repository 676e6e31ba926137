import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** A private PostgreSQL server for one test file: its own data folder, port and socket folder. */
export interface PgCluster {
  /** The server's own `postgres` database, as a role that may create databases. */
  adminUrl: string;
  /** A new, empty database on the server; returns its URL. */
  createDatabase(): Promise<string>;
  stop(): void;
}

/** Where Debian keeps the server binaries (they are not on PATH), or the PATH's. */
function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/initdb'))).sort() : [];
  if (versions.length > 0) return path.join(root, versions.at(-1)!, 'bin');
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0) return path.dirname(which.stdout.trim());
  throw new Error('PostgreSQL is not installed: `npm test` installs it (apt-get install postgresql) when run as root');
}

/**
 * initdb into a temporary folder and start the server on a free port, listening on loopback and a
 * socket in that folder. As root, the server runs as the `postgres` user (it refuses root).
 */
export function startPgCluster(): PgCluster {
  const bin = binDir();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pg-test-'));
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const r = asRoot
      ? spawnSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], { encoding: 'utf8' })
      : spawnSync(path.join(bin, cmd), args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  if (asRoot) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout));
  const data = path.join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  // A port from a wide range: each test file has its own server, and two may start at once.
  let port = 0;
  for (let attempt = 0; attempt < 5 && port === 0; attempt++) {
    const candidate = 20000 + Math.floor(Math.random() * 20000);
    try {
      run('pg_ctl', ['-D', data, '-w', '-t', '60', '-l', path.join(dir, 'log'), '-o',
        `-p ${candidate} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`, 'start']);
      port = candidate;
    } catch (error) {
      if (attempt === 4) throw error;
    }
  }
  let count = 0;
  const admin = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 1 });
  return {
    adminUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async createDatabase() {
      const name = `test_${process.pid}_${++count}`;
      await admin.query(`CREATE DATABASE ${name}`);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    stop() {
      void admin.end();
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
