// The Broadcast settings page (CONTRACT §8.4): one workspace, through the workspace API, with the token from the
// address's fragment. Plain modules, no framework and no build step; this one loads the page and keeps it fresh.
import { api } from './api.js';
import { render } from './cards.js';
import { $, CHANGED, changed, toast } from './dom.js';
import { endSession, onSessionEnd, readToken, restartSession, session, ws } from './session.js';

const REFRESH_MS = 2500;
// Right after an action the numbers move (a test trace is delivered within about a second): look more often then.
const FOLLOW_UP_MS = 600;
const FOLLOW_UP_FOR_MS = 6000;
// Dead letters are listed grouped by reason; this many of the latest are enough to group.
const DEAD_LETTER_LIMIT = 200;

let refreshing = false;
let timer = 0;
let followUpUntil = 0;

async function refresh() {
  if (refreshing || session.ended) return;
  refreshing = true;
  try {
    const [broadcast, list] = await Promise.all([api('GET', 'broadcast'), api('GET', 'destinations')]);
    const destinations = list.destinations || [];
    const deadLetters = await Promise.all(destinations.map(loadDeadLetters));
    render(!!broadcast.enabled, destinations, deadLetters);
    showBanner('');
    $('loading').hidden = true;
    $('app').hidden = false;
  } catch (e) {
    if (!session.ended) {
      if ($('app').hidden) $('loading').textContent = e.message;
      else showBanner(e.message + ' The figures below may be out of date.');
    }
  } finally {
    refreshing = false;
    schedule();
  }
}

function loadDeadLetters(d) {
  if (!d.delivery || d.delivery.dead_lettered === 0) return Promise.resolve([]);
  return api('GET', 'destinations/' + encodeURIComponent(d.id) + '/dead-letters?limit=' + DEAD_LETTER_LIMIT)
    .then((r) => r.dead_letters || [])
    .catch((e) => { if (e.status === 404) return []; throw e; });
}

/** Refreshes every few seconds while the page is visible; a hidden tab asks nothing. */
function schedule() {
  clearTimeout(timer);
  if (!session.ended && document.visibilityState === 'visible') {
    timer = setTimeout(refresh, Date.now() < followUpUntil ? FOLLOW_UP_MS : REFRESH_MS);
  }
}

function showBanner(text) {
  $('banner').textContent = text;
  $('banner').hidden = !text;
}

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') refresh();
  else clearTimeout(timer);
});

document.addEventListener(CHANGED, () => {
  followUpUntil = Date.now() + FOLLOW_UP_FOR_MS;
  refresh();
});

onSessionEnd(() => {
  clearTimeout(timer);
  for (const id of ['editor', 'confirm']) if ($(id).open) $(id).close();
});

$('broadcast-switch').addEventListener('change', async (e) => {
  const sw = e.currentTarget;
  // Busy, not disabled: a disabled control drops the keyboard's focus. A second flip while the first is on its way
  // is undone.
  if (sw.getAttribute('aria-busy') === 'true') {
    sw.checked = !sw.checked;
    return;
  }
  const wanted = sw.checked;
  sw.setAttribute('aria-busy', 'true');
  try {
    const r = await api('PUT', 'broadcast', { enabled: wanted });
    toast(r.enabled ? 'Broadcast is on.' : 'Broadcast is off: traces are no longer sent.');
  } catch (err) {
    sw.checked = !wanted;
    if (!session.ended) toast('Broadcast was not changed: ' + err.message);
  } finally {
    sw.removeAttribute('aria-busy');
  }
  changed();
});

// A new link pasted into the same tab changes only the fragment: no reload, so the page starts over itself.
window.addEventListener('hashchange', () => {
  const fresh = readToken();
  if (!fresh || (fresh === session.token && !session.ended)) return;
  restartSession(fresh);
  refresh();
});

$('workspace-label').textContent = ws;
document.title = 'Broadcast settings · ' + ws;
session.token = readToken();
if (session.token) refresh();
else endSession('missing');
