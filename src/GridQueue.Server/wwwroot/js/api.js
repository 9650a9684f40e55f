// The HTTP API: every /api/v1 answer is an envelope {success, data} or {success: false, error: {code, message, details}}.
// Calls resolve to data, or throw an ApiError carrying the code, the message and the details.

import { currentToken } from './session.js';

export class ApiError extends Error {
  constructor(status, code, message, details = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let unauthorizedHandler = null;

/** Called with the ApiError whenever a call that uses the session's token gets 401. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/**
 * Sends a request. options: body (JSON), token (overrides the session's; null for none), headers,
 * handleUnauthorized (false: a 401 is only thrown, not reported to the sign-out handler).
 */
export async function request(method, path, options = {}) {
  const { body, headers = {}, handleUnauthorized = true } = options;
  const token = options.token === undefined ? currentToken() : options.token;
  const init = { method, headers: { Accept: 'application/json', ...headers }, cache: 'no-store' };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check the connection and try again.');
  }

  let envelope = null;
  try {
    const text = await response.text();
    envelope = text ? JSON.parse(text) : null;
  } catch {
    envelope = null;
  }

  if (response.ok && envelope && envelope.success === true) return envelope.data;

  const error = envelope && envelope.success === false && envelope.error ? envelope.error : null;
  const failure = new ApiError(
    response.status,
    error?.code ?? (response.status === 401 ? 'UNAUTHORIZED' : `HTTP_${response.status}`),
    error?.message ?? `The server answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}.`,
    error?.details ?? null);
  if (response.status === 401 && handleUnauthorized && token && unauthorizedHandler) unauthorizedHandler(failure);
  throw failure;
}

export const api = {
  info: () => request('GET', '/api/v1/info', { token: null }),
  devToken: (userId, admin = false) => request('POST', '/api/v1/dev/token', { token: null, body: admin ? { user_id: userId, admin: true } : { user_id: userId } }),
  listTasks: ({ limit = 20, cursor = null } = {}, options = {}) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return request('GET', `/api/v1/video/tasks?${query}`, options);
  },
  /** userApiKey: the user's own upstream key, sent as X-User-Api-Key only when given. */
  generate: (body, idempotencyKey, userApiKey = '') => request('POST', '/api/v1/video/generate', {
    body,
    headers: { 'Idempotency-Key': idempotencyKey, ...(userApiKey ? { 'X-User-Api-Key': userApiKey } : {}) },
  }),
  cancel: taskId => request('POST', `/api/v1/video/cancel/${encodeURIComponent(taskId)}`),
  retry: taskId => request('POST', `/api/v1/video/retry/${encodeURIComponent(taskId)}`),
};

/** A random key (works outside secure contexts too, unlike crypto.randomUUID). */
export function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}
