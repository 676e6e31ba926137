const STORAGE_KEY = 'whisper-tasks.api-key';

/** Where the API key lives: sessionStorage, so it goes away with the tab. */
export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
}

/** A KeyStore over the given Storage; a storage that throws (privacy modes) falls back to memory. */
export function createKeyStore(storage: Storage): KeyStore {
  let memory: string | null = null;
  return {
    get() {
      try {
        return storage.getItem(STORAGE_KEY) ?? memory;
      } catch (error) {
        console.warn('sessionStorage unavailable, using the key kept in memory:', error);
        return memory;
      }
    },
    set(key) {
      memory = key;
      try {
        storage.setItem(STORAGE_KEY, key);
      } catch (error) {
        console.warn('API key kept in memory only:', error);
      }
    },
    clear() {
      memory = null;
      try {
        storage.removeItem(STORAGE_KEY);
      } catch (error) {
        console.warn('could not clear the stored API key:', error);
      }
    },
  };
}

/** The elements of the key form in index.html. */
export interface KeyPromptElements {
  panel: HTMLElement;
  form: HTMLFormElement;
  input: HTMLInputElement;
  hint: HTMLElement;
}

/** Asks for a key with the form; concurrent askers share one prompt and one answer. */
export function createKeyPrompt(els: KeyPromptElements, store: KeyStore): (rejected: boolean) => Promise<string> {
  let pending: Promise<string> | null = null;
  return (rejected) => {
    if (pending) return pending;
    pending = new Promise<string>((resolve) => {
      els.hint.textContent = rejected
        ? 'That key was not accepted. Enter a valid API key.'
        : 'This server asks for an API key. It is kept in this tab only.';
      els.panel.hidden = false;
      els.input.value = '';
      els.input.focus();
      const onSubmit = (event: SubmitEvent) => {
        event.preventDefault();
        const key = els.input.value.trim();
        if (!key) return;
        els.form.removeEventListener('submit', onSubmit);
        store.set(key);
        els.panel.hidden = true;
        pending = null;
        resolve(key);
      };
      els.form.addEventListener('submit', onSubmit);
    });
    return pending;
  };
}
