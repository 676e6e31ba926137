import * as v from 'valibot';
import { ApiError, messageFromBody } from './api-client.ts';
import type { ApiClient } from './api-client.ts';
import { CreatedSchema } from './messages.ts';

/** Options sent with the file; empty values are left out so the server's defaults apply. */
export type UploadFields = Record<string, string>;

interface XhrOutcome {
  status: number;
  text: string;
}

// XMLHttpRequest rather than fetch: only it reports upload progress in browsers.
function send(form: FormData, headers: Record<string, string>, onProgress: (fraction: number) => void): Promise<XhrOutcome> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/tasks');
    xhr.setRequestHeader('Accept', 'application/json');
    for (const [k, val] of Object.entries(headers)) xhr.setRequestHeader(k, val);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => resolve({ status: xhr.status, text: xhr.responseText }));
    xhr.addEventListener('error', () => reject(new ApiError(0, 'The upload failed: the server could not be reached.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'The upload was aborted.')));
    xhr.send(form);
  });
}

/** Uploads one file to POST /tasks and returns the new task's id; asks for a key on 401. */
export async function uploadTask(
  api: ApiClient,
  file: File,
  fields: UploadFields,
  onProgress: (fraction: number) => void,
): Promise<string> {
  for (;;) {
    const form = new FormData();
    for (const [k, val] of Object.entries(fields)) if (val !== '') form.append(k, val);
    form.append('file', file, file.name);
    const outcome = await send(form, api.authHeaders(), onProgress);
    if (outcome.status === 401) {
      await api.askForKey();
      continue;
    }
    if (outcome.status < 200 || outcome.status >= 300) throw new ApiError(outcome.status, messageFromBody(outcome.text, `The upload failed (HTTP ${outcome.status}).`));
    const created = v.safeParse(CreatedSchema, JSON.parse(outcome.text));
    if (!created.success) throw new ApiError(outcome.status, 'The server accepted the file but sent no task id.');
    return created.output.identifier;
  }
}
