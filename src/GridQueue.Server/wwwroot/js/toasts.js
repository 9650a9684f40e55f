// Toasts: short notices in one polite live region; each can be dismissed and hides itself after a while
// (the timer pauses while the pointer or the keyboard focus is on it).

import { h } from './dom.js';

export function createToaster(region) {
  function show(message, { kind = 'info', timeout = kind === 'error' ? 10000 : 8000 } = {}) {
    let timer = null;
    const close = h('button', { type: 'button', class: 'toast-close', 'aria-label': 'Dismiss notification', title: 'Dismiss' }, '×');
    const toast = h('div', { class: `toast toast-${kind}`, 'data-kind': kind }, h('p', { class: 'toast-message', text: message }), close);

    const remove = () => {
      clearTimeout(timer);
      if (toast.contains(document.activeElement)) document.getElementById('main')?.focus({ preventScroll: true });
      toast.remove();
    };
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(remove, timeout);
    };
    const pause = () => clearTimeout(timer);

    close.addEventListener('click', remove);
    toast.addEventListener('mouseenter', pause);
    toast.addEventListener('mouseleave', () => { if (!toast.contains(document.activeElement)) arm(); });
    toast.addEventListener('focusin', pause);
    toast.addEventListener('focusout', event => { if (!toast.contains(event.relatedTarget)) arm(); });
    toast.addEventListener('keydown', event => { if (event.key === 'Escape') remove(); });

    region.append(toast);
    while (region.children.length > 5) region.firstElementChild.remove();
    arm();
    return remove;
  }

  return {
    info: message => show(message, { kind: 'info' }),
    success: message => show(message, { kind: 'success' }),
    error: message => show(message, { kind: 'error' }),
    clear: () => region.replaceChildren(),
  };
}
