// Signing in: the platform's OAuth2 authorization code flow with PKCE (RFC 7636, S256), as
// the public client the platform registers for this page. Tokens live in this tab's
// sessionStorage only: closing the tab signs out, and no other site can read them.

const KEY = "partyplan.console.session";
const PENDING = "partyplan.console.pending";
// Refresh this long before the access token expires, so a request never races its expiry.
const EARLY_MS = 30_000;

function base64url(bytes) {
  let text = "";
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomText(size = 32) {
  return base64url(crypto.getRandomValues(new Uint8Array(size)));
}

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(digest);
}

function load(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || "null");
  } catch {
    return null;
  }
}

function save(key, value) {
  if (value === null) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

export class SignInError extends Error {}

export class Auth {
  constructor(config) {
    this.config = config;
    this.session = load(KEY);
    this.refreshing = null;
  }

  get signedIn() {
    return this.session !== null;
  }

  /** Leave for the platform's sign-in page; come back to `returnTo` (a hash route). */
  async signIn(returnTo = location.hash) {
    const verifier = randomText(48);
    const state = randomText(16);
    save(PENDING, { verifier, state, returnTo });
    const query = new URLSearchParams({
      response_type: "code",
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUri,
      scope: this.config.scope,
      state,
      code_challenge: await challengeOf(verifier),
      code_challenge_method: "S256",
    });
    location.assign(`${this.config.authorizeUrl}?${query}`);
  }

  /** An operator's bearer token (`partyplan token`), pasted: no refresh, used until it ends. */
  useToken(token) {
    const text = token.trim();
    if (!/^[A-Za-z0-9._~+/=-]+$/.test(text)) throw new SignInError("令牌格式不正确");
    this.keep({ access_token: text, expires_in: null, refresh_token: null });
  }

  /** Back from the sign-in page: exchange the code (once) and drop it from the address bar. */
  async completeSignIn() {
    const params = new URLSearchParams(location.search);
    if (!params.has("code") && !params.has("error")) return false;
    const pending = load(PENDING);
    save(PENDING, null);
    const returnTo = (pending && pending.returnTo) || "#/";
    history.replaceState(null, "", this.config.consoleUrl + returnTo);
    if (params.has("error")) {
      throw new SignInError(
        params.get("error") === "access_denied" ? "您拒绝了授权，未登录。" : "登录未完成，请重试。",
      );
    }
    if (!pending || pending.state !== params.get("state")) {
      throw new SignInError("登录请求已失效（state 不符），请重新登录。");
    }
    await this.exchange({
      grant_type: "authorization_code",
      code: params.get("code"),
      redirect_uri: this.config.redirectUri,
      client_id: this.config.clientId,
      code_verifier: pending.verifier,
    });
    return true;
  }

  async exchange(form) {
    const response = await fetch(this.config.tokenUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.access_token) {
      this.forget();
      throw new SignInError("登录已失效，请重新登录。");
    }
    this.keep(body);
  }

  keep(body) {
    this.session = {
      access: body.access_token,
      refresh: body.refresh_token || null,
      expiresAt: body.expires_in ? Date.now() + body.expires_in * 1000 : null,
    };
    save(KEY, this.session);
  }

  forget() {
    this.session = null;
    save(KEY, null);
  }

  /** A valid access token, refreshed first when it is about to expire. */
  async token() {
    if (!this.session) return null;
    const { expiresAt, refresh } = this.session;
    if (expiresAt && refresh && Date.now() > expiresAt - EARLY_MS) await this.refresh();
    return this.session ? this.session.access : null;
  }

  /** One refresh at a time: concurrent requests wait for the same new token. */
  async refresh() {
    if (!this.session || !this.session.refresh) {
      this.forget();
      return;
    }
    if (!this.refreshing) {
      this.refreshing = this.exchange({
        grant_type: "refresh_token",
        refresh_token: this.session.refresh,
        client_id: this.config.clientId,
      }).finally(() => {
        this.refreshing = null;
      });
    }
    await this.refreshing.catch(() => {});
  }

  async signOut() {
    const refresh = this.session && this.session.refresh;
    this.forget();
    if (refresh) {
      await fetch(this.config.revokeUrl, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          token: refresh,
          token_type_hint: "refresh_token",
          client_id: this.config.clientId,
        }),
      }).catch(() => {});
    }
  }
}
