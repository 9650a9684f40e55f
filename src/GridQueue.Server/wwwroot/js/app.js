// The dashboard: sign-in (dev token or a pasted JWT), the task form, the live task list, toasts.

import { AdminConsole } from './admin.js';
import { api, onUnauthorized } from './api.js';
import { $ } from './dom.js';
import { LiveUpdates } from './events.js';
import { clearToken, currentToken, setToken, userFromToken } from './session.js';
import { TaskForm } from './task-form.js';
import { TaskList } from './task-list.js';
import { createToaster } from './toasts.js';

const views = {
  boot: $('#boot'),
  signIn: $('#sign-in'),
  workspace: $('#workspace'),
};
const sessionBar = $('#session-bar');
const connection = $('#connection');
const connectionText = $('#connection-text');
const signInError = $('#sign-in-error');

const toaster = createToaster($('#toasts'));
const tasks = new TaskList({ list: $('#task-list'), state: $('#tasks-state'), more: $('#load-more'), toaster });
const admin = new AdminConsole({ toggle: $('#admin-toggle'), view: $('#admin-view'), workspace: $('#workspace'), toaster });
const form = new TaskForm({ form: $('#task-form'), toaster, onCreated: task => tasks.apply(task, { source: 'action' }) });

const CONNECTION_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };
const live = new LiveUpdates({
  getToken: currentToken,
  onTask: task => tasks.apply(task, { source: 'event' }),
  onState: state => {
    connection.dataset.state = state;
    connectionText.textContent = CONNECTION_TEXT[state] ?? state;
  },
  // The stream (re)opened without a resume point: read the newest page again, so nothing that changed before it
  // opened is missed (merging makes the extra read harmless).
  onResync: () => tasks.loadFirstPage({ quiet: true }),
});

let info = null;

function show(name) {
  admin.close();
  for (const [key, element] of Object.entries(views)) element.hidden = key !== name;
  sessionBar.hidden = name !== 'workspace';
}

async function boot() {
  const message = $('#boot-message');
  const retry = $('#boot-retry');
  show('boot');
  message.textContent = 'Loading…';
  retry.hidden = true;
  try {
    info = await api.info();
  } catch (error) {
    message.textContent = `The server could not be reached: ${error.message}`;
    retry.hidden = false;
    retry.focus();
    return;
  }
  form.setProviders(info.providers ?? [], info.default_provider);
  if (currentToken()) enterWorkspace();
  else showSignIn();
}

function showSignIn(message = null) {
  const dev = info?.auth_mode === 'dev';
  $('#dev-sign-in').hidden = !dev;
  $('#jwt-sign-in').hidden = dev;
  $('#sign-in-intro').textContent = dev
    ? 'This server runs in development mode: pick any user id to get a token.'
    : 'Sign in with an access token (a JWT) issued for this server.';
  setSignInError(message);
  show('signIn');
  const field = dev ? $('#user-id') : $('#jwt');
  field.focus();
}

function setSignInError(message) {
  signInError.textContent = message ?? '';
  signInError.hidden = !message;
  for (const field of [$('#user-id'), $('#jwt')]) {
    if (message) {
      field.setAttribute('aria-invalid', 'true');
      field.setAttribute('aria-errormessage', 'sign-in-error');
    } else {
      field.removeAttribute('aria-invalid');
      field.removeAttribute('aria-errormessage');
    }
  }
}

function enterWorkspace() {
  const token = currentToken();
  $('#user-name').textContent = userFromToken(token) ?? 'unknown user';
  tasks.reset();
  form.reset();
  show('workspace');
  live.start();
  tasks.loadFirstPage();
  admin.detect();
  $('#main').focus({ preventScroll: true });
}

function signOut(message = null) {
  live.stop();
  admin.reset();
  clearToken();
  tasks.reset();
  form.reset();
  toaster.clear();
  showSignIn(message);
}

async function withBusy(button, action) {
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

$('#dev-sign-in').addEventListener('submit', event => {
  event.preventDefault();
  const userId = $('#user-id').value.trim();
  if (!userId) {
    setSignInError('Enter a user id, e.g. alice.');
    $('#user-id').focus();
    return;
  }
  withBusy(event.submitter ?? $('#dev-sign-in button'), async () => {
    try {
      const { token } = await api.devToken(userId, $('#sign-in-admin').checked);
      setToken(token);
      setSignInError(null);
      enterWorkspace();
    } catch (error) {
      setSignInError(error.details?.user_id ?? error.message);
      $('#user-id').focus();
    }
  });
});

$('#jwt-sign-in').addEventListener('submit', event => {
  event.preventDefault();
  const token = $('#jwt').value.trim().replace(/^Bearer\s+/i, '');
  if (!token) {
    setSignInError('Paste a token first.');
    $('#jwt').focus();
    return;
  }
  withBusy(event.submitter ?? $('#jwt-sign-in button'), async () => {
    try {
      // Check the token before keeping it: a rejected token is reported here, at the field.
      await api.listTasks({ limit: 1 }, { token, handleUnauthorized: false });
      setToken(token);
      $('#jwt').value = '';
      setSignInError(null);
      enterWorkspace();
    } catch (error) {
      setSignInError(error.status === 401 ? `This token was not accepted: ${error.message}` : error.message);
      $('#jwt').focus();
    }
  });
});

$('#sign-out').addEventListener('click', () => signOut());
$('#boot-retry').addEventListener('click', () => boot());

onUnauthorized(error => {
  if (views.workspace.hidden) return;
  signOut(`You were signed out because the server no longer accepts your token (${error.message}). Please sign in again.`);
});

boot();
