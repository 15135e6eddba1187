// Every call to the staff API: same-origin cookie, the CSRF token on writes, Chinese error messages.
let csrfToken = null;

export function setCsrf(token) { csrfToken = token; }

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

export async function api(path, {method = "GET", body} = {}) {
  const headers = {"Accept": "application/json"};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["X-CSRF-Token"] = csrfToken;
  let response;
  try {
    response = await fetch(path, {method, headers, credentials: "same-origin",
                                  body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    throw new ApiError("连接服务中心失败，请检查网络后重试", 0);
  }
  if (!response.ok) {
    let message = `请求失败（${response.status}）`;
    try { message = (await response.json()).error.message || message; } catch (e) { /* not JSON */ }
    throw new ApiError(message, response.status);
  }
  return response.json();
}

export function query(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== "") p.set(k, v);
  return p.toString();
}
