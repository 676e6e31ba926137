import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { routeLabel } from '../../src/http/middleware/http-metrics.ts';
import { createFakeTranscriber } from '../helpers/fake-transcriber.ts';
import { JFK_WAV } from '../helpers/paths.ts';
import { startService, type TestService } from '../helpers/start-service.ts';
import { connect } from '../ws/mini-server.ts';
import { buildTestApp } from './test-app.ts';
import { samples } from '../helpers/metric-samples.ts';

const wav = readFileSync(JFK_WAV);
const KEY = 'metrics-key-0123456789';

let server: TestService | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('GET /metrics', () => {
  it('reports tasks, queue, stages, real-time factor, sockets, HTTP latency and disk use of a real server', async () => {
    const engine = createFakeTranscriber('manual');
    server = await startService({ engine, env: { API_KEYS: KEY } });
    const auth = { Authorization: `Bearer ${KEY}` };
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);

    const body = new FormData();
    body.append('file', new Blob([new Uint8Array(wav)]), 'jfk.wav');
    const { identifier } = (await (await fetch(`${server.url}/tasks`, { method: 'POST', body, headers: auth })).json()) as { identifier: string };
    const watcher = await connect(`${server.url.replace('http', 'ws')}/ws/tasks/${identifier}?token=${KEY}`);
    const [job] = await engine.waitForJobs(1);
    const during = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
    expect(samples(during, 'whisper_websocket_connections')).toEqual({ '': 1 });
    job!.started(11);
    job!.progress(100);
    job!.succeed({ duration: 11 });
    await watcher.next((f) => f.stage === 'complete');
    // The server closes a socket after its task's final frame.
    expect(await watcher.closed).toMatchObject({ code: 1000 });
    await fetch(`${server.url}/tasks/${identifier}`, { headers: auth });
    await fetch(`${server.url}/no/such/path/${Math.random()}`, { headers: auth });

    const res = await fetch(`${server.url}/metrics`, { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(samples(text, 'whisper_tasks')).toMatchObject({ '{status="completed"}': 1, '{status="queued"}': 0 });
    expect(samples(text, 'whisper_queue_depth')).toEqual({ '': 0 });
    expect(samples(text, 'whisper_queue_wait_seconds_count')).toEqual({ '': 1 });
    expect(samples(text, 'whisper_stage_duration_seconds_count')['{stage="transcribing"}']).toBe(1);
    expect(samples(text, 'whisper_stage_duration_seconds_count')['{stage="aligning"}']).toBe(1);
    expect(samples(text, 'whisper_real_time_factor_count')).toEqual({ '': 1 });
    expect(samples(text, 'whisper_real_time_factor_sum')['']).toBeGreaterThan(0);
    expect(samples(text, 'whisper_websocket_connections')).toEqual({ '': 0 });
    expect(samples(text, 'whisper_workers_ready')).toEqual({ '': 1 });
    const http = samples(text, 'whisper_http_request_duration_seconds_count');
    expect(http['{method="POST",route="/tasks",status_class="2xx"}']).toBe(1);
    expect(http['{method="GET",route="/tasks/:id",status_class="2xx"}']).toBe(1);
    expect(http['{method="GET",route="/metrics",status_class="4xx"}']).toBe(1);
    expect(http['{method="GET",route="/metrics",status_class="2xx"}']).toBe(1);
    expect(http['{method="GET",route="unmatched",status_class="4xx"}']).toBe(1);
    expect(Object.keys(http).some((k) => k.includes('/no/such'))).toBe(false);
    expect(samples(text, 'whisper_disk_usage_bytes')['{area="uploads"}']).toBeGreaterThanOrEqual(wav.length);
    expect(samples(text, 'whisper_disk_usage_bytes')['{area="database"}']).toBeGreaterThan(0);

    expect(server.server.registry.count()).toBe(0);
  });

  it('counts worker restarts the engine reports', async () => {
    let report: ((r: { slot: number; reason: string }) => void) | undefined;
    // The worker pool's restart event, on the fake engine: the service subscribes its metrics to it.
    const engine = Object.assign(createFakeTranscriber('manual'), {
      onWorkerRestart(listener: (r: { slot: number; reason: string }) => void) {
        report = listener;
        return () => (report = undefined);
      },
    });
    const t = await buildTestApp({}, { engine });
    report!({ slot: 0, reason: 'exited' });
    report!({ slot: 1, reason: 'exited' });
    report!({ slot: 0, reason: 'start_failed' });
    const text = await (await t.app.request('/metrics')).text();
    expect(samples(text, 'whisper_worker_restarts_total')).toEqual({ '{reason="exited"}': 2, '{reason="start_failed"}': 1 });
    await t.close(); // the service's dispose closes its metrics
    expect(report).toBeUndefined();
  });

  it('labels requests by route pattern, never by raw path', async () => {
    const t = await buildTestApp();
    const seen: string[] = [];
    t.app.get('/probe/:x', (c) => {
      seen.push(routeLabel(c));
      return c.text('ok');
    });
    await t.app.request('/probe/anything');
    expect(seen).toEqual(['/probe/:x']);
  });
});
