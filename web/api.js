// The dashboard's only way to the controller: its public REST API, with the token kept in this
// tab's sessionStorage (never in a URL).

const TOKEN_KEY = 'modelhost.token';

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function token() { return sessionStorage.getItem(TOKEN_KEY); }
export function setToken(t) { sessionStorage.setItem(TOKEN_KEY, t); }
export function clearToken() { sessionStorage.removeItem(TOKEN_KEY); }

async function parse(res) {
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) {
    const message = data && data.error ? data.error : `HTTP ${res.status} ${res.statusText}`;
    throw new ApiError(res.status, message);
  }
  return data;
}

// A JSON API call; throws ApiError with the API's message.
export async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${token()}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return parse(res);
}

// The body of a text answer (logs).
export async function apiText(path) {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${token()}` } });
  if (!res.ok) await parse(res);
  return res.text();
}

// Uploads a file as the request body, reporting progress (fraction 0..1); resolves to the JSON
// answer or rejects with an ApiError.
export function upload(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Authorization', `Bearer ${token()}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch { data = null; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data && data.error ? data.error : `HTTP ${xhr.status}`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'the upload failed: the controller could not be reached'));
    xhr.send(file);
  });
}

// A call of a Model API through the gateway, timed; never throws for an HTTP error.
export async function callModel(path, body, accessToken) {
  const headers = { 'Content-Type': 'application/json' };
  if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
  const t0 = performance.now();
  const res = await fetch(path, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, text, ms: performance.now() - t0 };
}
