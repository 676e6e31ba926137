import type { ApiClient } from './api-client.ts';

/** Where the player gets its audio, and how to let go of it (object URLs hold memory). */
export interface AudioSource {
  src: string | null;
  release(): void;
}

const none = (): void => {};

function objectUrl(blob: Blob): AudioSource {
  const src = URL.createObjectURL(blob);
  return { src, release: () => URL.revokeObjectURL(src) };
}

/**
 * The server's copy of the media when it still has it (GET /tasks/:id/media), else the file this
 * page uploaded, else nothing. With a key the media is fetched as a blob: <audio> cannot send headers.
 */
export async function resolveAudio(api: ApiClient, taskId: string, localFile: File | null): Promise<AudioSource> {
  const url = `/tasks/${encodeURIComponent(taskId)}/media`;
  try {
    if (api.hasKey()) {
      const res = await api.request(url);
      if (res.ok) return objectUrl(await res.blob());
    } else {
      const res = await api.request(url, { method: 'HEAD' });
      if (res.ok) return { src: url, release: none };
    }
  } catch (error) {
    console.warn('server media unavailable:', error);
  }
  return localFile ? objectUrl(localFile) : { src: null, release: none };
}
