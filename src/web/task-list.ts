import type { ApiClient } from './api-client.ts';
import { formatWhen, statusLabel } from './format.ts';
import { TaskPageSchema, toTaskView } from './messages.ts';
import type { TaskView } from './messages.ts';

/** The elements of the recent-tasks panel. */
export interface TaskListElements {
  list: HTMLUListElement;
  empty: HTMLElement;
  refresh: HTMLButtonElement;
  filter: HTMLSelectElement;
  prev: HTMLButtonElement;
  next: HTMLButtonElement;
  range: HTMLElement;
}

/** What the list asks of the rest of the page. */
export interface TaskListActions {
  open(taskId: string): void;
  removed(taskId: string): void;
  announce(text: string): void;
}

/** Tasks per page. */
export const PAGE_SIZE = 10;

/** "11–20 of 34", or '' for an empty list. */
export function rangeText(offset: number, shown: number, total: number): string {
  return shown === 0 ? '' : `${offset + 1}–${offset + shown} of ${total}`;
}

/** Shows recent tasks (newest first, a page at a time, filtered by status) with cancel and delete. */
export function createTaskList(els: TaskListElements, api: ApiClient, actions: TaskListActions): { refresh(): Promise<void> } {
  let offset = 0;

  async function act(task: TaskView, verb: 'cancel' | 'delete') {
    const path = `/tasks/${encodeURIComponent(task.id)}`;
    const res = verb === 'cancel'
      ? await api.request(`${path}/cancel`, { method: 'POST' })
      : await api.request(path, { method: 'DELETE' });
    if (!res.ok && res.status !== 404) {
      actions.announce(`Could not ${verb} ${task.fileName} (HTTP ${res.status}).`);
    } else {
      actions.announce(verb === 'cancel' ? `Cancelled ${task.fileName}.` : `Deleted ${task.fileName}.`);
      if (verb === 'delete') actions.removed(task.id);
    }
    await refresh();
  }

  function row(task: TaskView): HTMLLIElement {
    const li = document.createElement('li');
    li.dataset.taskId = task.id;
    const name = document.createElement('a');
    name.className = 'recent-name';
    name.href = `/?task=${encodeURIComponent(task.id)}`;
    name.textContent = task.fileName;
    name.addEventListener('click', (e) => { e.preventDefault(); actions.open(task.id); });
    const badge = document.createElement('span');
    badge.className = `badge ${task.status}`;
    const pct = task.status === 'processing' && task.percentage !== null ? ` ${task.percentage} %` : '';
    badge.textContent = statusLabel(task.status) + pct;
    const when = document.createElement('span');
    when.className = 'muted small';
    when.textContent = formatWhen(task.createdAt);
    li.append(name, badge, when);
    const button = (label: string, verb: 'cancel' | 'delete') => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = label;
      b.setAttribute('aria-label', `${label} ${task.fileName}`);
      if (verb === 'delete') b.className = 'danger';
      b.addEventListener('click', () => {
        if (verb === 'delete' && !window.confirm(`Delete ${task.fileName} and its transcript?`)) return;
        b.disabled = true;
        act(task, verb).catch((error: unknown) => actions.announce(`Could not ${verb}: ${String(error)}`));
      });
      li.append(b);
    };
    if (task.status === 'queued' || task.status === 'processing') button('Cancel', 'cancel');
    button('Delete', 'delete');
    return li;
  }

  async function refresh(): Promise<void> {
    const status = els.filter.value;
    const query = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset) });
    if (status) query.set('status', status);
    const page = await api.json(`/tasks?${query}`, TaskPageSchema);
    // A page emptied by deletions: step back to the last page that has tasks.
    if (page.items.length === 0 && offset > 0) {
      offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      return refresh();
    }
    const tasks = page.items.map(toTaskView);
    els.list.replaceChildren(...tasks.map(row));
    els.empty.textContent = status ? 'No tasks with this status.' : 'No tasks yet.';
    els.empty.hidden = tasks.length > 0;
    els.range.textContent = rangeText(offset, tasks.length, page.total);
    els.prev.disabled = offset === 0;
    els.next.disabled = offset + tasks.length >= page.total;
  }

  const reload = () => {
    refresh().catch((error: unknown) => actions.announce(`Could not load recent tasks: ${String(error)}`));
  };
  els.refresh.addEventListener('click', reload);
  els.filter.addEventListener('change', () => { offset = 0; reload(); });
  els.prev.addEventListener('click', () => { offset = Math.max(0, offset - PAGE_SIZE); reload(); });
  els.next.addEventListener('click', () => { offset += PAGE_SIZE; reload(); });
  return { refresh };
}
