import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { linkBase, taskLinks } from '../../contract/task-links.ts';
import { parseTaskForm, TASK_FORM_FIELDS } from '../intake/task-params-schema.ts';
import { submitMedia } from '../intake/submit-media.ts';
import { receiveUpload, type UploadResult } from '../intake/upload.ts';
import { createUploadSlots, watchUploadPace, type UploadSlots } from '../intake/upload-limits.ts';

/** Room for multipart boundaries and text fields on top of the file limit. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * Reads a multipart upload into the media store without buffering it, rejecting a body that is
 * too large while it streams (413 before the rest is stored). Reused by every route that takes media.
 */
export async function readMediaUpload(c: Context<AppEnv>, deps: AppDeps, allowedFields: readonly string[]): Promise<UploadResult> {
  const max = deps.config.MAX_UPLOAD_BYTES;
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > max + MULTIPART_OVERHEAD_BYTES) {
    abandonBody(c.env?.incoming);
    throw new AppError(413, 'UPLOAD_TOO_LARGE', `The file is larger than the limit of ${max} bytes.`, { max_bytes: max });
  }
  const incoming = c.env?.incoming;
  let release: () => void;
  try {
    release = uploadSlots(deps).take();
  } catch (error) {
    abandonBody(incoming);
    throw error;
  }
  const body = incoming ?? (c.req.raw.body ? Readable.fromWeb(c.req.raw.body as import('node:stream/web').ReadableStream) : Readable.from([]));
  try {
    return await receiveUpload(body, { 'content-type': c.req.header('content-type') }, {
      media: deps.media,
      maxBytes: max,
      allowedFields,
      watch: (fail) => watchUploadPace(deps.config, fail),
    });
  } catch (error) {
    abandonBody(incoming);
    throw error;
  } finally {
    release();
  }
}

// One counter per app (keyed by its config object), so in-process test apps do not share slots.
const slotsByConfig = new WeakMap<object, UploadSlots>();
function uploadSlots(deps: AppDeps): UploadSlots {
  let slots = slotsByConfig.get(deps.config);
  if (!slots) slotsByConfig.set(deps.config, (slots = createUploadSlots(deps.config.MAX_CONCURRENT_UPLOADS)));
  return slots;
}

/** How long a refused body may keep arriving (discarded) so the client can read the answer. */
const LINGER_MS = 1000;

/**
 * Stops storing a refused body. Closing the socket at once would make many clients lose the
 * error answer to a reset while they are still sending, so the rest is discarded for a short
 * while and the connection is cut after that if the body still has not ended.
 */
function abandonBody(incoming: IncomingMessage | undefined): void {
  if (!incoming || incoming.readableEnded) return;
  incoming.unpipe();
  incoming.resume();
  const timer = setTimeout(() => incoming.socket?.destroy(), LINGER_MS);
  timer.unref();
  incoming.once('end', () => clearTimeout(timer));
  incoming.once('close', () => clearTimeout(timer));
}

/** The 202 answer for a task whose row exists: its identifier and the links to follow it. */
export function acceptedResponse(c: Context<AppEnv>, deps: AppDeps, task: TaskRecord) {
  return c.json(
    {
      identifier: task.id,
      status: 'queued' as const,
      file_name: task.fileName,
      created_at: task.createdAt,
      links: taskLinks(linkBase(c, deps.config), task.id),
    },
    202,
  );
}

/** POST /tasks: stream the file, then the one intake (options, media check, row), then answer 202. */
export function createTaskHandler(deps: AppDeps) {
  return async (c: Context<AppEnv>) => {
    const { file, fields } = await readMediaUpload(c, deps, TASK_FORM_FIELDS);
    if (!file) throw new AppError(400, 'FILE_REQUIRED', 'Attach the media as a file in the multipart field "file".');
    const { task } = await submitMedia(c, deps, {
      media: file,
      model: fields.model,
      callbackUrl: fields.callback_url,
      params: (selected) => parseTaskForm(fields, selected.info, deps.canDiarize, deps.canVad),
      identity: { route: 'POST /tasks', fields },
      nameInMessages: true,
    });
    return acceptedResponse(c, deps, task);
  };
}
