import type { UploadFields } from './upload.ts';

/** The elements of the upload form in index.html. */
export interface UploadFormElements {
  form: HTMLFormElement;
  input: HTMLInputElement;
  pick: HTMLButtonElement;
  dropZone: HTMLElement;
  fileName: HTMLElement;
  submit: HTMLButtonElement;
}

function formatSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

// Only options the person changed are sent, so the server's defaults stay in charge.
function readFields(form: HTMLFormElement): UploadFields {
  const data = new FormData(form);
  const fields: UploadFields = {};
  const language = String(data.get('language') ?? '').trim();
  if (language) fields.language = language;
  if (data.get('task') === 'translate') fields.task = 'translate';
  if (data.get('word_timestamps')) fields.word_timestamps = 'true';
  return fields;
}

/** Wires file picking (button, label, drag and drop) and submission to onSubmit. */
export function bindUploadForm(els: UploadFormElements, onSubmit: (file: File, fields: UploadFields) => void): void {
  let chosen: File | null = null;
  const choose = (file: File | null) => {
    chosen = file;
    els.fileName.textContent = file ? `${file.name} (${formatSize(file.size)})` : 'No file chosen';
    els.submit.disabled = file === null;
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
    if (!chosen) return;
    onSubmit(chosen, readFields(els.form));
    // The same file may be sent again; clearing the input lets "change" fire for it next time.
    els.input.value = '';
    choose(null);
  });
}
