import { ApiError, messageFromBody } from './api-client.ts';
import type { ApiClient } from './api-client.ts';

/** The download buttons: label, result format, file extension. */
const FORMATS = [
  { label: 'TXT', format: 'text', ext: 'txt' },
  { label: 'SRT', format: 'srt', ext: 'srt' },
  { label: 'VTT', format: 'vtt', ext: 'vtt' },
  { label: 'JSON', format: 'json', ext: 'json' },
] as const;

/** The result URL that downloads one format. */
export function resultUrl(taskId: string, format: string): string {
  return `/tasks/${encodeURIComponent(taskId)}/result?format=${format}&download=1`;
}

function fileNameFrom(res: Response, fallback: string): string {
  const header = res.headers.get('Content-Disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain?.[1] ?? fallback;
}

// Links cannot carry an Authorization header, so with a key the file is fetched and saved from a blob.
async function downloadWithKey(api: ApiClient, url: string, fallbackName: string): Promise<void> {
  const res = await api.request(url);
  if (!res.ok) throw new ApiError(res.status, messageFromBody(await res.text(), `HTTP ${res.status}`));
  const blobUrl = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = blobUrl;
  a.download = fileNameFrom(res, fallbackName);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
}

/** Fills container with one download link per format for a completed task. */
export function renderDownloads(
  container: HTMLElement,
  api: ApiClient,
  taskId: string,
  baseName: string,
  onError: (message: string) => void,
): void {
  const links = FORMATS.map(({ label, format, ext }) => {
    const a = document.createElement('a');
    a.className = 'button';
    a.href = resultUrl(taskId, format);
    a.download = `${baseName}.${ext}`;
    a.textContent = label;
    a.setAttribute('aria-label', `Download the transcript as ${label}`);
    a.addEventListener('click', (event) => {
      if (!api.hasKey()) return; // a plain link works when the server needs no key
      event.preventDefault();
      downloadWithKey(api, a.href, a.download).catch((error: unknown) => {
        onError(error instanceof Error ? error.message : String(error));
      });
    });
    return a;
  });
  container.replaceChildren(...links);
}
