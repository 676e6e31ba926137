import type { Context } from 'hono';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { requestOwner } from '../middleware/owner-guard.ts';
import { replayOf, submitOnce, type RequestIdentity } from './idempotent-submit.ts';
import { checkMedia } from './media-check.ts';
import { requireModel } from './model-available.ts';
import { selectModel, withModel, type SelectedModel } from './model-field.ts';
import { removeUpload } from './upload.ts';
import { webhookTarget } from './webhook-target.ts';

/** Media in a folder of its own in the media store (an upload, or a URL download). */
export interface StoredMedia {
  dir: string;
  path: string;
  fileName: string;
  /** Bytes, when known before the media check (an upload): 0 is refused as EMPTY_FILE before anything else. */
  size?: number;
}

/** What a route hands to the intake: the media, how its options read, and what identifies the request. */
export interface MediaSubmission {
  /**
   * The stored media, or how to fetch it (a URL download): a fetch runs only once the options are
   * valid and no earlier request with the same Idempotency-Key made the task.
   */
  media: StoredMedia | (() => Promise<StoredMedia>);
  /** The `model` and `callback_url` fields as the client sent them. */
  model: unknown;
  callbackUrl: unknown;
  /** The route's own reading of its fields into task params, for the model picked (throws AppError). */
  params(selected: SelectedModel): TaskParams;
  /** The idempotency identity; an upload's bytes are added to it here. */
  identity: RequestIdentity;
  /** Whether media-check messages name the file (the task routes do; OpenAI's errors do not). */
  nameInMessages: boolean;
}

/**
 * The one intake of every route that takes media (multipart, URL, OpenAI): options and model first,
 * then the media check, then one row per Idempotency-Key. The stored media is removed when the request
 * is refused, and when it replays an earlier one (whose media is the one kept).
 */
export async function submitMedia(c: Context<AppEnv>, deps: AppDeps, submission: MediaSubmission): Promise<{ task: TaskRecord; replayed: boolean }> {
  let media = typeof submission.media === 'function' ? undefined : submission.media;
  try {
    if (media?.size === 0) throw new AppError(400, 'EMPTY_FILE', 'The uploaded file is empty.', [{ field: 'file' }]);
    const selected = selectModel(deps, submission.model);
    requireModel(deps, selected);
    const params = withModel(submission.params(selected), selected.model);
    const webhook = await webhookTarget(c, deps, submission.callbackUrl);
    let identity = submission.identity;
    if (!media) {
      // A repeated request is answered before the media is fetched again.
      const earlier = await replayOf(c, deps, identity);
      if (earlier) return { task: earlier, replayed: true };
      media = await (submission.media as () => Promise<StoredMedia>)();
    } else {
      identity = { ...identity, file: media };
    }
    const stored = media;
    const info = await checkMedia(stored.path, deps.config, deps.probeMedia, submission.nameInMessages ? stored.fileName : undefined);
    const result = await submitOnce(c, deps, identity, () => deps.tasks.submit({
      fileName: stored.fileName, mediaPath: stored.path, mediaDuration: info.durationSec, params, owner: requestOwner(c), webhook,
    }));
    if (result.replayed) await removeUpload(stored.dir);
    // The row exists from here on: only now may the route acknowledge the media.
    return result;
  } catch (error) {
    if (media) await removeUpload(media.dir);
    throw error;
  }
}
