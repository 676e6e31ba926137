import { createApiClient } from './api-client.ts';
import { createKeyPrompt, createKeyStore } from './api-key.ts';
import { byId, taskIdFromUrl } from './dom.ts';
import { applyServerInfo, bindSpeakerToggle, fetchServerInfo } from './form-options.ts';
import type { ReadyInfo } from './messages.ts';
import { applyModelChoice, fetchModelIds, infoForChoice } from './model-choice.ts';
import { createProgressView } from './progress-view.ts';
import { createTaskList } from './task-list.ts';
import { createTaskPanel } from './task-panel.ts';
import { createTranscriptView } from './transcript-view.ts';
import { bindUploadForm } from './upload-form.ts';

// The page's composition root: find the elements, build the parts, connect them.

const keys = createKeyStore(window.sessionStorage);
const ask = createKeyPrompt(
  { panel: byId('key-panel', HTMLElement), form: byId('key-form', HTMLFormElement), input: byId('key-input', HTMLInputElement), hint: byId('key-hint', HTMLElement) },
  keys,
);
const api = createApiClient(keys, ask, window.location);

const progress = createProgressView({
  bar: byId('progress', HTMLElement),
  fill: byId('progress-fill', HTMLElement),
  label: byId('progress-label', HTMLElement),
  queue: byId('queue-info', HTMLElement),
  stage: byId('stage-info', HTMLElement),
  connection: byId('connection', HTMLElement),
  errorBox: byId('error-box', HTMLElement),
  errorMessage: byId('error-message', HTMLElement),
  errorDetails: byId('error-details', HTMLDetailsElement),
  errorDetail: byId('error-detail', HTMLElement),
  status: byId('status', HTMLElement),
});
const transcript = createTranscriptView({
  title: byId('segments-title', HTMLElement),
  list: byId('segments', HTMLOListElement),
  player: byId('player', HTMLElement),
  audio: byId('audio', HTMLAudioElement),
  speakers: byId('speaker-list', HTMLUListElement),
  copy: byId('copy-button', HTMLButtonElement),
});
const formError = byId('form-error', HTMLElement);
const showFormError = (message: string) => {
  formError.textContent = message;
  formError.hidden = false;
};

const reportListError = (error: unknown) => progress.announce(`Could not load recent tasks: ${String(error)}`);
const refreshList = () => { list.refresh().catch(reportListError); };

const panel = createTaskPanel(
  {
    panel: byId('task-panel', HTMLElement),
    title: byId('task-title', HTMLElement),
    taskId: byId('task-id', HTMLElement),
    cancel: byId('cancel-button', HTMLButtonElement),
    retry: byId('retry-button', HTMLButtonElement),
    newTask: byId('new-button', HTMLButtonElement),
    downloads: byId('downloads', HTMLElement),
    downloadLinks: byId('download-links', HTMLElement),
    meta: byId('result-meta', HTMLElement),
  },
  api,
  { progress, transcript, formError: showFormError },
  refreshList,
);

const list = createTaskList(
  {
    list: byId('recent-list', HTMLUListElement),
    empty: byId('recent-empty', HTMLElement),
    refresh: byId('refresh-button', HTMLButtonElement),
    filter: byId('recent-filter', HTMLSelectElement),
    prev: byId('recent-prev', HTMLButtonElement),
    next: byId('recent-next', HTMLButtonElement),
    range: byId('recent-range', HTMLElement),
  },
  api,
  {
    open: (id) => { panel.watch(id).catch(reportTaskError); },
    removed: (id) => { if (panel.currentTaskId() === id) panel.clear(); },
    announce: progress.announce,
  },
);

function reportTaskError(error: unknown) {
  console.error(error);
  progress.announce(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
}

const pick = byId('pick-button', HTMLButtonElement);
bindUploadForm(
  {
    form: byId('upload-form', HTMLFormElement),
    input: byId('file-input', HTMLInputElement),
    pick,
    dropZone: byId('drop-zone', HTMLElement),
    fileName: byId('file-name', HTMLElement),
    submit: byId('submit-button', HTMLButtonElement),
    error: formError,
  },
  (file, fields) => panel.upload(file, fields),
);

// The options follow what this server's model can do (languages, translation, speakers).
const optionEls = {
  language: byId('opt-language', HTMLSelectElement),
  taskField: byId('task-field', HTMLElement),
  task: byId('opt-task', HTMLSelectElement),
  speakers: byId('speakers', HTMLFieldSetElement),
  diarize: byId('opt-diarize', HTMLInputElement),
  numSpeakers: byId('opt-num-speakers', HTMLInputElement),
  speakersHint: byId('speakers-hint', HTMLElement),
};
bindSpeakerToggle(optionEls);
// With several models served (WHISPER_MODELS) the form offers them, and the options follow the chosen one.
const modelEls = { field: byId('model-field', HTMLElement), select: byId('opt-model', HTMLSelectElement) };
const modelHint = byId('model-hint', HTMLElement);
let serverInfo: ReadyInfo | null = null;
const applyOptions = () => applyServerInfo(optionEls, infoForChoice(serverInfo, modelEls.select.value));
modelEls.select.addEventListener('change', applyOptions);
applyOptions();
fetchServerInfo().then((info) => { serverInfo = info; applyOptions(); }).catch(reportTaskError);
fetchModelIds(api).then((ids) => {
  applyModelChoice(modelEls, ids);
  modelHint.hidden = modelEls.field.hidden;
  applyOptions();
}).catch(reportTaskError);
byId('new-button', HTMLButtonElement).addEventListener('click', () => {
  panel.clear();
  pick.focus();
});

// Resume: reloading, or opening /?task=<id>, watches that task again.
const resumeId = taskIdFromUrl(window.location);
if (resumeId) panel.watch(resumeId).catch(reportTaskError);
refreshList();
// Other clients add tasks too; a slow refresh keeps the list honest while the tab is visible.
setInterval(() => { if (document.visibilityState === 'visible') refreshList(); }, 15_000);
