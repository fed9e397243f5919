// The destination cards (CONTRACT §8.4): made once per destination and updated in place on every refresh, so that focus
// and reading position survive it.
import { confirmDelete, expireOkNote, replay, sendTestTrace } from './card-actions.js';
import { $, setText } from './dom.js';
import { openEditor } from './editor.js';
import { ago, count, describeState, endpointLabel, errorSentence, percent, reasonSentence, when } from './words.js';

export const MAX_DESTINATIONS = 5;
const cards = new Map(); // id → { root, fields, destination, okNote }

export function render(broadcastOn, destinations, deadLetters) {
  const sw = $('broadcast-switch');
  if (sw.getAttribute('aria-busy') !== 'true') sw.checked = broadcastOn;
  $('broadcast-state').textContent = broadcastOn
    ? (destinations.some((d) => d.enabled)
      ? 'On — traces of this workspace are sent to the destinations below.'
      : 'On — add a destination below to start sending.')
    : 'Off — traces are accepted but not sent to any destination.';
  $('broadcast-state').classList.toggle('on', broadcastOn);

  const full = destinations.length >= MAX_DESTINATIONS;
  $('add-destination').disabled = full;
  $('limit-hint').hidden = !full;
  $('empty').hidden = destinations.length > 0;

  const seen = new Set();
  destinations.forEach((d, i) => {
    seen.add(d.id);
    let card = cards.get(d.id);
    if (!card) {
      card = makeCard(d.id);
      cards.set(d.id, card);
    }
    card.destination = d;
    fillCard(card, d, deadLetters[i]);
    const container = $('cards');
    if (container.children[i] !== card.root) container.insertBefore(card.root, container.children[i] || null);
  });
  for (const [id, card] of cards) {
    if (!seen.has(id)) {
      card.root.remove();
      cards.delete(id);
    }
  }
}

function makeCard(id) {
  const root = $('card-template').content.firstElementChild.cloneNode(true);
  const fields = {};
  root.querySelectorAll('[data-field]').forEach((el) => { fields[el.dataset.field] = el; });
  const nameId = 'dest-' + id + '-name';
  fields.name.id = nameId;
  root.setAttribute('aria-labelledby', nameId);
  const card = { root, fields, destination: null };
  root.querySelector('[data-action="edit"]').addEventListener('click', () => openEditor(card.destination));
  root.querySelector('[data-action="delete"]').addEventListener('click', () => confirmDelete(card.destination));
  root.querySelector('[data-action="test-event"]').addEventListener('click', (e) => sendTestTrace(card, e.currentTarget));
  root.querySelector('[data-action="replay"]').addEventListener('click', (e) => replay(card, e.currentTarget));
  return card;
}

function fillCard(card, d, deadLetters) {
  const f = card.fields;
  const delivery = d.delivery || {};
  const state = describeState(delivery);
  setText(f.name, d.name);
  setText(f.endpoint, endpointLabel(d.config.endpoint));
  setText(f.state, state.badge);
  f.state.className = 'badge badge-' + state.tone;
  setText(f['state-text'], state.sentence);
  setText(f.key, d.config.api_key);
  setText(f.privacy, d.privacy_mode ? 'On — prompts and completions are not sent' : 'Off');
  setText(f.sampling, percent(d.sampling_rate) + (d.sampling_rate < 1 ? ' of sessions' : ' — every trace'));
  setText(f['last-success'], delivery.last_success_at ? ago(delivery.last_success_at) : 'None yet');
  setText(f.pending, count(delivery.pending));
  setText(f.delivered, count(delivery.delivered));
  setText(f['dead-lettered'], count(delivery.dead_lettered));
  setText(f['sampled-out'], count(delivery.sampled_out));

  const error = delivery.last_error && delivery.state !== 'healthy' ? 'Last error: ' + errorSentence(delivery.last_error) : '';
  setText(f['last-error'], error);
  f['last-error'].hidden = !error;

  fillDeadLetters(card, deadLetters || [], delivery);
  expireOkNote(card, delivery);
}

function fillDeadLetters(card, letters, delivery) {
  const f = card.fields;
  const groups = new Map();
  for (const l of letters) {
    const g = groups.get(l.reason) || { reason: l.reason, count: 0, latest: l.failed_at };
    g.count++;
    if (l.failed_at > g.latest) g.latest = l.failed_at;
    groups.set(l.reason, g);
  }
  const rows = f['dead-rows'];
  const wanted = [...groups.values()].sort((a, b) => (a.latest < b.latest ? 1 : -1));
  while (rows.rows.length > wanted.length) rows.deleteRow(-1);
  wanted.forEach((g, i) => {
    const row = rows.rows[i] || rows.insertRow(-1);
    while (row.cells.length < 3) row.insertCell(-1);
    setText(row.cells[0], reasonSentence(g.reason));
    row.cells[1].className = 'num';
    setText(row.cells[1], count(g.count));
    setText(row.cells[2], when(g.latest));
  });
  const any = (delivery.dead_lettered || 0) > 0;
  f['dead-table'].hidden = wanted.length === 0;
  f['dead-empty'].hidden = any;
  card.root.querySelector('[data-action="replay"]').disabled = !any;
}
