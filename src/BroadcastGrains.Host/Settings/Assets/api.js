// The workspace API (CONTRACT §3, §8.4) as the page uses it: failures become ApiErrors whose message is a sentence a
// tenant can act on, never a status code; 401 and 403 end the session with their own notice.
import { apiBase, endSession, session } from './session.js';
import { sentence } from './words.js';

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  if (!session.token || session.ended) throw new ApiError(401, 'No session.');
  const init = {
    method,
    headers: { Authorization: 'Bearer ' + session.token, Accept: 'application/json' },
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
