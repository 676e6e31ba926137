import type { Context, MiddlewareHandler } from 'hono';
import { canSee } from '../../auth/task-access.ts';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';

/** The owner recorded on a task the request creates. */
export function requestOwner(c: Context<AppEnv>): string | null {
  return c.get('owner') ?? null;
}

/**
 * Guards /tasks/:id and everything under it (result, media, cancel, delete): a task of another
 * key answers exactly as an unknown id does, so ids cannot be probed across keys.
 */
export function ownerGuard(tasks: { get(id: string): Promise<Pick<TaskRecord, 'owner'> | undefined> }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const owner = c.get('owner');
    // Keys off (no owner): nothing to check, and no parameter to decode.
    if (!owner) return next();
    const id = c.req.param('id');
    if (id !== undefined) {
      const task = await tasks.get(id);
      if (task && !canSee(task, owner)) throw new AppError(404, 'TASK_NOT_FOUND', `No task with id "${id.slice(0, 100)}".`);
    }
    return next();
  };
}
