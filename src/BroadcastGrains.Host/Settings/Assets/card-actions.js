// What a destination card's buttons do: Send test trace, Replay and Delete (CONTRACT §8.4), each answered on the card
// itself in a sentence.
import { api } from './api.js';
import { $, busy, changed, toast } from './dom.js';
import { session } from './session.js';
import { count } from './words.js';

let deleting = null;

export function cardResult(card, text, tone) {
  const el = card.fields['card-result'];
  el.textContent = text;
  el.className = 'card-result ' + (tone || '');
  el.hidden = !text;
  // A success note is news only until the card moves on (another state, or some seconds later).
  card.okNote = tone === 'ok' ? { state: card.destination && card.destination.delivery.state, until: Date.now() + 10000 } : null;
}

export function expireOkNote(card, delivery) {
  const note = card.okNote;
  if (note && (note.state !== delivery.state || Date.now() > note.until)) cardResult(card, '', '');
}

const path = (d, rest) => 'destinations/' + encodeURIComponent(d.id) + rest;

export async function sendTestTrace(card, button) {
  try {
    const sent = await busy(button, () => api('POST', path(card.destination, '/test-event'), {}));
    cardResult(card, 'Test trace sent (generation ' + sent.generation_id + '). It counts under Delivered once PostHog has it, ' +
      'usually within seconds.', 'ok');
  } catch (e) {
    if (!session.ended) cardResult(card, e.message, 'error');
    return;
  }
  changed();
}

export async function replay(card, button) {
  try {
    const r = await busy(button, () => api('POST', path(card.destination, '/dead-letters/replay'), {}));
    const n = r.replayed !== undefined ? r.replayed : r.requeued;
    let text = n === 1 ? '1 dead letter was queued to be sent again.' : count(n) + ' dead letters were queued to be sent again.';
    if (r.remaining > 0) text += ' ' + count(r.remaining) + ' remain because the queue is full; replay again later.';
    cardResult(card, text, 'ok');
  } catch (e) {
    if (!session.ended) cardResult(card, e.message, 'error');
    return;
  }
  changed();
}

export function confirmDelete(d) {
  deleting = d;
  const pending = (d.delivery && d.delivery.pending) || 0;
  $('confirm-text').textContent = '“' + d.name + '” stops receiving traces' +
    (pending > 0 ? ', and its ' + count(pending) + ' pending events are discarded.' : '.') + ' This cannot be undone.';
  $('confirm').showModal();
  $('confirm-cancel').focus();
}

$('confirm-cancel').addEventListener('click', () => $('confirm').close());
$('confirm').addEventListener('close', () => { deleting = null; });
$('confirm-delete').addEventListener('click', async (e) => {
  const d = deleting;
  if (!d) return;
  try {
    await busy(e.currentTarget, () => api('DELETE', path(d, '')));
  } catch (err) {
    // Already gone is what was asked for.
    if (err.status !== 404) {
      if (!session.ended) $('confirm-text').textContent = err.message;
      return;
    }
  }
  $('confirm').close();
  toast('“' + d.name + '” was deleted.');
  $('add-destination').focus();
  changed();
});
