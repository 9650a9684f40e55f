// The token for this tab: kept in sessionStorage, so it is gone when the tab closes.

const KEY = 'gridqueue.token';
let memoryToken = null;

export function getToken() {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token) {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: the session lasts until the page is reloaded.
  }
  memoryToken = token;
}

export function clearToken() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored.
  }
  memoryToken = null;
}

/** The token in use: the stored one, or the one kept in memory when storage is unavailable. */
export function currentToken() {
  return getToken() ?? memoryToken;
}

/** The token's user id (its "sub" claim) for display; null when the token cannot be read. */
export function userFromToken(token) {
  try {
    const part = token.split('.')[1];
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes));
    return typeof claims.sub === 'string' ? claims.sub : null;
  } catch {
    return null;
  }
}
