// The admin routes (/api/v1/admin); every one answers 403 FORBIDDEN to a user who is not an admin.

import { request } from './api.js';

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) search.set(name, value);
  const text = search.toString();
  return text ? `?${text}` : '';
}

export const adminApi = {
  me: () => request('GET', '/api/v1/me'),
  summary: () => request('GET', '/api/v1/admin/summary'),
  deadLetters: filter => request('GET', `/api/v1/admin/dead-letters${query({ ...filter, limit: '50' })}`),
  redrive: id => request('POST', `/api/v1/admin/dead-letters/${encodeURIComponent(id)}/redrive`),
  purge: id => request('POST', `/api/v1/admin/dead-letters/${encodeURIComponent(id)}/purge`),
  redriveMatching: filter => request('POST', '/api/v1/admin/dead-letters/redrive', { body: { ...cleaned(filter), confirm: true } }),
  purgeMatching: filter => request('POST', '/api/v1/admin/dead-letters/purge', { body: { ...cleaned(filter), confirm: true } }),
  tasks: filter => request('GET', `/api/v1/admin/tasks${query({ ...filter, limit: '20' })}`),
  usage: () => request('GET', '/api/v1/admin/usage?limit=20'),
  audit: () => request('GET', '/api/v1/admin/audit?limit=20'),
};

function cleaned(filter) {
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value));
}
