// The page's one workspace and its token (CONTRACT §8.4): read from the address's fragment, kept in sessionStorage
// (this tab only), sent in the Authorization header only, and removed from the address bar at once.
import { $ } from './dom.js';

const segments = location.pathname.split('/').filter(Boolean);
export const ws = safeDecode(segments[segments.length - 1] || '');
// Relative to the page, so that the page also works behind a path prefix.
export const apiBase = new URL('../v1/workspaces/' + encodeURIComponent(ws) + '/', location.href);
const storageKey = 'broadcastgrains.settings.' + ws;

/** token: the bearer token, or null; ended: the page shows a notice instead of the settings and asks nothing more. */
export const session = { token: null, ended: false };

const endHandlers = [];
export function onSessionEnd(handler) {
  endHandlers.push(handler);
}

export function readToken() {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  let fromHash = null;
  if (match) {
    fromHash = safeDecode(match[1]);
    // The fragment goes now: no bookmark, screenshot or shared address carries the token on.
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  try {
    if (fromHash) sessionStorage.setItem(storageKey, fromHash);
    return sessionStorage.getItem(storageKey) || fromHash;
  } catch (e) {
    return fromHash; // storage refused (a sandboxed frame): the token lives as long as the page
  }
}

function forgetToken() {
  session.token = null;
  try { sessionStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
}

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch (e) { return s; }
}

/** 'unauthorized' (401, with the server's detail), 'forbidden' (403) or 'missing' (no token at all). */
export function endSession(kind, detail) {
  if (session.ended) return;
  session.ended = true;
  for (const handler of endHandlers) handler();
  if (kind === 'missing') {
    showNotice('This page needs a settings link',
      'Open the settings link you were given — it ends in #token=… — or ask your administrator for a new one. ' +
      'The link opens the settings of one workspace for a limited time.');
  } else if (kind === 'unauthorized') {
    forgetToken();
    // The server says which (CONTRACT §8.4); the page says it in its own words.
    const why = String(detail || '');
    if (/revoked/i.test(why)) {
      showNotice('This settings link was revoked',
        'Access through this link was withdrawn, so the settings of this workspace cannot be shown. Ask your administrator for a new link.');
    } else if (/expired/i.test(why) && !/not valid/i.test(why)) {
      showNotice('This settings link has expired',
        'Settings links work for a limited time. Ask your administrator for a new link.');
    } else {
      // An expired token and a damaged one can look the same to the server.
      showNotice('This settings link has expired or is not valid',
        'Settings links work for a limited time, and only when copied whole. Ask your administrator for a new link.');
    }
  } else {
    forgetToken(); // it opens another workspace, never this one
    showNotice('This link is for another workspace',
      'The link you opened does not give access to the settings of “' + ws + '”. ' +
      'Open the link you were given for this workspace, or ask your administrator for one.');
  }
}

/** A new token (a new link pasted into the same tab): the page may ask again. */
export function restartSession(token) {
  session.token = token;
  session.ended = false;
  $('notice').hidden = true;
  $('loading').textContent = 'Loading settings…';
  $('loading').hidden = false;
}

function showNotice(title, text) {
  $('loading').hidden = true;
  $('app').hidden = true;
  $('notice-title').textContent = title;
  $('notice-text').textContent = text;
  $('notice').hidden = false;
}
