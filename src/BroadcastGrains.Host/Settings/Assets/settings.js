// The Broadcast settings page (CONTRACT §8.4): one workspace, through the workspace API, with the token from the
// address's fragment. No framework; the DOM is built with textContent only (the page's CSP requires Trusted Types).
'use strict';

(function () {
  const REFRESH_MS = 2500;
  // Right after an action the numbers move (a test trace is delivered within about a second): look more often then.
  const FOLLOW_UP_MS = 600;
  const FOLLOW_UP_FOR_MS = 6000;
  const MAX_DESTINATIONS = 5;
  const DEAD_LETTER_LIMIT = 200;
  const US = 'https://us.i.posthog.com';
  const EU = 'https://eu.i.posthog.com';

  const $ = (id) => document.getElementById(id);
  const segments = location.pathname.split('/').filter(Boolean);
  const ws = decodeURIComponent(segments[segments.length - 1] || '');
  // Relative to the page, so that the page also works behind a path prefix.
  const apiBase = new URL('../v1/workspaces/' + encodeURIComponent(ws) + '/', location.href);
  const storageKey = 'broadcastgrains.settings.' + ws;

  let token = readToken();
  let ended = false;
  let refreshing = false;
  let timer = 0;
  let followUpUntil = 0;
  let destinations = [];
  let broadcastOn = false;
  let editing = null; // the destination being edited, or null when adding
  let deleting = null;
  const cards = new Map(); // id → { root, fields, destination }

  // ---- the token: fragment → sessionStorage (this tab only) → Authorization header, never the address bar ----

  function readToken() {
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
    token = null;
    try { sessionStorage.removeItem(storageKey); } catch (e) { /* nothing kept */ }
  }

  function safeDecode(s) {
    try { return decodeURIComponent(s); } catch (e) { return s; }
  }

  // ---- the API ----

  class ApiError extends Error {
    constructor(status, message, body) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  async function api(method, path, body) {
    if (!token || ended) throw new ApiError(401, 'No session.');
    const init = {
      method,
      headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
      redirect: 'error',
    };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(new URL(path, apiBase), init);
    } catch (e) {
      throw new ApiError(0, 'The settings service cannot be reached. Check your connection; this page keeps trying.');
    }
    let data = null;
    if ((response.headers.get('Content-Type') || '').includes('json')) {
      data = await response.json().catch(() => null);
    }
    if (response.status === 401) {
      endSession('unauthorized', data && data.detail);
      throw new ApiError(401, 'The settings link has expired or was revoked.', data);
    }
    if (response.status === 403) {
      endSession('forbidden');
      throw new ApiError(403, 'This link does not open this workspace.', data);
    }
    if (!response.ok) throw new ApiError(response.status, sentenceFor(response, data), data);
    return data;
  }

  function sentenceFor(response, data) {
    const detail = data && typeof data.detail === 'string' ? data.detail : '';
    switch (response.status) {
      case 400: return 'Some fields need attention.';
      case 404: return 'This destination no longer exists; it may have been deleted elsewhere.';
      case 409: return sentence(detail) || 'Someone else changed this meanwhile. Try again.';
      case 422: return sentence(detail) || 'PostHog did not accept the connection.';
      case 503: {
        const after = parseInt(response.headers.get('Retry-After') || '', 10);
        return 'The service is busy right now' + (after > 0 ? '; try again in ' + after + ' seconds.' : '; try again in a moment.');
      }
      default:
        return response.status >= 500 ? 'Something went wrong on our side. Try again in a moment.' : (sentence(detail) || 'The request was refused.');
    }
  }

  /** Server texts are clauses ("connection refused"); the page shows sentences. */
  function sentence(text) {
    if (!text) return '';
    const t = text.trim();
    const s = t.charAt(0).toUpperCase() + t.slice(1);
    return /[.!?)]$/.test(s) && !/\)$/.test(s) ? s : s + '.';
  }

  // ---- session states ----

  function endSession(kind, detail) {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    closeDialogs();
    if (kind === 'unauthorized') {
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
      showNotice('This link is for another workspace',
        'The link you opened does not give access to the settings of “' + ws + '”. ' +
        'Open the link you were given for this workspace, or ask your administrator for one.');
    }
  }

  function showNotice(title, text) {
    $('loading').hidden = true;
    $('app').hidden = true;
    $('notice-title').textContent = title;
    $('notice-text').textContent = text;
    $('notice').hidden = false;
  }

  // ---- loading and refreshing ----

  async function refresh() {
    if (refreshing || ended) return;
    refreshing = true;
    try {
      const [broadcast, list] = await Promise.all([api('GET', 'broadcast'), api('GET', 'destinations')]);
      broadcastOn = !!broadcast.enabled;
      destinations = list.destinations || [];
      const deadLetters = await Promise.all(destinations.map(loadDeadLetters));
      render(deadLetters);
      showBanner('');
      $('loading').hidden = true;
      $('app').hidden = false;
    } catch (e) {
      if (!ended) {
        if ($('app').hidden) {
          $('loading').textContent = e.message;
        } else {
          showBanner(e.message + ' The figures below may be out of date.');
        }
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
    if (!ended && document.visibilityState === 'visible') timer = setTimeout(refresh, Date.now() < followUpUntil ? FOLLOW_UP_MS : REFRESH_MS);
  }

  /** Refreshes now and follows up quickly for a few seconds. */
  function refreshSoon() {
    followUpUntil = Date.now() + FOLLOW_UP_FOR_MS;
    return refresh();
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refresh();
    else clearTimeout(timer);
  });

  function showBanner(text) {
    $('banner').textContent = text;
    $('banner').hidden = !text;
  }

  let toastTimer = 0;
  // A toast stays until the next thing the person does, at most a few seconds.
  document.addEventListener('pointerdown', () => $('toast').classList.remove('visible'));
  document.addEventListener('keydown', () => $('toast').classList.remove('visible'));
  function toast(text) {
    $('toast').textContent = text;
    $('toast').classList.add('visible');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => $('toast').classList.remove('visible'), 6000);
  }

  // ---- rendering: cards are kept and updated in place, so that focus and reading position survive a refresh ----

  function render(deadLetters) {
    const sw = $('broadcast-switch');
    if (!sw.disabled) sw.checked = broadcastOn;
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
    const state = describeState(d, delivery);
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

  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  // ---- words for what the API says ----

  function describeState(d, delivery) {
    switch (delivery.state) {
      case 'paused':
        return {
          tone: 'danger', badge: 'Paused — PostHog rejected the key',
          sentence: 'Delivery is paused because PostHog refused the project API key. Nothing is lost: events wait here, ' +
            'and sending resumes by itself once the key works again. Check the key and region with Edit.',
        };
      case 'retrying':
        return {
          tone: 'warning', badge: 'Retrying',
          sentence: 'PostHog did not take the last send. Events are kept and sent again' +
            (delivery.next_attempt_at ? ' ' + untilText(delivery.next_attempt_at) : ' shortly') + '.',
        };
      case 'disabled':
        return { tone: 'muted', badge: 'Disabled', sentence: 'This destination is switched off: new traces are not sent to it.' };
      default:
        return {
          tone: 'ok', badge: 'Healthy',
          sentence: (delivery.pending || 0) > 0
            ? 'Sending: events are on their way to PostHog.'
            : (delivery.delivered || 0) > 0 ? 'Everything received so far has been delivered.' : 'Ready. Nothing has been sent yet — try Send test trace.',
        };
    }
  }

  function errorSentence(error) {
    const e = String(error);
    let m;
    if (/rejected the project API key|HTTP 40[13]/.test(e)) return 'PostHog rejected the project API key (wrong key or wrong region).';
    if ((m = /HTTP 429/.exec(e))) return 'PostHog asked us to slow down (too many requests); sending resumes after its wait.';
    if ((m = /HTTP (5\d\d)/.exec(e))) return 'PostHog had a server error (' + m[1] + '); it is retried.';
    if ((m = /timed out after ([\d.]+ s)/.exec(e))) return 'PostHog did not answer within ' + m[1] + '.';
    if (/connection refused/.test(e)) return 'The endpoint refused the connection.';
    if (/could not be resolved/.test(e)) return 'The endpoint’s host name could not be found.';
    if (/TLS/.test(e)) return 'A secure connection to the endpoint could not be made (' + e + ').';
    return sentence(e);
  }

  function reasonSentence(reason) {
    switch (reason) {
      case 'expired': return 'Expired — could not be delivered within 24 hours';
      case 'too_large': return 'Too large — PostHog refused the event’s size';
      case 'rejected': return 'Rejected — PostHog refused the event as invalid';
      case 'backlog_full': return 'Backlog full — arrived while too many events were waiting';
      default: return sentence(String(reason).replace(/_/g, ' '));
    }
  }

  function endpointLabel(endpoint) {
    if (endpoint === US) return 'US Cloud (us.i.posthog.com)';
    if (endpoint === EU) return 'EU Cloud (eu.i.posthog.com)';
    return endpoint;
  }

  const numbers = new Intl.NumberFormat();
  const count = (n) => numbers.format(n || 0);
  const percent = (rate) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(rate * 100) + ' %';
  const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

  function ago(iso) {
    const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
    if (seconds < 5) return 'Just now';
    if (seconds < 90) return seconds + ' seconds ago';
    if (seconds < 90 * 60) return Math.round(seconds / 60) + ' minutes ago';
    return when(iso);
  }

  function untilText(iso) {
    const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
    if (seconds <= 1) return 'now';
    if (seconds < 90) return 'in ' + seconds + ' seconds';
    return 'at ' + new Date(iso).toLocaleTimeString(undefined, { timeStyle: 'short' });
  }

  // ---- actions on a card ----

  async function busy(button, work) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      return await work();
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  }

  function cardResult(card, text, tone) {
    const el = card.fields['card-result'];
    el.textContent = text;
    el.className = 'card-result ' + (tone || '');
    el.hidden = !text;
    // A success note is news only until the card moves on (another state, or some seconds later).
    card.okNote = tone === 'ok' ? { state: card.destination && card.destination.delivery.state, until: Date.now() + 10000 } : null;
  }

  function expireOkNote(card, delivery) {
    const note = card.okNote;
    if (note && (note.state !== delivery.state || Date.now() > note.until)) cardResult(card, '', '');
  }

  async function sendTestTrace(card, button) {
    const d = card.destination;
    try {
      const sent = await busy(button, () => api('POST', 'destinations/' + encodeURIComponent(d.id) + '/test-event', {}));
      cardResult(card, 'Test trace sent (generation ' + sent.generation_id + '). It counts under Delivered once PostHog has it, ' +
        'usually within seconds.', 'ok');
    } catch (e) {
      if (!ended) cardResult(card, e.message, 'error');
      return;
    }
    refreshSoon();
  }

  async function replay(card, button) {
    const d = card.destination;
    try {
      const r = await busy(button, () => api('POST', 'destinations/' + encodeURIComponent(d.id) + '/dead-letters/replay', {}));
      const n = r.replayed !== undefined ? r.replayed : r.requeued;
      let text = n === 1 ? '1 dead letter was queued to be sent again.' : count(n) + ' dead letters were queued to be sent again.';
      if (r.remaining > 0) text += ' ' + count(r.remaining) + ' remain because the queue is full; replay again later.';
      cardResult(card, text, 'ok');
    } catch (e) {
      if (!ended) cardResult(card, e.message, 'error');
      return;
    }
    refreshSoon();
  }

  function confirmDelete(d) {
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
      await busy(e.currentTarget, () => api('DELETE', 'destinations/' + encodeURIComponent(d.id)));
    } catch (err) {
      if (err.status !== 404) {
        if (!ended) $('confirm-text').textContent = err.message;
        return;
      }
    }
    $('confirm').close();
    toast('“' + d.name + '” was deleted.');
    await refreshSoon();
    $('add-destination').focus();
  });

  // ---- the broadcast switch ----

  $('broadcast-switch').addEventListener('change', async (e) => {
    const sw = e.currentTarget;
    const wanted = sw.checked;
    sw.disabled = true;
    try {
      const r = await api('PUT', 'broadcast', { enabled: wanted });
      broadcastOn = !!r.enabled;
      toast(broadcastOn ? 'Broadcast is on.' : 'Broadcast is off: traces are no longer sent.');
    } catch (err) {
      sw.checked = !wanted;
      if (!ended) toast('Broadcast was not changed: ' + err.message);
    } finally {
      sw.disabled = false;
      if (!ended) sw.focus();
    }
    refreshSoon();
  });

  // ---- the destination form ----

  const form = $('editor-form');
  const fieldErrors = { name: 'f-name', 'config.api_key': 'f-key', 'config.endpoint': 'f-endpoint', sampling_rate: 'f-sampling' };

  $('add-destination').addEventListener('click', () => openEditor(null));
  $('editor-cancel').addEventListener('click', () => $('editor').close());
  $('f-endpoint').addEventListener('change', () => {
    const custom = $('f-endpoint').value === 'custom';
    $('custom-endpoint').hidden = !custom;
    if (custom) $('f-custom').focus();
  });

  function openEditor(d) {
    editing = d;
    clearErrors();
    $('editor-title').textContent = d ? 'Edit ' + d.name : 'Add PostHog destination';
    $('f-name').value = d ? d.name : 'PostHog';
    $('f-key').value = '';
    $('f-key').placeholder = d ? d.config.api_key : 'phc_…';
    $('f-key-hint').textContent = d
      ? 'The saved key is not shown. Leave this empty to keep it; enter it again to change the endpoint’s host.'
      : 'Starts with phc_.';
    const endpoint = d ? d.config.endpoint : US;
    const preset = endpoint === US || endpoint === EU;
    $('f-endpoint').value = preset ? endpoint : 'custom';
    $('f-custom').value = preset ? '' : endpoint;
    $('custom-endpoint').hidden = preset;
    $('f-privacy').checked = d ? d.privacy_mode : false;
    $('f-sampling').value = String(d ? +(d.sampling_rate * 100).toFixed(4) : 100);
    $('editor').showModal();
    (d ? $('f-key') : $('f-name')).focus();
    if (!d) $('f-name').select();
  }

  function closeDialogs() {
    for (const id of ['editor', 'confirm']) if ($(id).open) $(id).close();
  }

  function chosenEndpoint() {
    return $('f-endpoint').value === 'custom' ? $('f-custom').value.trim().replace(/\/+$/, '') : $('f-endpoint').value;
  }

  function clearErrors() {
    for (const input of Object.values(fieldErrors)) {
      $(input).removeAttribute('aria-invalid');
      $(input + '-error').hidden = true;
    }
    $('f-custom').removeAttribute('aria-invalid');
    showResult('', '');
  }

  function fieldError(field, message) {
    const input = fieldErrors[field];
    if (!input) return false;
    $(input).setAttribute('aria-invalid', 'true');
    if (input === 'f-endpoint' && $('f-endpoint').value === 'custom') $('f-custom').setAttribute('aria-invalid', 'true');
    $(input + '-error').textContent = sentence(message);
    $(input + '-error').hidden = false;
    return true;
  }

  function showResult(text, tone) {
    $('form-result').textContent = text;
    $('form-result').className = 'result ' + tone;
    $('form-result').hidden = !text;
  }

  /** Checks what the browser can; the server checks again and its word is final. */
  function localErrors(adding) {
    const errors = {};
    if (!$('f-name').value.trim()) errors.name = 'Enter a name for this destination';
    const key = $('f-key').value.trim();
    if (adding && !key) errors['config.api_key'] = 'Enter your PostHog project API key';
    else if (key && !key.startsWith('phc_')) errors['config.api_key'] = 'A project API key starts with phc_';
    if ($('f-endpoint').value === 'custom' && !/^https?:\/\/[^\s/]+/.test(chosenEndpoint())) errors['config.endpoint'] = 'Enter the URL of your PostHog, such as https://posthog.example.com';
    const rate = Number($('f-sampling').value);
    if (!(rate >= 0.01 && rate <= 100)) errors.sampling_rate = 'Enter a share between 0.01 and 100 per cent';
    return errors;
  }

  function showErrors(errors) {
    let first = null;
    const rest = [];
    for (const [field, messages] of Object.entries(errors)) {
      const message = Array.isArray(messages) ? messages.join(', ') : messages;
      if (fieldError(field, message)) first = first || fieldErrors[field];
      else rest.push(sentence(field.replace(/^config\./, '').replace(/_/g, ' ') + ' ' + message));
    }
    if (rest.length) showResult(rest.join(' '), 'error');
    if (first) $(first === 'f-endpoint' && $('f-endpoint').value === 'custom' ? 'f-custom' : first).focus();
  }

  function connectionFailed(e) {
    showResult('Test Connection failed: ' + e.message + ' Nothing was saved.', 'error');
  }

  $('test-connection').addEventListener('click', async (e) => {
    clearErrors();
    const key = $('f-key').value.trim();
    if (!key) {
      fieldError('config.api_key', editing
        ? 'Enter the project API key to test it (the saved key is never shown to this page)'
        : 'Enter your PostHog project API key');
      $('f-key').focus();
      return;
    }
    const errors = localErrors(false);
    delete errors.name;
    delete errors.sampling_rate;
    if (Object.keys(errors).length) return showErrors(errors);
    showResult('Testing the connection to PostHog…', 'pending');
    try {
      await busy(e.currentTarget, () => api('POST', 'destinations/test', { type: 'posthog', config: { api_key: key, endpoint: chosenEndpoint() } }));
      showResult('Connection works: PostHog accepted the project API key.', 'ok');
    } catch (err) {
      if (ended) return;
      if (err.status === 400 && err.body && err.body.errors) { showResult('', ''); showErrors(err.body.errors); }
      else if (err.status === 422) showResult('Test Connection failed: ' + err.message, 'error');
      else showResult(err.message, 'error');
    }
  });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors();
    const errors = localErrors(!editing);
    if (Object.keys(errors).length) return showErrors(errors);
    const body = changes();
    if (!body) {
      $('editor').close();
      return;
    }
    showResult('Testing the connection and saving…', 'pending');
    try {
      const saved = await busy($('editor-save'), () => editing
        ? api('PATCH', 'destinations/' + encodeURIComponent(editing.id), body)
        : api('POST', 'destinations', body));
      $('editor').close();
      toast('Saved. “' + saved.name + '” ' + (editing ? 'is updated.' : 'now receives the traces of this workspace.'));
      await refreshSoon();
    } catch (err) {
      if (ended) return;
      if (err.status === 400 && err.body && err.body.errors) { showResult('', ''); showErrors(err.body.errors); }
      else if (err.status === 422) connectionFailed(err);
      else showResult(err.message + ' Nothing was saved.', 'error');
    }
  });

  /** The POST body when adding; only what changed when editing (null: nothing did). */
  function changes() {
    const name = $('f-name').value.trim();
    const key = $('f-key').value.trim();
    const endpoint = chosenEndpoint();
    const privacy = $('f-privacy').checked;
    const rate = Math.round(Number($('f-sampling').value) * 100) / 10000;
    if (!editing) {
      return { type: 'posthog', name, config: { api_key: key, endpoint }, enabled: true, privacy_mode: privacy, sampling_rate: rate };
    }
    const body = {};
    if (name !== editing.name) body.name = name;
    if (privacy !== editing.privacy_mode) body.privacy_mode = privacy;
    if (Math.abs(rate - editing.sampling_rate) > 1e-9) body.sampling_rate = rate;
    if (key || endpoint !== editing.config.endpoint) {
      body.config = { endpoint };
      if (key) body.config.api_key = key;
    }
    return Object.keys(body).length ? body : null;
  }

  // A new link pasted into the same tab changes only the fragment: no reload, so the page starts over itself.
  window.addEventListener('hashchange', () => {
    const fresh = readToken();
    if (!fresh || (fresh === token && !ended)) return;
    token = fresh;
    ended = false;
    $('notice').hidden = true;
    $('loading').textContent = 'Loading settings…';
    $('loading').hidden = false;
    refresh();
  });

  // ---- start ----

  $('workspace-label').textContent = ws;
  document.title = 'Broadcast settings · ' + ws;
  if (!token) {
    ended = true;
    showNotice('This page needs a settings link',
      'Open the settings link you were given — it ends in #token=… — or ask your administrator for a new one. ' +
      'The link opens the settings of one workspace for a limited time.');
  } else {
    refresh();
  }
})();
