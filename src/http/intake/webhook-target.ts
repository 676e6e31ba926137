import type { Context } from 'hono';
import type { NewTask } from '../../tasks/task-record.ts';
import { WebhookUrlError } from '../../webhooks/webhook-url.ts';
import type { AppDeps } from '../app-deps.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { linkBase } from '../../contract/task-links.ts';

/**
 * The webhook part of a new task from its `callback_url` field: checked against the SSRF policy of
 * URL ingestion before the task exists (400 when malformed, 422 when refused), with the request's
 * origin so that the events' links are absolute. Undefined when webhooks are off and none was asked for.
 */
export async function webhookTarget(c: Context<AppEnv>, deps: AppDeps, raw: unknown): Promise<NewTask['webhook']> {
  const origin = linkBase(c, deps.config) || null; // null: relative links, as the API gives them
  if (raw === undefined || raw === null || raw === '') return deps.webhooks?.enabled ? { callbackUrl: null, origin } : undefined;
  const field = [{ field: 'callback_url', message: 'not usable' }];
  if (typeof raw !== 'string') throw new AppError(400, 'INVALID_FIELD', 'Field "callback_url" must be a string URL.', field);
  if (!deps.webhooks?.enabled) {
    throw new AppError(422, 'WEBHOOKS_DISABLED', 'This server sends no webhooks, so callback_url cannot be used (the operator turns them on with WEBHOOK_SECRET).', field);
  }
  try {
    return { callbackUrl: await deps.webhooks.checkCallbackUrl(raw), origin };
  } catch (error) {
    if (!(error instanceof WebhookUrlError)) throw error;
    throw new AppError(error.code === 'CALLBACK_URL_INVALID' ? 400 : 422, error.code, error.message, field);
  }
}
