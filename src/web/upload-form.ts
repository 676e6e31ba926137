import type { UploadFields } from './upload.ts';

/** The elements of the upload form in index.html. */
export interface UploadFormElements {
  form: HTMLFormElement;
  input: HTMLInputElement;
  pick: HTMLButtonElement;
  dropZone: HTMLElement;
  fileName: HTMLElement;
  submit: HTMLButtonElement;
  error: HTMLElement;
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * The fields to send. Word timestamps are always sent, ticked or not, so the task does what the
 * box says (the server's default is on, and the box starts ticked to match). Other options are
 * sent only when changed, so the server's defaults stay in charge.
 */
export function readFields(form: HTMLFormElement): UploadFields {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? '').trim();
  const fields: UploadFields = { word_timestamps: data.get('word_timestamps') ? 'true' : 'false' };
  if (text('model')) fields.model = text('model');
  const language = text('language');
  if (language && language !== 'auto') fields.language = language;
  if (text('task') === 'translate') fields.task = 'translate';
  if (data.get('vad')) fields.vad = 'true';
  if (text('initial_prompt')) fields.initial_prompt = text('initial_prompt');
  const temperature = text('temperature');
  if (temperature && Number(temperature) !== 0) fields.temperature = temperature;
  if (data.get('diarize')) {
    fields.diarize = 'true';
    if (text('num_speakers')) fields.num_speakers = text('num_speakers');
  }
  return fields;
}

/**
 * Wires file picking (button, label, drag and drop) and submission. onSubmit resolves once the
 * server accepted the file; when it refuses (415, 422, …) the reason is shown on the form and the
 * chosen file stays, so the person can change an option and send it again.
 */
export function bindUploadForm(els: UploadFormElements, onSubmit: (file: File, fields: UploadFields) => Promise<void>): void {
  let chosen: File | null = null;
  let sending = false;
  const showError = (message: string | null) => {
    els.error.textContent = message ?? '';
    els.error.hidden = message === null;
  };
  const choose = (file: File | null) => {
    chosen = file;
    els.fileName.textContent = file ? `${file.name} (${formatSize(file.size)})` : 'No file chosen';
    els.submit.disabled = file === null || sending;
    showError(null);
  };

  els.pick.addEventListener('click', () => els.input.click());
  els.input.addEventListener('change', () => choose(els.input.files?.[0] ?? null));

  // dragenter/dragleave fire for every child; counting them keeps the highlight steady.
  let depth = 0;
  els.dropZone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth += 1;
    els.dropZone.classList.add('dragging');
  });
  els.dropZone.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  els.dropZone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) els.dropZone.classList.remove('dragging');
  });
  els.dropZone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    els.dropZone.classList.remove('dragging');
    const file = e.dataTransfer?.files[0];
    if (file) {
      choose(file);
      els.submit.focus();
    }
  });

  els.form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!chosen || sending) return;
    const file = chosen;
    sending = true;
    els.submit.disabled = true;
    showError(null);
    onSubmit(file, readFields(els.form)).then(
      () => {
        sending = false;
        // The same file may be sent again; clearing the input lets "change" fire for it next time.
        els.input.value = '';
        choose(null);
      },
      (error: unknown) => {
        sending = false;
        els.submit.disabled = chosen === null;
        showError(error instanceof Error ? error.message : String(error));
        els.error.focus?.();
      },
    );
  });
}
