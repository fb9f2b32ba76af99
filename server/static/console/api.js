// The API as the page uses it: each call names one of the platform's console documents
// (documents/console-*.graphql) and sends its id, never text; the server runs the text it
// validated at startup.

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export class Api {
  constructor(config, auth, onSignedOut) {
    this.config = config;
    this.auth = auth;
    this.onSignedOut = onSignedOut;
  }

  async call(name, variables = {}) {
    const documentId = this.config.documents[name];
    if (!documentId) throw new ApiError(`页面缺少查询 ${name}`, "CONSOLE_DOCUMENT");
    let response = await this.post(documentId, variables);
    if (response.status === 401) {
      await this.auth.refresh();
      response = await this.post(documentId, variables);
    }
    if (response.status === 401) {
      this.auth.forget();
      this.onSignedOut();
      throw new ApiError("登录已失效，请重新登录。", "UNAUTHENTICATED");
    }
    if (response.status === 429) throw new ApiError("请求过于频繁，请稍后再试。", "RATE_LIMITED");
    const body = await response.json().catch(() => null);
    if (!body) throw new ApiError(`服务暂不可用（HTTP ${response.status}）`, "UNAVAILABLE");
    if (body.errors && body.errors.length) {
      const first = body.errors[0];
      const code = (first.extensions && first.extensions.code) || "ERROR";
      if (code === "UNAUTHENTICATED") {
        this.auth.forget();
        this.onSignedOut();
      }
      throw new ApiError(first.message, code);
    }
    return body.data;
  }

  async post(documentId, variables) {
    const token = await this.auth.token();
    const headers = { "Content-Type": "application/json" };
    if (token) headers.Authorization = `Bearer ${token}`;
    return fetch(this.config.graphqlUrl, {
      method: "POST",
      headers,
      body: JSON.stringify({ documentId, variables }),
    });
  }
}
