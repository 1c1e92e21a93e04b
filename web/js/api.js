// Calls to Cairn's REST API with the session cookie.  The CSRF token
// comes back in the X-CSRF-Token header of every request made with the
// session, and is sent on every request that changes something.

let csrf = '';

export class ApiError extends Error {
  constructor(status, body, headers) {
    super((body && (body.message || body.name)) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
    this.headers = headers || new Headers();
  }
}

export async function api(path, opts) {
  const o = opts || {};
  const method = o.method || (o.body !== undefined ? 'POST' : 'GET');
  const headers = { Accept: o.accept || 'application/json' };
  if (o.body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD') headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin',
    body: o.body === undefined ? undefined : (typeof o.body === 'string' ? o.body : JSON.stringify(o.body)),
  });
  const token = res.headers.get('X-CSRF-Token');
  if (token) csrf = token;
  if (o.raw) {
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null), res.headers);
    return res;
  }
  const text = await res.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = { message: text }; }
  if (!res.ok) {
    if (res.status === 403 && body && /^Authentication failed/.test(body.message || '')) {
      window.dispatchEvent(new CustomEvent('cairn:logged-out'));
    }
    throw new ApiError(res.status, body, res.headers);
  }
  return body;
}

export function setCsrf(token) { csrf = token || ''; }

// The dashboard's widget endpoints take their arguments in the query.
export function widget(name, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
  const s = q.toString();
  return api(`/dashboard/${name}${s ? `?${s}` : ''}`);
}

let typesCache = null;
export async function describeTypes() {
  if (!typesCache) typesCache = (await api('/attributes/describeTypes.json')).result;
  return typesCache;
}
