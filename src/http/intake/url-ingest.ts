import { rename } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Handler } from 'hono';
import { fetchToFile } from '../../net/guarded-fetch.ts';
import { createAddressPolicy } from '../../net/ip-policy.ts';
import { UrlFetchError } from '../../net/url-fetch-error.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { safeExtension, sanitizeFileName } from './file-name.ts';
import { acceptedResponse } from '../tasks/task-create.ts';
import { parseTaskForm, TASK_FORM_FIELDS } from './task-params-schema.ts';
import { submitMedia } from './submit-media.ts';
import { removeUpload } from './upload.ts';
import { rejectUnknownFields } from '../validation.ts';

/** A JSON body is a URL and options; it never needs more than this. */
const MAX_JSON_BYTES = 64 * 1024;
const MAX_URL_CHARS = 4096;

/** True for `application/json` (and `+json`) requests, which POST /tasks reads as `{url, ...options}`. */
export function isJsonRequest(c: Context<AppEnv>): boolean {
  return /^application\/([\w.-]+\+)?json\b/i.test(c.req.header('content-type') ?? '');
}

/** POST /tasks: a JSON body goes to the URL handler, anything else to the multipart upload handler. */
export function withUrlIngest(deps: AppDeps, multipart: Handler<AppEnv>): Handler<AppEnv> {
  const byUrl = createUrlTaskHandler(deps);
  return (c, next) => (isJsonRequest(c) ? byUrl(c) : multipart(c, next));
}

/**
 * POST /tasks with `{url, ...options}`: validates the options, downloads the media through the
 * SSRF guard into a folder of the media store, then takes the same path as an upload (probe, submit, 202).
 */
export function createUrlTaskHandler(deps: AppDeps) {
  // Built once so that a bad URL_FETCH_ALLOW_HOSTS entry fails at start-up, not on a request.
  const policy = createAddressPolicy(deps.config.URL_FETCH_ALLOW_HOSTS);
  return async (c: Context<AppEnv>) => {
    const body = await readJsonBody(c);
    rejectUnknownFields(body, ['url', ...TASK_FORM_FIELDS]);
    const { url, callback_url: callbackUrl, ...options } = body;
    if (typeof url !== 'string' || url.trim() === '' || url.length > MAX_URL_CHARS) {
      throw new AppError(400, 'INVALID_FIELD', `Give "url" as an http or https URL of at most ${MAX_URL_CHARS} characters.`, [{ field: 'url', message: 'required' }]);
    }
    // Malformed is the client's typo (400); a well-formed URL to a refused scheme or place is 403 URL_FORBIDDEN.
    if (!URL.canParse(url.trim())) {
      throw new AppError(400, 'INVALID_URL', 'Give "url" as an absolute http or https URL, such as https://example.com/talk.mp3.', [{ field: 'url', message: 'not a valid absolute URL' }]);
    }
    const { task } = await submitMedia(c, deps, {
      model: options.model,
      callbackUrl,
      params: (selected) => parseTaskForm(asFormFields(options), selected.info, deps.canDiarize, deps.canVad),
      identity: { route: 'POST /tasks (url)', fields: body },
      media: async () => {
        const dir = await deps.media.newFolder();
        try {
          const fetched = await fetchToFile(url.trim(), path.join(dir, 'media'), {
            policy,
            maxBytes: deps.config.MAX_UPLOAD_BYTES,
            timeoutMs: deps.config.URL_FETCH_TIMEOUT_MS,
            signal: c.req.raw.signal,
          }).catch((error: unknown) => {
            if (error instanceof UrlFetchError) throw new AppError(error.status, error.code, error.message, { url: url.slice(0, 500) });
            throw error;
          });
          if (fetched.bytes === 0) throw new AppError(400, 'EMPTY_FILE', 'The file at the URL is empty.');
          const fileName = sanitizeFileName(fetched.fileName, 'download');
          const mediaPath = path.join(dir, `media${safeExtension(fileName)}`);
          if (mediaPath !== fetched.path) await rename(fetched.path, mediaPath);
          return { dir, path: mediaPath, fileName };
        } catch (error) {
          await removeUpload(dir);
          throw error;
        }
      },
      nameInMessages: true,
    });
    return acceptedResponse(c, deps, task);
  };
}

async function readJsonBody(c: Context<AppEnv>): Promise<Record<string, unknown>> {
  const tooLarge = () => new AppError(413, 'BODY_TOO_LARGE', `A JSON body may be at most ${MAX_JSON_BYTES} bytes.`);
  if (Number(c.req.header('content-length') ?? NaN) > MAX_JSON_BYTES) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = c.req.raw.body?.getReader();
  for (let part = await reader?.read(); reader && part && !part.done; part = await reader.read()) {
    size += part.value.byteLength;
    if (size > MAX_JSON_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(part.value);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new AppError(400, 'INVALID_JSON', 'The body is not valid JSON.', { reason: (error as Error).message });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AppError(400, 'INVALID_JSON', 'The body must be a JSON object such as {"url": "https://…"}.');
  }
  return parsed as Record<string, unknown>;
}

// The option schema reads form strings; JSON brings booleans and numbers, so spell them as a form would.
function asFormFields(options: Record<string, unknown>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value === null || value === undefined) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[name] = String(value);
    else throw new AppError(400, 'INVALID_FIELD', `Field "${name}" must be a string, number or boolean.`, [{ field: name, message: 'wrong type' }]);
  }
  return fields;
}
