// The destination form (CONTRACT §8.4): Add destination and Edit open it; Test Connection asks PostHog without saving,
// and Save runs the same test on the server first (a failure shows PostHog's reason and saves nothing).
import { api } from './api.js';
import { $, busy, changed, toast } from './dom.js';
import { session } from './session.js';
import { EU, US, sentence } from './words.js';

let editing = null; // the destination being edited, or null when adding

const form = $('editor-form');
const fieldErrors = { name: 'f-name', 'config.api_key': 'f-key', 'config.endpoint': 'f-endpoint', sampling_rate: 'f-sampling' };

$('add-destination').addEventListener('click', () => openEditor(null));
$('editor-cancel').addEventListener('click', () => $('editor').close());
$('f-endpoint').addEventListener('change', () => {
  const custom = $('f-endpoint').value === 'custom';
  $('custom-endpoint').hidden = !custom;
  if (custom) $('f-custom').focus();
});

export function openEditor(d) {
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
    if (session.ended) return;
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
    changed();
  } catch (err) {
    if (session.ended) return;
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
