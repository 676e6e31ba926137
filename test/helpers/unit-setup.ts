// Set-up of the unit projects (vitest.config.ts), which run on threads.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { getRequestListener } from '@hono/node-server';

// A child process or a native addon could take the whole runner down with a thread: either one fails
// at once, naming the fix.
const refuse = (what: string) => () => {
  throw new Error(`${what} in a unit test (threads): add this file to NATIVE in vitest.config.ts, which runs it in a fork`);
};
const mutable = childProcess as unknown as Record<string, unknown>;
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  mutable[name] = refuse(`child_process.${name}()`);
}
syncBuiltinESMExports(); // so `import { spawn } from 'node:child_process'` sees the refusal too
// Except better-sqlite3: HTTP unit tests run the real service over `:memory:` SQLite (test/http/test-app.ts).
// Its addon is context-aware and documented safe in worker threads, does no I/O off the calling thread
// and starts no process; only that one file name is let through, any other addon is still refused.
const dlopen = process.dlopen.bind(process);
const refuseAddon = refuse('Loading a native addon');
process.dlopen = (module: { exports: unknown }, filename: string, flags?: number) => {
  if (path.basename(filename) !== 'better_sqlite3.node') return refuseAddon();
  return flags === undefined ? dlopen(module, filename) : dlopen(module, filename, flags);
};

// The server always runs with @hono/node-server's own Request and Response globals (installed by the
// listener); app.request() tests get them too, from the start, instead of only after some file
// happened to listen on a port in the same thread.
getRequestListener(() => new Response(null));
