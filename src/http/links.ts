import type { Context } from 'hono';

/** Where a task and its views live, as absolute URLs a client can follow. */
export interface TaskLinks {
  self: string;
  progress: string;
  websocket: string;
  result: string;
}

/** The origin the client used; forwarded headers count only behind a trusted proxy. */
export function requestOrigin(c: Context, trustProxy: boolean): string {
  const url = new URL(c.req.url);
  const proto = trustProxy ? c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() : undefined;
  const host = (trustProxy ? c.req.header('x-forwarded-host')?.split(',')[0]?.trim() : undefined) ?? c.req.header('host') ?? url.host;
  return `${proto === 'https' || proto === 'http' ? proto : url.protocol.replace(':', '')}://${host}`;
}

/** Links to a task's resources, built from the request's origin. */
export function taskLinks(origin: string, id: string): TaskLinks {
  const base = `${origin}/tasks/${encodeURIComponent(id)}`;
  const wsOrigin = origin.replace(/^http/, 'ws');
  return {
    self: base,
    progress: `${base}/progress`,
    websocket: `${wsOrigin}/ws/tasks/${encodeURIComponent(id)}`,
    result: `${base}/result`,
  };
}
