// The "New video" form: POST /api/v1/video/generate. Server validation errors (VALIDATION_ERROR details, one
// message per field) are shown next to their fields (aria-invalid, aria-describedby); the button is disabled while
// the request is on its way. The optional upstream key lives only in its field: read at submit, sent as a header,
// cleared once the task is made (kept after a refused request, to send again), never written to storage or a URL.

import { api, randomKey } from './api.js';
import { $ } from './dom.js';

// details key -> field id
const FIELDS = {
  prompt: 'prompt',
  provider: 'provider',
  model: 'model',
  aspect_ratio: 'aspect-ratio',
  duration: 'duration',
  hd: 'hd',
  images: 'images',
  'X-User-Api-Key': 'user-api-key',
};

// One image's problem is keyed by its index (images[0], images[1], ...); all show at the one Image URLs field.
const fieldOf = name => {
  const key = name.replace(/^images\[\d+\]$/, 'images');
  return Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
};

export class TaskForm {
  constructor({ form, onCreated, toaster }) {
    this.form = form;
    this.onCreated = onCreated;
    this.toaster = toaster;
    this.button = $('#generate', form);
    this.formError = $('#task-form-error', form);
    this.idempotencyKey = null;
    form.addEventListener('submit', event => {
      event.preventDefault();
      this.submit();
    });
    // A changed form is a new request: a new idempotency key; an edited field loses its old error.
    form.addEventListener('input', event => {
      this.idempotencyKey = null;
      const id = event.target.id;
      if (id) this.clearFieldError(id);
    });
  }

  /** Fills the Provider select from /api/v1/info. */
  setProviders(providers, defaultProvider) {
    const select = $('#provider', this.form);
    select.replaceChildren(...providers.map(name => {
      const option = document.createElement('option');
      option.value = name;
      option.textContent = name;
      option.selected = name === defaultProvider;
      return option;
    }));
  }

  reset() {
    this.clearErrors();
    $('#prompt', this.form).value = '';
    $('#images', this.form).value = '';
    $('#user-api-key', this.form).value = '';
    this.idempotencyKey = null;
  }

  read() {
    const value = id => $(`#${id}`, this.form).value;
    const body = {
      provider: value('provider') || undefined,
      model: value('model').trim(),
      prompt: value('prompt'),
      aspect_ratio: value('aspect-ratio'),
      hd: $('#hd', this.form).checked,
      images: value('images').split('\n').map(line => line.trim()).filter(Boolean),
    };
    const duration = value('duration').trim();
    body.duration = duration === '' ? undefined : Number(duration);
    return body;
  }

  /** Checks what the browser can check (required fields, the duration's range) before asking the server. */
  checkLocally() {
    const problems = {};
    const prompt = $('#prompt', this.form);
    if (prompt.value.length === 0) problems.prompt = 'Prompt is required.';
    const model = $('#model', this.form);
    if (model.value.trim().length === 0) problems.model = 'Model is required, e.g. sora-2.';
    const duration = $('#duration', this.form);
    if (duration.validity.badInput || duration.validity.rangeUnderflow || duration.validity.rangeOverflow || duration.validity.stepMismatch) {
      problems.duration = 'Duration must be a whole number of seconds between 1 and 60.';
    }
    // A header carries printable ASCII only (the browser refuses anything else before sending).
    const apiKey = $('#user-api-key', this.form).value.trim();
    if (apiKey.length > 1024 || !/^[\x20-\x7e]*$/.test(apiKey)) {
      problems['X-User-Api-Key'] = 'The API key must be at most 1024 printable ASCII characters.';
    }
    return problems;
  }

  async submit() {
    if (this.button.disabled) return;
    this.clearErrors();
    const local = this.checkLocally();
    if (Object.keys(local).length > 0) {
      this.showErrors(local);
      return;
    }

    this.idempotencyKey ??= randomKey();
    this.button.disabled = true;
    this.button.setAttribute('aria-busy', 'true');
    try {
      const task = await api.generate(this.read(), this.idempotencyKey, $('#user-api-key', this.form).value.trim());
      this.reset();
      this.onCreated(task);
      $('#prompt', this.form).focus();
    } catch (error) {
      if (error.status === 401) return;
      if (error.code === 'VALIDATION_ERROR' && error.details && Object.keys(error.details).length > 0) {
        this.idempotencyKey = null;
        this.showErrors(error.details, error.message);
      } else {
        if (error.status >= 400 && error.status < 500) this.idempotencyKey = null;
        this.showFormError(error.message);
      }
    } finally {
      this.button.disabled = false;
      this.button.removeAttribute('aria-busy');
    }
  }

  showErrors(details, message) {
    const unplaced = [];
    const byField = new Map();
    for (const [name, text] of Object.entries(details)) {
      const id = fieldOf(name);
      if (!id) {
        unplaced.push(text);
        continue;
      }
      byField.set(id, [...(byField.get(id) ?? []), text]);
    }
    let first = null;
    for (const [id, texts] of byField) {
      this.setFieldError(id, texts.join(' '));
      first ??= $(`#${id}`, this.form);
    }
    if (unplaced.length > 0) this.showFormError(unplaced.join(' '));
    else if (!first && message) this.showFormError(message);
    first?.focus();
  }

  showFormError(message) {
    this.formError.textContent = message;
    this.formError.hidden = false;
  }

  setFieldError(id, text) {
    const input = $(`#${id}`, this.form);
    const error = $(`#${id}-error`, this.form);
    error.textContent = text;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
    if (!described.includes(error.id)) input.setAttribute('aria-describedby', [...described, error.id].join(' '));
  }

  clearFieldError(id) {
    const input = $(`#${id}`, this.form);
    const error = $(`#${id}-error`, this.form);
    if (!input || !error) return;
    error.textContent = '';
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    const described = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(part => part && part !== error.id);
    if (described.length > 0) input.setAttribute('aria-describedby', described.join(' '));
    else input.removeAttribute('aria-describedby');
  }

  clearErrors() {
    for (const id of Object.values(FIELDS)) this.clearFieldError(id);
    this.formError.textContent = '';
    this.formError.hidden = true;
  }
}
