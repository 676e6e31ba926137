import * as v from 'valibot';
import type { ApiClient } from './api-client.ts';
import type { ReadyInfo } from './messages.ts';

/** The model picker in index.html: a field that stays hidden while one model is served. */
export interface ModelChoiceElements {
  field: HTMLElement;
  select: HTMLSelectElement;
}

const ModelListSchema = v.looseObject({ data: v.array(v.looseObject({ id: v.string() })) });

/** The OpenAI name for the default model; the page offers the default under its own name instead. */
const DEFAULT_ALIAS = 'whisper-1';

// English-only ggml files are named `*.en` (`base.en`, `tiny.en-q5_1`), as the server's catalog reads them.
const englishOnly = (id: string) => /\.en($|[-_.])/.test(id);

/**
 * The models this server can serve, default first (GET /v1/models lists `whisper-1`, then the
 * default, then the others). An empty list when the list cannot be had: the page then offers no
 * choice, and tasks run on the default as before.
 */
export async function fetchModelIds(api: ApiClient): Promise<string[]> {
  try {
    const list = await api.json('/v1/models', ModelListSchema);
    return list.data.map((m) => m.id).filter((id, i, all) => id !== DEFAULT_ALIAS && all.indexOf(id) === i);
  } catch (error) {
    console.warn('model list unknown:', error);
    return [];
  }
}

/**
 * Offers the models when there is a choice. The default is the empty value, so that nothing is sent
 * for it and the server's default (WHISPER_MODEL) stays in charge, as with every other option.
 */
export function applyModelChoice(els: ModelChoiceElements, ids: readonly string[]): void {
  const chosen = els.select.value;
  const [first, ...others] = ids;
  els.field.hidden = ids.length < 2;
  // How many were offered, once the list is in (tests and styles can tell "one model" from "not asked yet").
  els.field.dataset.models = String(ids.length);
  if (ids.length < 2 || first === undefined) {
    els.select.replaceChildren();
    return;
  }
  els.select.replaceChildren(new Option(`${first} (default)`, ''), ...others.map((id) => new Option(id, id)));
  els.select.value = others.includes(chosen) ? chosen : '';
}

/** What the form's other options should follow: the chosen model, or the server's default when none is. */
export function infoForChoice(info: ReadyInfo | null, chosen: string): ReadyInfo | null {
  if (chosen === '') return info;
  return { ...info, model: { name: chosen, multilingual: !englishOnly(chosen) } };
}
