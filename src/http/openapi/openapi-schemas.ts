import * as v from 'valibot';
import { ModelInfoSchema } from '../../contract/model-info.ts';

// The JSON bodies of the service routes (health, models, OpenAI's shapes), as valibot schemas: the
// OpenAPI document is generated from them, and the tests parse real answers with them. The task
// bodies, frames and error body are the contract's (src/contract).

/** OpenAI's error envelope, used by the /v1 routes. */
export const OpenAiErrorSchema = v.object({
  error: v.object({ message: v.string(), type: v.string(), param: v.nullable(v.string()), code: v.nullable(v.string()) }),
});

/** GET /health/live. */
export const LiveSchema = v.object({ status: v.literal('ok') });

/** GET /health/ready. */
export const ReadySchema = v.object({
  status: v.picklist(['ready', 'not_ready']),
  role: v.pipe(v.picklist(['all', 'api', 'worker']), v.description('ROLE: an api node is ready when its database answers; workers_ready then counts the worker nodes\' workers')),
  checks: v.object({ database: v.boolean(), workers_ready: v.number() }),
  model: v.nullable(ModelInfoSchema),
  diarization: v.pipe(v.object({ available: v.boolean(), hint: v.optional(v.string()) }),
    v.description('Whether tasks may ask for diarize=true; the hint names the download command when not')),
});

/** One model in OpenAI's shape. */
export const ModelSchema = v.object({ id: v.string(), object: v.literal('model'), created: v.number(), owned_by: v.string() });

/** GET /v1/models. */
export const ModelListSchema = v.object({ object: v.literal('list'), data: v.array(ModelSchema) });

/** `response_format=json` of the OpenAI audio routes. */
export const OpenAiTextSchema = v.object({ text: v.string() });
