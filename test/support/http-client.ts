export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** Every body any test received, so a suite can check none of them leaks a secret. */
export const receivedBodies: string[] = [];

export class HttpClient {
  constructor(readonly baseUrl: string) {}

  get<T = any>(path: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, undefined, headers);
  }

  post<T = any>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('POST', path, body === undefined ? undefined : JSON.stringify(body), headers);
  }

  /** A body sent as-is: malformed JSON, oversized payloads. */
  postRaw<T = any>(path: string, raw: string, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
    return this.request<T>('POST', path, raw, headers);
  }

  async request<T = any>(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<HttpResult<T>> {
    const response = await fetch(this.baseUrl + path, {
      method,
      body,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    });
    const text = await response.text();
    receivedBodies.push(text);
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (Swagger UI HTML): keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  bearer(token: string): Record<string, string> {
    return { authorization: `Bearer ${token}` };
  }
}

/** What no response may ever contain: stack traces, SQL, bcrypt hashes. */
export const LEAK_PATTERNS: RegExp[] = [
  /\$2[aby]\$\d\d\$/, // bcrypt hash
  /passwordHash|password_hash/i,
  /\bat .+\.(js|ts):\d+:\d+/, // stack frame
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/,
  /QueryFailedError|duplicate key value/i,
];
