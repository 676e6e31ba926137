import type { ApiClient } from './api-client.ts';
import { formatWhen, statusLabel } from './format.ts';
import { TaskListSchema, toTaskView } from './messages.ts';
import type { TaskView } from './messages.ts';

/** The elements of the recent-tasks panel. */
export interface TaskListElements {
  list: HTMLUListElement;
  empty: HTMLElement;
  refresh: HTMLButtonElement;
}

/** What the list asks of the rest of the page. */
export interface TaskListActions {
  open(taskId: string): void;
  removed(taskId: string): void;
  announce(text: string): void;
}

const LIMIT = 20;

/** Shows recent tasks with cancel and delete; refresh() reloads them from GET /tasks. */
export function createTaskList(els: TaskListElements, api: ApiClient, actions: TaskListActions): { refresh(): Promise<void> } {
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
    const raw = await api.json(`/tasks?limit=${LIMIT}`, TaskListSchema);
    const tasks = raw.map(toTaskView).sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
    els.list.replaceChildren(...tasks.map(row));
    els.empty.hidden = tasks.length > 0;
  }

  els.refresh.addEventListener('click', () => {
    refresh().catch((error: unknown) => actions.announce(`Could not load recent tasks: ${String(error)}`));
  });
  return { refresh };
}
