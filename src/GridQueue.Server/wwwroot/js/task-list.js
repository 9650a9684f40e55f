// The caller's tasks, newest first: loaded page by page (GET /api/v1/video/tasks, "Load more" with next_cursor) and
// kept up to date by the live stream. Everything is merged by task_id, and a newer view (an event, a list row, an
// action's answer) replaces what is shown only when its updated_at is not older.

import { api } from './api.js';
import { h, shorten } from './dom.js';

const PAGE_SIZE = 20;
const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Compares two ISO 8601 UTC timestamps ("2026-11-28T09:00:41.120Z"), whatever their number of decimals. */
export function compareTimestamps(a, b) {
  const normalize = value => {
    const [main, fraction = ''] = String(value ?? '').replace(/Z$/, '').split('.');
    return `${main}.${fraction.padEnd(9, '0')}`;
  };
  const left = normalize(a);
  const right = normalize(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Newest first: by created_at, then by id. */
function comesBefore(a, b) {
  const byTime = compareTimestamps(a.created_at, b.created_at);
  if (byTime !== 0) return byTime > 0;
  return a.task_id > b.task_id;
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, location.href);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

export class TaskList {
  constructor({ list, state, more, toaster }) {
    this.list = list;
    this.state = state;
    this.more = more;
    this.toaster = toaster;
    this.rows = new Map();
    this.pending = new Map(); // live changes to tasks not shown, received before the first page arrived
    this.nextCursor = null;
    this.loaded = false;
    this.failed = null;
    this.generation = 0;
    more.addEventListener('click', () => this.loadMore());
  }

  /** Forgets everything (sign-out). */
  reset() {
    this.generation++;
    this.rows.clear();
    this.pending.clear();
    this.list.replaceChildren();
    this.nextCursor = null;
    this.loaded = false;
    this.failed = null;
    this.loading = false;
    this.renderState();
  }

  /** Loads the newest page. quiet: merge only, without the loading state (a resync after a reconnect). */
  async loadFirstPage({ quiet = false } = {}) {
    const generation = this.generation;
    if (!quiet) {
      this.loading = true;
      this.failed = null;
      this.renderState();
    }
    try {
      const page = await api.listTasks({ limit: PAGE_SIZE });
      if (generation !== this.generation) return;
      for (const task of page.items) this.apply(task, { source: 'list' });
      if (!quiet || !this.loaded) this.nextCursor = page.next_cursor ?? null;
      this.loaded = true;
      this.failed = null;
      const pending = [...this.pending.values()];
      this.pending.clear();
      for (const task of pending) this.apply(task, { source: 'event' });
    } catch (error) {
      if (generation !== this.generation || error.status === 401) return;
      if (!quiet || !this.loaded) this.failed = error;
    } finally {
      if (generation === this.generation && !quiet) this.loading = false;
      if (generation === this.generation) this.renderState();
    }
  }

  async loadMore() {
    if (!this.nextCursor || this.more.disabled) return;
    const generation = this.generation;
    this.more.disabled = true;
    this.more.setAttribute('aria-busy', 'true');
    try {
      const page = await api.listTasks({ limit: PAGE_SIZE, cursor: this.nextCursor });
      if (generation !== this.generation) return;
      for (const task of page.items) this.apply(task, { source: 'list' });
      this.nextCursor = page.next_cursor ?? null;
    } catch (error) {
      if (generation === this.generation && error.status !== 401) this.toaster.error(`Could not load more tasks: ${error.message}`);
    } finally {
      this.more.disabled = false;
      this.more.removeAttribute('aria-busy');
      if (generation === this.generation) this.renderState();
    }
  }

  /**
   * Merges one view of a task. source: "event" (live stream), "list" or "action". Announces a task that has just
   * succeeded or failed; a task first seen already finished in a list is not announced.
   */
  apply(task, { source }) {
    if (!task || typeof task.task_id !== 'string') return;
    const row = this.rows.get(task.task_id);
    const previous = row?.task;
    if (previous && compareTimestamps(task.updated_at, previous.updated_at) < 0) return; // older than shown
    if (!row && source === 'event' && !this.fits(task)) {
      // A change to a task outside the loaded pages: "Load more" brings it, as it is by then.
      if (!this.loaded) {
        const held = this.pending.get(task.task_id);
        if (!held || compareTimestamps(task.updated_at, held.updated_at) >= 0) this.pending.set(task.task_id, task);
      }
      return;
    }

    if (row) {
      row.task = task;
      this.update(row);
    } else {
      const created = this.create(task);
      this.rows.set(task.task_id, created);
      this.insert(created);
      this.renderState();
    }

    const changed = !previous || previous.status !== task.status || previous.attempt !== task.attempt;
    const announce = previous ? changed && !TERMINAL.has(previous.status) || previous.attempt !== task.attempt : source === 'event';
    if (!announce) return;
    if (task.status === 'succeeded') this.toaster.success(`Video ready: ${shorten(task.prompt)}`);
    else if (task.status === 'failed') this.toaster.error(`Task failed: ${task.error_message || 'no reason was given.'}`);
  }

  /** Whether a task not shown yet belongs among the loaded pages (newer than the last row, or no page is left). */
  fits(task) {
    if (!this.loaded) return false;
    if (!this.nextCursor) return true;
    const last = this.rows.get(this.list.lastElementChild?.dataset.taskId)?.task;
    return !last || comesBefore(task, last);
  }

  insert(row) {
    for (const element of this.list.children) {
      const other = this.rows.get(element.dataset.taskId);
      if (other && comesBefore(row.task, other.task)) {
        this.list.insertBefore(row.element, element);
        return;
      }
    }
    this.list.append(row.element);
  }

  create(task) {
    const base = `task-${task.task_id}`;
    const row = { task };
    row.title = h('h3', { class: 'task-prompt', id: `${base}-title` });
    row.status = h('span', { class: 'task-status', id: `${base}-status` });
    row.origin = h('span', { class: 'task-origin' });
    row.shape = h('span', { class: 'task-shape' });
    row.attempt = h('span', { class: 'task-attempt' });
    row.created = h('time', { class: 'task-created' });
    row.progress = h('progress', { max: '100', value: '0' });
    row.percent = h('span', { class: 'task-percent', 'aria-hidden': 'true' });
    row.error = h('p', { class: 'task-error' });
    row.video = h('div', { class: 'task-video' });
    row.actions = h('div', { class: 'task-actions' });
    row.element = h('li', { class: 'task', tabindex: '-1', 'aria-labelledby': `${base}-title`, 'aria-describedby': `${base}-status` },
      h('div', { class: 'task-head' }, row.title, row.status),
      h('p', { class: 'task-meta' }, row.origin, row.shape, row.attempt, row.created),
      h('div', { class: 'task-progress' }, row.progress, row.percent),
      row.error,
      row.video,
      row.actions);
    row.element.dataset.taskId = task.task_id;
    this.update(row);
    return row;
  }

  update(row) {
    const { task } = row;
    const label = shorten(task.prompt) || task.task_id;
    row.element.dataset.status = task.status;
    row.title.textContent = task.prompt || task.task_id;
    row.status.textContent = task.status;
    row.origin.textContent = `${task.provider} / ${task.model}`;
    row.shape.textContent = [task.aspect_ratio, task.duration ? `${task.duration} s` : null, task.hd ? 'HD' : null].filter(Boolean).join(' · ');
    row.attempt.textContent = task.attempt > 1 ? `Attempt ${task.attempt}` : '';
    row.attempt.hidden = !(task.attempt > 1);
    const created = new Date(task.created_at);
    row.created.dateTime = task.created_at ?? '';
    row.created.textContent = Number.isNaN(created.getTime()) ? '' : dateFormat.format(created);

    const progress = Math.max(0, Math.min(100, Number(task.progress) || 0));
    row.progress.value = progress;
    row.progress.setAttribute('aria-label', `Progress of “${label}”`);
    row.percent.textContent = `${progress}%`;

    const showError = (task.status === 'failed' || task.status === 'cancelled') && task.error_message;
    row.error.textContent = showError ? task.error_message : '';
    row.error.hidden = !showError;

    this.updateVideo(row, label);
    this.updateActions(row, label);
  }

  updateVideo(row, label) {
    const { task } = row;
    const url = task.status === 'succeeded' ? safeUrl(task.video_url) : null;
    if (row.videoUrl === url) return;
    row.videoUrl = url;
    row.video.replaceChildren();
    row.video.hidden = !url;
    if (!url) return;
    const video = h('video', { controls: true, preload: 'metadata', playsinline: true, src: url, 'aria-label': `Video for “${label}”` });
    // A provider's URL may not play here (a format this browser lacks, an expired link): keep only the link then.
    video.addEventListener('error', () => { video.hidden = true; });
    const link = h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, 'Open video', h('span', { class: 'visually-hidden' }, ` for “${label}”`));
    row.video.append(video, link);
  }

  updateActions(row, label) {
    const { task } = row;
    const wanted = task.status === 'queued' || task.status === 'running' ? 'cancel' : task.status === 'failed' ? 'retry' : null;
    if (row.action === wanted) return;
    const hadFocus = row.actions.contains(document.activeElement);
    row.action = wanted;
    row.actions.replaceChildren();
    if (wanted === 'cancel') {
      row.actions.append(h('button', { type: 'button', class: 'btn btn-small btn-danger', 'aria-label': `Cancel task “${label}”`, onclick: event => this.act(row, 'cancel', event.currentTarget) }, 'Cancel'));
    } else if (wanted === 'retry') {
      row.actions.append(h('button', { type: 'button', class: 'btn btn-small', 'aria-label': `Retry task “${label}”`, onclick: event => this.act(row, 'retry', event.currentTarget) }, 'Retry'));
    }
    if (hadFocus) (row.actions.querySelector('button') ?? row.element).focus();
  }

  async act(row, action, button) {
    const generation = this.generation;
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const task = await (action === 'cancel' ? api.cancel(row.task.task_id) : api.retry(row.task.task_id));
      if (generation === this.generation) this.apply(task, { source: 'action' });
    } catch (error) {
      if (generation !== this.generation || error.status === 401) return;
      const verb = action === 'cancel' ? 'cancel' : 'retry';
      this.toaster.error(`Could not ${verb} “${shorten(row.task.prompt, 40)}”: ${error.message}`);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  renderState() {
    let content = null;
    if (this.rows.size === 0) {
      if (this.failed) {
        content = h('div', { class: 'state state-error', role: 'alert' },
          h('p', { text: `Your tasks could not be loaded: ${this.failed.message}` }),
          h('button', { type: 'button', class: 'btn', onclick: () => this.loadFirstPage() }, 'Try again'));
      } else if (this.loading || !this.loaded) {
        content = h('div', { class: 'state', 'aria-busy': 'true' },
          h('p', { text: 'Loading your tasks…' }),
          h('div', { class: 'skeleton', 'aria-hidden': 'true' }),
          h('div', { class: 'skeleton', 'aria-hidden': 'true' }));
      } else {
        content = h('div', { class: 'state' },
          h('p', { text: 'No tasks yet. Describe a video in the form and press Generate: it shows up here and updates live.' }));
      }
    } else if (this.failed) {
      content = h('div', { class: 'alert alert-error', role: 'alert' },
        h('p', { text: `Your tasks could not be refreshed: ${this.failed.message}` }),
        h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.loadFirstPage() }, 'Try again'));
    }
    const current = this.state.firstElementChild;
    if (content === null) {
      if (current) this.state.replaceChildren();
    } else if (!current || current.textContent !== content.textContent) {
      this.state.replaceChildren(content);
    }
    this.more.hidden = !this.nextCursor;
  }
}
