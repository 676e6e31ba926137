import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookPayload } from '../../src/webhooks/webhook-events.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { spawnServerProcess, tempDataDir } from '../helpers/test-server.ts';
import { accepted, startReceiver } from './receiver.ts';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(url: string): Promise<void> {
  for (const end = Date.now() + 90_000; Date.now() < end; await sleep(100)) {
    if ((await fetch(`${url}/health/ready`).then((r) => r.status, () => 0)) === 200) return;
  }
  throw new Error('server never became ready');
}

describe('webhooks across a crash', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('sends a delivery that was in flight when the server was SIGKILLed after the restart, with the same webhook-id, then the rest in order', async () => {
    const hook = await startReceiver();
    cleanups.push(() => hook.close());
    let crashed = false;
    // Before the crash the receiver never answers, so the first delivery is in flight when the process dies.
    hook.decide = () => (crashed ? 200 : 'hang');
    const dataDir = tempDataDir();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { WEBHOOK_SECRET: SECRET, WEBHOOK_URL: hook.url, URL_FETCH_ALLOW_HOSTS: '127.0.0.1', WEBHOOK_TIMEOUT_MS: '10000', WEBHOOK_RETRY_BASE_MS: '50' };

    const first = await spawnServerProcess(dataDir, env);
    cleanups.push(() => first.stop());
    await waitReady(first.url);
    const upload = new FormData();
    upload.append('file', new Blob([readFileSync(JFK_WAV)], { type: 'audio/wav' }), 'jfk.wav');
    const created = await fetch(`${first.url}/tasks`, { method: 'POST', body: upload });
    expect(created.status).toBe(202);
    const { identifier } = (await created.json()) as { identifier: string };
    await hook.waitFor((got) => got.length >= 1, 60_000);
    first.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const inFlight = hook.received[0]!;
    expect(hook.received).toHaveLength(1);
    crashed = true;

    // The killed attempt's claim lapses WEBHOOK_TIMEOUT_MS + 10 s after it began (another node could
    // still be sending it, as far as the new process knows): only then does it go out again.
    const second = await spawnServerProcess(dataDir, env);
    cleanups.push(() => second.stop());
    await hook.waitFor((got) => accepted(got).some((a) => a.type === 'task.completed'), 180_000);

    const events = accepted(hook.received);
    expect(events[0]!.id).toBe(inFlight.id); // the same message, sent again
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length); // and nothing twice after it went through
    const verifier = new Webhook(SECRET);
    const payloads = hook.received.filter((r) => r.answer === 200).map((r) => verifier.verify(r.body, r.headers) as WebhookPayload);
    expect(payloads.every((p) => p.data.id === identifier)).toBe(true);
    const stages = payloads.map((p) => p.data.stage);
    expect(stages[0]).toBe('transcribing');
    expect(stages.at(-1)).toBe('complete');
    expect(payloads.at(-1)!.type).toBe('task.completed');
    // Stage order holds across the crash: no stage comes back after a later one.
    const order = ['transcribing', 'aligning', 'diarizing', 'complete'];
    expect(stages.map((s) => order.indexOf(s))).toEqual([...stages.map((s) => order.indexOf(s))].sort((a, b) => a - b));
  }, 300_000);
});
