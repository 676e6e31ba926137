import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import type { MediaStore } from '../../media/media-store.ts';
import { AppError } from '../app-error.ts';
import { safeExtension, sanitizeFileName } from './file-name.ts';

/** The media part of an upload, written to its own directory. */
export interface UploadedFile {
  /** Where the bytes are; the name is ours, never the client's. */
  path: string;
  /** The directory made for this upload; remove it to undo the upload. */
  dir: string;
  /** The client's file name, sanitized: a label only. */
  fileName: string;
  size: number;
  mimeType: string;
}

/** What a multipart body held: at most one file and its text fields. */
export interface UploadResult {
  file: UploadedFile | null;
  fields: Record<string, string>;
}

/** Limits and names for one upload. */
export interface UploadOptions {
  /** Gives the upload its own folder. */
  media: Pick<MediaStore, 'newFolder'>;
  maxBytes: number;
  fileField?: string;
  /** Text fields allowed besides the file; another name stops the upload at once with 400. */
  allowedFields?: readonly string[];
  maxFieldBytes?: number;
  /** Watches the pace of the body (see watchUploadPace); `fail` ends the upload with its error. */
  watch?: (fail: (error: unknown) => void) => { add(bytes: number): void; stop(): void };
}

/**
 * Streams a multipart body to disk: the file goes to a fresh folder of the media store, as `media<.ext>`, as it
 * arrives, the size limit is checked while reading, and on any failure the partial file is removed.
 */
export async function receiveUpload(
  source: Readable,
  headers: Record<string, string | undefined>,
  options: UploadOptions,
): Promise<UploadResult> {
  const fileField = options.fileField ?? 'file';
  const maxFields = (options.allowedFields?.length ?? 0) + 1;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': headers['content-type'] },
      // Browsers and curl send file names as raw UTF-8; busboy's default (latin1) would garble them.
      defParamCharset: 'utf8',
      limits: { files: 1, fields: maxFields, parts: maxFields + 1, fieldSize: options.maxFieldBytes ?? 16 * 1024, fileSize: options.maxBytes },
    });
  } catch (error) {
    throw new AppError(415, 'UNSUPPORTED_CONTENT_TYPE', 'Send the media as multipart/form-data with the file in field "file".', {
      reason: (error as Error).message,
    });
  }
  let dir = ''; // set before parsing starts, so every handler below sees it
  const fields: Record<string, string> = {};
  let file: UploadedFile | null = null;
  let writing: Promise<void> | null = null;
  let writer: WriteStream | null = null;
  let failed = false;
  let pace: ReturnType<NonNullable<UploadOptions['watch']>> | undefined;

  const done = new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => {
      failed = true;
      source.unpipe(parser);
      // Ends the write so the partial file can be removed; busboy would wait for more body otherwise.
      writer?.destroy();
      reject(error);
    };
    pace = options.watch?.(fail);
    parser.on('field', (name, value, info) => {
      if (failed) return;
      if (options.allowedFields && !options.allowedFields.includes(name) && name !== fileField) {
        return fail(unknownField(name, fileField, options.allowedFields));
      }
      if (info.valueTruncated) return fail(new AppError(400, 'INVALID_FIELD', `Field "${name}" is too long.`));
      // "name[]" is the form spelling of a list (the OpenAI SDK sends timestamp_granularities[] so): keep every value.
      if (name in fields && name.endsWith('[]')) return void (fields[name] += `,${value}`);
      if (name in fields) return fail(new AppError(400, 'INVALID_FIELD', `Field "${name}" was sent more than once.`));
      fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      // busboy goes on with the chunk it holds after an error: a file opened now would never end.
      if (failed) return void stream.resume();
      if (name !== fileField) {
        stream.resume();
        return fail(unknownField(name, fileField, options.allowedFields ?? []));
      }
      const fileName = sanitizeFileName(info.filename);
      const target = path.join(dir, `media${safeExtension(fileName)}`);
      const entry: UploadedFile = { path: target, dir, fileName, size: 0, mimeType: info.mimeType };
      file = entry;
      stream.on('data', (chunk: Buffer) => (entry.size += chunk.length));
      stream.on('limit', () => {
        fail(new AppError(413, 'UPLOAD_TOO_LARGE', `The file is larger than the limit of ${options.maxBytes} bytes.`, { max_bytes: options.maxBytes }));
      });
      const out = createWriteStream(target);
      writer = out;
      writing = new Promise<void>((resolveWrite, rejectWrite) => {
        out.on('error', rejectWrite);
        out.on('close', () => (out.writableFinished ? resolveWrite() : rejectWrite(new Error('the upload write was stopped'))));
      });
      writing.catch(fail);
      stream.on('error', (error) => out.destroy(error));
      stream.pipe(out);
    });
    parser.on('filesLimit', () => fail(new AppError(400, 'TOO_MANY_FILES', 'Send exactly one file, in field "file".')));
    parser.on('fieldsLimit', () => fail(new AppError(400, 'TOO_MANY_FIELDS', 'The form has too many fields.')));
    parser.on('partsLimit', () => fail(new AppError(400, 'TOO_MANY_FIELDS', 'The form has too many parts.')));
    parser.on('error', (error: Error) => fail(new AppError(400, 'INVALID_MULTIPART', 'The multipart body could not be parsed.', { reason: error.message })));
    parser.on('close', () => void (writing ?? Promise.resolve()).then(() => resolve(), fail));
    source.on('error', (error) => fail(new AppError(400, 'UPLOAD_ABORTED', 'The upload was interrupted.', { reason: error.message })));
    source.on('aborted', () => fail(new AppError(400, 'UPLOAD_ABORTED', 'The upload was interrupted.')));
  });

  // Read as a value at once: a client that aborts while the folder is being made rejects `done`
  // before anything awaits it, and an unhandled rejection would take the whole server down.
  const outcome = done.then(() => null, (error: unknown) => ({ error }));
  try {
    // Made before parsing so the file's stream gets its writer in the same turn it appears.
    dir = await options.media.newFolder();
    source.pipe(parser);
    if (pace) source.on('data', (chunk: Buffer) => pace!.add(chunk.length));
    const failed = await outcome;
    pace?.stop();
    if (failed) throw failed.error;
  } catch (error) {
    pace?.stop();
    if (dir) await removeUpload(dir, writing);
    throw error;
  }
  if (!file) await removeUpload(dir);
  return { file, fields };
}

/** Removes an upload's directory once any write into it has settled. */
export async function removeUpload(dir: string, writing: Promise<void> | null = null): Promise<void> {
  await writing?.catch(() => undefined); // its failure is already the reason we are cleaning up
  await rm(dir, { recursive: true, force: true });
}

function unknownField(name: string, fileField: string, allowed: readonly string[]): AppError {
  const names = [fileField, ...allowed];
  return new AppError(400, 'UNKNOWN_FIELD', `Unknown field "${name}". Allowed: ${names.join(', ')}.`, { unknown: [name], allowed: names });
}
