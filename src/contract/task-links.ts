import type { Context } from 'hono';
import * as v from 'valibot';

/** Where a task and its views live: absolute URLs under PUBLIC_URL, else paths relative to this server. */
export const TaskLinksSchema = v.object({ self: v.string(), progress: v.string(), websocket: v.string(), result: v.string() });
/** Where a task and its views live. */
export type TaskLinks = v.InferOutput<typeof TaskLinksSchema>;

/** What decides the links' origin. */
export interface LinkSettings {
  PUBLIC_URL: string;
  TRUST_PROXY: boolean;
}

/**
 * The base that links start with: PUBLIC_URL when set; the forwarded origin behind a trusted proxy
 * that sends X-Forwarded-Host; else '' (relative links). The client's own Host header is never used:
 * a forged one would put another origin into answers that may be stored or shared.
 */
export function linkBase(c: Context, settings: LinkSettings): string {
  if (settings.PUBLIC_URL) return settings.PUBLIC_URL;
  if (!settings.TRUST_PROXY) return '';
  const host = c.req.header('x-forwarded-host')?.split(',')[0]?.trim();
  if (!host || !/^[\w.-]+(:\d+)?$|^\[[\da-f:.]+\](:\d+)?$/i.test(host)) return '';
  const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim();
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}

/** Links to a task's resources under `base` (see linkBase); the socket link gets ws(s): when absolute. */
export function taskLinks(base: string, id: string): TaskLinks {
  const path = `${base}/tasks/${encodeURIComponent(id)}`;
  const wsBase = base.replace(/^http/, 'ws');
  return {
    self: path,
    progress: `${path}/progress`,
    websocket: `${wsBase}/ws/tasks/${encodeURIComponent(id)}`,
    result: `${path}/result`,
  };
}
