// The admin console's sections, each rendered from one API answer with textContent only.

import { h, shorten } from './dom.js';

const STATES = ['available', 'scheduled', 'running', 'retryable', 'completed', 'cancelled', 'discarded'];

function table(caption, headers, rows, empty) {
  if (rows.length === 0) return h('p', { class: 'muted admin-empty', text: empty });
  return h('table', { class: 'admin-table' },
    h('caption', { class: 'visually-hidden', text: caption }),
    h('thead', {}, h('tr', {}, headers.map(name => h('th', { scope: 'col', text: name })))),
    h('tbody', {}, rows.map(cells => h('tr', {}, cells.map((cell, i) => i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell))))));
}

const time = iso => (iso ? new Date(iso).toLocaleTimeString() : '—');

/** Jobs per queue (rows) and state (columns). */
export function countsView(counts) {
  const queues = [...new Set(counts.map(c => c.queue))].sort();
  const count = (queue, state) => String(counts.find(c => c.queue === queue && c.state === state)?.count ?? 0);
  return table('Jobs by queue and state', ['Queue', ...STATES], queues.map(q => [q, ...STATES.map(s => count(q, s))]), 'No jobs yet.');
}

export function runningView(running) {
  return table('Running jobs', ['Job', 'Kind', 'Queue', 'Node', 'Attempt', 'Lease age'],
    running.map(j => [String(j.id), j.kind, j.queue, j.node ?? '—', String(j.attempt), `${j.lease_age_seconds.toFixed(1)} s`]),
    'Nothing is running.');
}

/** One dead letter with its error history and its two actions. */
export function deadLetterView(job, actions) {
  const label = `${job.kind} #${job.id}`;
  return h('li', { class: 'admin-dead', 'data-job-id': String(job.id) },
    h('div', { class: 'admin-dead-head' },
      h('p', { class: 'admin-dead-title' }, h('strong', { text: label }), ` in ${job.queue}`,
        job.task_id ? ` · task ${job.task_id}` : '', ` · attempt ${job.attempt}/${job.max_attempts} · discarded ${time(job.discarded_at)}`),
      h('div', { class: 'admin-dead-actions' },
        h('button', { type: 'button', class: 'btn', 'aria-label': `Redrive ${label}`, onclick: () => actions.redrive(job) }, 'Redrive'),
        h('button', { type: 'button', class: 'btn btn-danger', 'aria-label': `Purge ${label}`, onclick: () => actions.purge(job) }, 'Purge'))),
    h('ol', { class: 'admin-errors', 'aria-label': `Errors of ${label}` },
      job.errors.map(e => h('li', {}, h('span', { class: 'muted', text: `attempt ${e.attempt}, ${time(e.at)}: ` }), shorten(e.message, 300)))));
}

export function tasksView(tasks) {
  return table('Tasks of all users', ['Task', 'User', 'Provider', 'Status', 'Progress', 'Created'],
    tasks.map(t => [t.task_id, t.user_id, t.provider, t.status, `${t.progress} %`, time(t.created_at)]),
    'No task matches.');
}

export function usageView(usage) {
  return table('Usage per user', ['User', 'Tasks', 'Running', 'Failed'],
    usage.map(u => [u.user_id, String(u.tasks), String(u.running), String(u.failed)]), 'No tasks yet.');
}

export function auditView(entries) {
  if (entries.length === 0) return [h('li', { class: 'muted', text: 'No admin action yet.' })];
  return entries.map(e => h('li', { class: 'admin-audit-entry', 'data-action': e.action },
    h('span', { class: 'muted', text: `${new Date(e.at).toLocaleString()} · ${e.actor} · ` }),
    h('strong', { text: e.action }), ` ${e.target}: ${e.detail}`));
}
