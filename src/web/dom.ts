/** The element with this id, checked to be of the expected kind; a missing one is a build mistake. */
export function byId<T extends HTMLElement>(id: string, kind: new (...args: never[]) => T): T {
  const el = document.getElementById(id);
  if (!(el instanceof kind)) throw new Error(`index.html lacks #${id} of the expected kind`);
  return el;
}

/** The task id named in the page URL (`/?task=<id>`), if any. */
export function taskIdFromUrl(loc: Location): string | null {
  const id = new URLSearchParams(loc.search).get('task');
  return id && id.trim() !== '' ? id.trim() : null;
}

/** Puts the watched task id in the URL without a navigation, so reload resumes it. */
export function setTaskIdInUrl(taskId: string | null): void {
  const url = new URL(window.location.href);
  if (taskId) url.searchParams.set('task', taskId);
  else url.searchParams.delete('task');
  history.replaceState(history.state, '', url);
}
