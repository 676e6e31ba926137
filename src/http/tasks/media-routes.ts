import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Hono, type Context } from 'hono';
import { errorBody } from '../../contract/error-body.ts';
import { attachmentDisposition } from '../../formats/download-name.ts';
import type { TaskRecord } from '../../tasks/task-record.ts';
import { documentLast } from '../openapi/route-doc.ts';
import { taskDocs } from './openapi-tasks.ts';

const MEDIA_TYPES: Record<string, string> = {
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.ogg': 'audio/ogg',
  '.oga': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.flac': 'audio/flac',
  '.webm': 'audio/webm',
  '.mp4': 'video/mp4',
  '.mkv': 'video/x-matroska',
  '.mov': 'video/quicktime',
};
const typeOf = (file: string) => MEDIA_TYPES[path.extname(file).toLowerCase()];

/** Parses one `bytes=` range against a size; null means serve it whole, 'bad' means 416. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'bad' {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null; // absent, or multi-range: send everything
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'bad' : { start, end };
}

async function sendMedia(c: Context, file: string, type: string, disposition: string): Promise<Response> {
  const { size } = await stat(file);
  const range = parseRange(c.req.header('Range'), size);
  // Every header goes in at construction: under @hono/node-server, one set on the Response afterwards is lost.
  const headers: Record<string, string> = { 'Content-Type': type, 'Accept-Ranges': 'bytes', 'Cache-Control': 'private, no-cache', 'Content-Disposition': disposition };
  if (range === 'bad') return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
  const { start, end } = range ?? { start: 0, end: size - 1 };
  headers['Content-Length'] = String(size === 0 ? 0 : end - start + 1);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
  const status = range ? 206 : 200;
  // HEAD gets the headers only; opening a stream nobody reads would hold a file descriptor.
  if (c.req.method === 'HEAD' || size === 0) return new Response(null, { status, headers });
  const body = Readable.toWeb(createReadStream(file, { start, end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers });
}

/** GET /tasks/:id/media: the task's media for the page's player (byte ranges, inline). */
export function mediaRoutes(deps: { tasks: { get(id: string): Promise<Pick<TaskRecord, 'fileName' | 'mediaPath'> | undefined> } }): Hono {
  const app = new Hono();
  app.get('/:id/media', async (c) => {
    const task = await deps.tasks.get(c.req.param('id'));
    if (!task) return c.json(errorBody('TASK_NOT_FOUND', 'No task with this id.'), 404);
    const gone = () => c.json(errorBody('MEDIA_DELETED', "This task's media file has been deleted."), 410);
    if (!task.mediaPath) return gone();
    try {
      // "Save as" offers the client's own name (UTF-8 in filename*), never our media.<ext>.
      return await sendMedia(c, task.mediaPath, typeOf(task.fileName) ?? typeOf(task.mediaPath) ?? 'application/octet-stream',
        attachmentDisposition(task.fileName).replace(/^attachment/, 'inline'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return gone();
      throw error;
    }
  });
  documentLast(app, taskDocs().media);
  return app;
}
