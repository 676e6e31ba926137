import * as v from 'valibot';
import { AppError } from './app-error.ts';

/** One field problem, as listed in an error answer's details. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** Turns valibot issues into one readable sentence plus a per-field list. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): { message: string; details: FieldIssue[] } {
  const details = issues.map((issue) => ({ field: v.getDotPath(issue) ?? '(input)', message: issue.message }));
  const first = details[0];
  const message = first ? `Invalid value for "${first.field}": ${first.message}.` : 'The request is not valid.';
  return { message, details };
}

/** Rejects keys that the schema does not name, with a 400 that names the first one. */
export function rejectUnknownFields(input: Record<string, unknown>, allowed: readonly string[], what = 'field'): void {
  const unknown = Object.keys(input).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw new AppError(400, 'UNKNOWN_FIELD', `Unknown ${what} "${unknown[0]}". Allowed: ${allowed.join(', ')}.`, {
      unknown,
      allowed,
    });
  }
}

/** Parses input with a valibot schema; a failure becomes a 400 (or the given status) with a sentence. */
export function parseInput<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  status: 400 | 422 = 400,
  code = 'INVALID_FIELD',
): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const { message, details } = describeIssues(result.issues);
  throw new AppError(status, code, message, details);
}

/** A form/query string read as a boolean: true/false/1/0 (any case). */
export const boolField = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.picklist(['true', 'false', '1', '0'], 'must be true, false, 1 or 0'),
  v.transform((s) => s === 'true' || s === '1'),
);

/** A form/query string read as a whole number within [min, max]. */
export const intField = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^-?\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

/** A form/query string read as a decimal number within [min, max]. */
export const numberField = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^-?(\d+\.?\d*|\.\d+)$/, 'must be a number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
