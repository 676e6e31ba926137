import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { useFakePools } from '../helpers/fake-pool.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const makePool = useFakePools();

async function until(check: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('createWorkerPool unavailable()', () => {
  it('says nothing while a worker is still loading a model that exists, then nothing once it is ready', async () => {
    const p = makePool({ env: { FAKE_LOAD_MS: '300' } });
    expect(p.unavailable()).toBeNull();
    await until(() => p.readyCount() === 1);
    expect(p.unavailable()).toBeNull();
  });

  it('reports MODEL_UNAVAILABLE once the model failed to load, and clears when a restarted worker loads it', async () => {
    let spawns = 0;
    const p = makePool({
      restartBackoffMs: { initial: 300, max: 300 },
      spawn: (entry, options) => {
        spawns += 1;
        return fork(entry, [], { ...options, env: { ...options.env, FAKE_LOAD: spawns === 1 ? 'fail' : 'ok' } });
      },
    });
    await until(() => p.unavailable() !== null);
    expect(p.unavailable()).toMatchObject({ code: 'MODEL_UNAVAILABLE' });
    await until(() => p.readyCount() === 1);
    expect(p.unavailable()).toBeNull();
  });
});
