// Small helpers for the settings page's DOM. Text goes in through textContent only: the page's CSP requires Trusted
// Types, so no HTML string ever becomes markup.

export const $ = (id) => document.getElementById(id);

export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Runs work with the button disabled and marked busy, so that a double click sends nothing twice. A disabled button
 * drops the keyboard's focus, so it gets it back afterwards unless the person moved on meanwhile.
 */
export async function busy(button, work) {
  const hadFocus = document.activeElement === button;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    if (hadFocus && button.isConnected && (!document.activeElement || document.activeElement === document.body)) button.focus();
  }
}

let toastTimer = 0;
// A toast stays until the next thing the person does, at most a few seconds.
document.addEventListener('pointerdown', () => $('toast').classList.remove('visible'));
document.addEventListener('keydown', () => $('toast').classList.remove('visible'));

export function toast(text) {
  $('toast').textContent = text;
  $('toast').classList.add('visible');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => $('toast').classList.remove('visible'), 6000);
}

/** Something was changed through the page: the page refreshes now and follows up quickly (settings.js). */
export const CHANGED = 'broadcast-settings-changed';
export function changed() {
  document.dispatchEvent(new Event(CHANGED));
}
