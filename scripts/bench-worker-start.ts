// `npm run bench:worker-start -- [--model PATH] [--rounds N]`
// Worker start-up through the tsx loader (the TypeScript entry, as workers started before the bundle)
// against the esbuild bundle the pool forks by default, in interleaved pairs: fork → `ready` (model
// loaded) in ms, and the worker's RSS right after `ready`. Prints the medians and their ratios. A benchmark, not a test.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorkerHandle } from '../src/engine/pool/worker-handle.ts';
import { resolvePoolOptions, runnableEntry, workerEnv } from '../src/engine/pool/worker-pool-options.ts';
import { TINY_EN_RANDOM } from '../test/helpers/paths.ts';
import { median } from './bench-audio.ts';
import { loggerFrom, SILENT_LOGGER } from '../src/logger.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: TINY_EN_RANDOM }, rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
if (!(rounds >= 1)) throw new Error('--rounds must be ≥ 1');

const options = resolvePoolOptions({ workers: 1, threads: 1, modelPath: path.resolve(values.model!), taskTimeoutMs: 60_000 });
const env = workerEnv(options);
const bundled = runnableEntry(options.entry, loggerFrom((_level, fields, message) => console.error(`bench: ${message}`, fields)));
if (bundled === options.entry) throw new Error('the worker bundle could not be built; nothing to compare');

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** Forks one worker, waits for `ready`, reads its RSS, shuts it down and waits for its exit. */
function startOnce(entry: string): Promise<{ ms: number; rss: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let sample: { ms: number; rss: number } | null = null;
    const handle = createWorkerHandle({
      entry,
      env,
      niceness: 0,
      log: SILENT_LOGGER,
      onMessage(message) {
        if (message.type === 'load_failed') reject(new Error(message.error.technicalDetail));
        if (message.type !== 'ready') return;
        sample = { ms: performance.now() - started, rss: rssMiB(handle.pid!) };
        handle.send({ type: 'shutdown' });
      },
      onExit: (exit) => (sample ? resolve(sample) : reject(new Error(`worker exited before ready: ${exit.outputTail}`))),
    });
  });
}

const samples = { tsx: [] as Array<{ ms: number; rss: number }>, bundle: [] as Array<{ ms: number; rss: number }> };
await startOnce(bundled); // warm the page cache for the model and the libraries
for (let round = 0; round < rounds; round++) {
  // Alternate which goes first, so neither always starts on a cache the other warmed.
  const order: Array<keyof typeof samples> = round % 2 === 0 ? ['tsx', 'bundle'] : ['bundle', 'tsx'];
  for (const kind of order) samples[kind].push(await startOnce(kind === 'tsx' ? options.entry : bundled));
  console.log(`round ${round + 1}: tsx ${samples.tsx.at(-1)!.ms.toFixed(0)} ms ${samples.tsx.at(-1)!.rss.toFixed(1)} MiB; ` +
    `bundle ${samples.bundle.at(-1)!.ms.toFixed(0)} ms ${samples.bundle.at(-1)!.rss.toFixed(1)} MiB`);
}
const ms = (kind: keyof typeof samples) => median(samples[kind].map((s) => s.ms));
const rss = (kind: keyof typeof samples) => median(samples[kind].map((s) => s.rss));
console.log(`model ${path.basename(options.modelPath)}, ${rounds} rounds`);
console.log(`start-up (fork → ready): median tsx ${ms('tsx').toFixed(0)} ms, bundle ${ms('bundle').toFixed(0)} ms; ratio bundle/tsx ${(ms('bundle') / ms('tsx')).toFixed(3)}`);
console.log(`RSS after ready: median tsx ${rss('tsx').toFixed(1)} MiB, bundle ${rss('bundle').toFixed(1)} MiB; ratio bundle/tsx ${(rss('bundle') / rss('tsx')).toFixed(3)}`);
