import type * as v from 'valibot';

/** A JSON Schema written by hand, where no valibot schema exists (text formats, binary media). */
export type JsonSchemaObject = Record<string, unknown>;

/** One documented answer. */
export interface ApiResponse {
  description: string;
  /** The body: a valibot schema, a JSON Schema, or none. */
  schema?: v.GenericSchema | JsonSchemaObject;
  /** Default application/json. */
  contentType?: string;
  /** More content types with their schemas (e.g. the text result formats). */
  alternatives?: Record<string, JsonSchemaObject>;
  /** Response headers by name, with their description. */
  headers?: Record<string, string>;
}

/** One route as the OpenAPI document shows it. */
export interface ApiOperation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Hono's spelling (`/tasks/:id`); path parameters are derived from it. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** An object schema of the query parameters. */
  query?: v.ObjectSchema<v.ObjectEntries, v.ErrorMessage<v.ObjectIssue> | undefined>;
  /** Headers the route reads, by name, with their description. */
  headers?: Record<string, string>;
  /** The request body by content type (POST /tasks takes multipart or JSON). */
  body?: { description?: string; content: Record<string, v.GenericSchema | JsonSchemaObject> };
  responses: Record<number, ApiResponse>;
  /** Served without an API key. */
  public?: boolean;
}

/** Collects operations from the route groups; the document and the /docs page are built from it. */
export interface ApiRegistry {
  add(...operations: ApiOperation[]): void;
  operations(): readonly ApiOperation[];
}

/** Creates an empty registry; a second operation for the same method and path is a programming error. */
export function createApiRegistry(): ApiRegistry {
  const list: ApiOperation[] = [];
  return {
    add(...operations) {
      for (const op of operations) {
        if (list.some((o) => o.method === op.method && o.path === op.path)) throw new Error(`${op.method.toUpperCase()} ${op.path} is documented twice`);
        list.push(op);
      }
    },
    operations: () => list,
  };
}
