import * as v from 'valibot';
import { LANGUAGE_CODES, languageName } from '../formats/languages.ts';
import { ReadySchema, type ReadyInfo } from './messages.ts';

/** The option controls that depend on what the server can do. */
export interface FormOptionElements {
  language: HTMLSelectElement;
  taskField: HTMLElement;
  task: HTMLSelectElement;
  speakers: HTMLFieldSetElement;
  diarize: HTMLInputElement;
  numSpeakers: HTMLInputElement;
  speakersHint: HTMLElement;
}

/** The command that installs the diarization models (README, Models). */
export const DIARIZATION_HINT = 'Speaker labels are not available on this server yet. An administrator can add them with: npm run models:download -- diarization';

/** What GET /health/ready says (it answers 503 with the same body while not ready), or null. */
export async function fetchServerInfo(): Promise<ReadyInfo | null> {
  try {
    const res = await fetch('/health/ready', { headers: { Accept: 'application/json' } });
    const parsed = v.safeParse(ReadySchema, await res.json());
    return parsed.success ? parsed.output : null;
  } catch (error) {
    console.warn('server capabilities unknown:', error);
    return null;
  }
}

const title = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/**
 * Offers what the loaded model can do: its languages (an English-only model: English, or
 * detection), "Translate" only for multilingual models, and "Speakers" only when the server has
 * the diarization models; otherwise the option is shown disabled with the command that adds them.
 */
export function applyServerInfo(els: FormOptionElements, info: ReadyInfo | null): void {
  const englishOnly = info?.model?.multilingual === false;
  const codes = englishOnly ? ['en'] : [...LANGUAGE_CODES].sort((a, b) => languageName(a).localeCompare(languageName(b)));
  const chosen = els.language.value;
  const auto = els.language.options[0]!;
  els.language.replaceChildren(auto, ...codes.map((code) => new Option(`${title(languageName(code))} (${code})`, code)));
  els.language.value = codes.includes(chosen) ? chosen : 'auto';

  els.taskField.hidden = englishOnly;
  if (englishOnly) els.task.value = 'transcribe';

  const canDiarize = info?.diarization?.available === true;
  els.diarize.disabled = !canDiarize;
  if (!canDiarize) els.diarize.checked = false;
  els.numSpeakers.disabled = !canDiarize || !els.diarize.checked;
  els.speakers.toggleAttribute('data-unavailable', !canDiarize);
  els.speakersHint.textContent = canDiarize ? 'Each line of the transcript gets a speaker label. Leave "How many" empty to let it find out.' : DIARIZATION_HINT;
}

/** Keeps the speaker count usable only while "Label who speaks" is ticked. */
export function bindSpeakerToggle(els: Pick<FormOptionElements, 'diarize' | 'numSpeakers'>): void {
  els.diarize.addEventListener('change', () => {
    els.numSpeakers.disabled = !els.diarize.checked || els.diarize.disabled;
  });
}
