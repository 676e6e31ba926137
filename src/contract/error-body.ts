import * as v from 'valibot';

/** `{error:{code,message,details}}`: the body of every error answer outside /v1. */
export const ErrorBodySchema = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.description('Stable machine-readable code, e.g. TASK_NOT_FOUND, UNAUTHORIZED, RATE_LIMITED, QUEUE_FULL')),
    message: v.pipe(v.string(), v.description('A sentence a person can read')),
    details: v.pipe(v.unknown(), v.description('Extra facts (field problems, limits), or null')),
  }),
});
/** The JSON body of every error answer. */
export type ErrorBody = v.InferOutput<typeof ErrorBodySchema>;

/** Builds the error body from its parts. */
export function errorBody(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}
