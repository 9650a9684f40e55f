// The admin console: offered to admins only (GET /api/v1/me says who is one; the admin routes answer 403 to others), kept live by reading the admin
// routes every two seconds while it is open. A section is redrawn only when its data changed, so a button is not
// replaced under the pointer.

import { adminApi } from './admin-api.js';
import { renderThroughput } from './admin-chart.js';
import { auditView, countsView, deadLetterView, runningView, tasksView, usageView } from './admin-views.js';
import { $, h } from './dom.js';

const REFRESH_MS = 2000;

export class AdminConsole {
  constructor({ toggle, view, workspace, toaster }) {
    this.toggle = toggle;
    this.view = view;
    this.workspace = workspace;
    this.toaster = toaster;
    this.timer = null;
    this.drawn = new Map();
    this.generation = 0;
    toggle.addEventListener('click', () => (this.view.hidden ? this.open() : this.close(true)));
  }

  /** Builds the console from its template the first time it opens (until then none of its fields is in the page). */
  mount() {
    if (this.view.childElementCount > 0) return;
    this.view.append($('#admin-template').content.cloneNode(true));
    $('#admin-redrive-all').addEventListener('click', () => this.applyToMatching('redrive'));
    $('#admin-purge-all').addEventListener('click', () => this.applyToMatching('purge'));
    for (const form of [$('#admin-dead-filter'), $('#admin-task-filter')]) {
      form.addEventListener('submit', event => event.preventDefault());
      form.addEventListener('input', () => this.refresh());
    }
  }

  /** Shows the Admin button when the signed-in user is an admin (GET /api/v1/me says so). */
  async detect() {
    const generation = ++this.generation;
    let admin = false;
    try {
      ({ admin } = await adminApi.me());
    } catch {
      // No answer: no console until the next sign-in.
    }
    if (generation === this.generation) this.toggle.hidden = !admin;
  }

  reset() {
    this.generation++;
    this.close();
    this.toggle.hidden = true;
    this.drawn.clear();
  }

  open() {
    this.mount();
    this.workspace.hidden = true;
    this.view.hidden = false;
    this.toggle.setAttribute('aria-pressed', 'true');
    this.toggle.textContent = 'Tasks';
    this.refresh();
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
  }

  /** Leaves the console; back to the task view when asked (the Tasks button), else the caller shows a view. */
  close(showTasks = false) {
    clearInterval(this.timer);
    this.timer = null;
    if (this.view.hidden) return;
    this.view.hidden = true;
    this.toggle.setAttribute('aria-pressed', 'false');
    this.toggle.textContent = 'Admin';
    if (showTasks) this.workspace.hidden = false;
  }

  deadFilter() {
    return { kind: $('#admin-dead-kind').value.trim(), queue: $('#admin-dead-queue').value.trim() };
  }

  taskFilter() {
    return { status: $('#admin-task-status').value, user_id: $('#admin-task-user').value.trim(), provider: $('#admin-task-provider').value.trim() };
  }

  async refresh() {
    if (this.view.hidden) return;
    try {
      const [summary, dead, tasks, usage, audit] = await Promise.all([
        adminApi.summary(), adminApi.deadLetters(this.deadFilter()), adminApi.tasks(this.taskFilter()), adminApi.usage(), adminApi.audit(),
      ]);
      if (this.view.hidden) return;
      this.draw('#admin-counts', summary.counts, () => [countsView(summary.counts)]);
      this.draw('#admin-throughput', summary.throughput, null, element => renderThroughput(element, summary.throughput));
      this.draw('#admin-running', summary.running.map(j => [j.id, j.node, Math.round(j.lease_age_seconds)]), () => [runningView(summary.running)]);
      this.draw('#admin-dead', dead.items, () => (dead.items.length ? dead.items.map(job => deadLetterView(job, this))
        : [h('li', { class: 'muted', text: 'No dead letters.' })]));
      this.draw('#admin-tasks', tasks.items.map(t => [t.task_id, t.status, t.progress]), () => [tasksView(tasks.items)]);
      this.draw('#admin-usage', usage.items, () => [usageView(usage.items)]);
      this.draw('#admin-audit', audit.items, () => auditView(audit.items));
      $('#admin-updated').textContent = `Updated ${new Date(summary.generated_at).toLocaleTimeString()}`;
    } catch (error) {
      if (error.status === 403) {
        this.reset();
        this.workspace.hidden = false;
        this.toaster.error('You are no longer an admin on this server.');
      } else {
        $('#admin-updated').textContent = `Not updated: ${error.message}`;
      }
    }
  }

  draw(selector, data, children, paint = null) {
    const key = JSON.stringify(data);
    if (this.drawn.get(selector) === key) return;
    this.drawn.set(selector, key);
    const element = $(selector);
    if (paint) paint(element);
    else element.replaceChildren(...children());
  }

  async redrive(job) {
    if (!window.confirm(`Redrive ${job.kind} #${job.id}? It runs again with a fresh set of attempts.`)) return;
    await this.act(() => adminApi.redrive(job.id), `Job #${job.id} redriven.`);
  }

  async purge(job) {
    if (!window.confirm(`Purge ${job.kind} #${job.id}? The job and its error history are deleted for good.`)) return;
    await this.act(() => adminApi.purge(job.id), `Job #${job.id} purged.`);
  }

  async applyToMatching(action) {
    const filter = this.deadFilter();
    const described = `every dead letter${filter.kind ? ` of kind ${filter.kind}` : ''}${filter.queue ? ` in queue ${filter.queue}` : ''}`;
    if (!window.confirm(`${action === 'redrive' ? 'Redrive' : 'Purge'} ${described}?`)) return;
    await this.act(
      () => (action === 'redrive' ? adminApi.redriveMatching(filter) : adminApi.purgeMatching(filter)),
      result => `${result.done.length} ${action === 'redrive' ? 'redriven' : 'purged'}${result.refused.length ? `, ${result.refused.length} refused (${result.refused[0].reason})` : ''}.`);
  }

  async act(call, message) {
    try {
      const result = await call();
      this.toaster.success(typeof message === 'function' ? message(result) : message);
    } catch (error) {
      this.toaster.error(error.message);
    }
    this.refresh();
  }
}
