import * as v from 'valibot';

/** A loaded model as a worker reports it: the file's name, its size class, whether it knows languages besides English. */
export const ModelInfoSchema = v.object({ name: v.string(), type: v.string(), multilingual: v.boolean() });
/** A loaded model as a worker reports it. */
export type ModelInfo = v.InferOutput<typeof ModelInfoSchema>;
