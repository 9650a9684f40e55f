// Live updates: an EventSource on /api/v1/video/events. This module tracks the last event id itself, so whenever the
// browser gives up on a stream (readyState CLOSED) a new one resumes after that id with ?last_event_id=: a server
// restart or any drop neither loses nor repeats a change. While the browser retries by itself, it sends
// Last-Event-ID on its own. A resume point the server refuses (its log was reset) is dropped and the list reloaded.

import { api } from './api.js';

const MIN_DELAY = 2000;
const MAX_DELAY = 15000;

export class LiveUpdates {
  /**
   * onTask(task, eventId): a change. onState("connecting" | "live" | "reconnecting"). onResync(): the stream
   * (re)opened with no resume point, so changes may have been missed: the caller reloads what it shows.
   */
  constructor({ getToken, onTask, onState, onResync }) {
    this.getToken = getToken;
    this.onTask = onTask;
    this.onState = onState;
    this.onResync = onResync;
    this.source = null;
    this.lastId = null;
    this.timer = null;
    this.delay = MIN_DELAY;
    this.running = false;
  }

  start() {
    this.stop();
    this.running = true;
    this.lastId = null;
    this.onState('connecting');
    this.open();
  }

  stop() {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.source) this.source.close();
    this.source = null;
  }

  open() {
    const token = this.getToken();
    if (!this.running || !token) return;
    const query = new URLSearchParams({ access_token: token });
    if (this.lastId !== null) query.set('last_event_id', String(this.lastId));
    const source = new EventSource(`/api/v1/video/events?${query}`);
    this.source = source;

    source.addEventListener('open', () => {
      if (source !== this.source) return;
      this.delay = MIN_DELAY;
      this.onState('live');
      // Without a resume point the stream starts at "now": what changed before it opened is read again.
      if (this.lastId === null) this.onResync();
    });

    source.addEventListener('task', event => {
      if (source !== this.source) return;
      const id = Number(event.lastEventId);
      if (Number.isSafeInteger(id) && this.lastId !== null && id <= this.lastId) return; // already applied
      let task;
      try {
        task = JSON.parse(event.data);
      } catch (error) {
        // The server sends JSON only; anything else is reported, not applied.
        console.warn('GridQueue: ignored a live update that is not JSON', error);
        return;
      }
      if (Number.isSafeInteger(id)) this.lastId = id;
      this.onTask(task, id);
    });

    source.addEventListener('error', () => {
      if (source !== this.source || !this.running) return;
      this.onState('reconnecting');
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (an error status, or the network failed for good): open a new stream ourselves.
        source.close();
        this.source = null;
        this.scheduleReopen();
      }
    });
  }

  scheduleReopen() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reopen(), this.delay);
    this.delay = Math.min(this.delay * 2, MAX_DELAY);
  }

  async reopen() {
    if (!this.running) return;
    try {
      // An EventSource cannot tell a 401 from other failures: ask the API first. A 401 signs out (api.js).
      await api.listTasks({ limit: 1 });
    } catch (error) {
      if (error.status === 401 || !this.running) return;
      this.scheduleReopen();
      return;
    }
    // A server whose log was reset (a new or restored database) refuses a resume point ahead of it with 400, and an
    // EventSource cannot see why it failed: ask once, and start again from "now" (reloading what is shown) if so.
    if (this.lastId !== null && await this.resumePointRefused()) this.lastId = null;
    if (this.running) this.open();
  }

  async resumePointRefused() {
    const token = this.getToken();
    if (!token) return false;
    const controller = new AbortController();
    try {
      const query = new URLSearchParams({ last_event_id: String(this.lastId) });
      const response = await fetch(`/api/v1/video/events?${query}`, {
        headers: { Authorization: `Bearer ${token}` },
        signal: controller.signal,
      });
      return response.status === 400;
    } catch {
      return false; // no answer: the ordinary reopen below finds out again
    } finally {
      controller.abort(); // a 200 is a live stream: this look needs none of it
    }
  }
}
