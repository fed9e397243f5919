// Words for what the API says (CONTRACT §3, §7): delivery states, errors and dead-letter reasons as a tenant reads
// them, and numbers and times in the reader's format.

export const US = 'https://us.i.posthog.com';
export const EU = 'https://eu.i.posthog.com';

/** Server texts are clauses ("connection refused"); the page shows sentences. */
export function sentence(text) {
  if (!text) return '';
  const t = text.trim();
  const s = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?)]$/.test(s) && !/\)$/.test(s) ? s : s + '.';
}

export function describeState(delivery) {
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

export function errorSentence(error) {
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

export function reasonSentence(reason) {
  switch (reason) {
    case 'expired': return 'Expired — could not be delivered within 24 hours';
    case 'too_large': return 'Too large — PostHog refused the event’s size';
    case 'rejected': return 'Rejected — PostHog refused the event as invalid';
    case 'backlog_full': return 'Backlog full — arrived while too many events were waiting';
    default: return sentence(String(reason).replace(/_/g, ' '));
  }
}

export function endpointLabel(endpoint) {
  if (endpoint === US) return 'US Cloud (us.i.posthog.com)';
  if (endpoint === EU) return 'EU Cloud (eu.i.posthog.com)';
  return endpoint;
}

const numbers = new Intl.NumberFormat();
export const count = (n) => numbers.format(n || 0);
export const percent = (rate) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(rate * 100) + ' %';
export const when = (iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  if (seconds < 5) return 'Just now';
  if (seconds < 90) return seconds + ' seconds ago';
  if (seconds < 90 * 60) return Math.round(seconds / 60) + ' minutes ago';
  return when(iso);
}

export function untilText(iso) {
  const seconds = Math.round((new Date(iso).getTime() - Date.now()) / 1000);
  if (seconds <= 1) return 'now';
  if (seconds < 90) return 'in ' + seconds + ' seconds';
  return 'at ' + new Date(iso).toLocaleTimeString(undefined, { timeStyle: 'short' });
}

