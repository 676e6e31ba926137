import { describe, expect, it } from 'vitest';
import { buildTestApp } from '../http/test-app.ts';

const preflight = (origin: string) => ({
  method: 'OPTIONS',
  headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
});

describe('CORS', () => {
  it('is off by default: no CORS headers at all', async () => {
    const t = await buildTestApp();
    const res = await t.app.request('/tasks', { headers: { Origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await t.app.request('/tasks', preflight('https://evil.example'));
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only the listed origins, answering preflights before the API key is asked for', async () => {
    const t = await buildTestApp({ CORS_ORIGINS: 'https://app.example, https://other.example/', API_KEYS: 'key-0123456789abcdef' });
    const pre = await t.app.request('/tasks', preflight('https://app.example'));
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await t.app.request('/tasks', preflight('https://other.example'));
    expect(other.headers.get('access-control-allow-origin')).toBe('https://other.example');
    const denied = await t.app.request('/tasks', preflight('https://evil.example'));
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    // A real request still needs the key, and tells the browser which headers it may read.
    const res = await t.app.request('/tasks', { headers: { Origin: 'https://app.example' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
  });

  it('allows any origin with *', async () => {
    const t = await buildTestApp({ CORS_ORIGINS: '*' });
    const res = await t.app.request('/tasks', { headers: { Origin: 'https://anywhere.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
