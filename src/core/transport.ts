/**
 * The transport: the one place that talks HTTP to a SwanLab server.
 *
 * It owns the typed `openapi-fetch` client, the session (one login, refreshed before expiry,
 * renewed once on 401), credentials (the API key only in the login request, the `sid` cookie only
 * to the API origin), retries, timeouts and cancellation, and maps every failure to a typed error.
 * Presigned downloads go through {@linkcode Transport.download}, which never carries a credential.
 *
 * @module
 */

import type { Client } from "openapi-fetch";
import type { components, paths } from "../../generated/schema.ts";
import type { ClientOptions } from "./client_options.ts";
import { readEnv, resolveCredentials, type ResolvedCredentials } from "./credentials.ts";
import {
  AbortError,
  ApiError,
  ConnectionError,
  type RequestRoute,
  ResponseError,
  SwanLabError,
  TimeoutError,
  ValidationError,
} from "./errors.ts";
import { decodeResponse, type Drift, DriftReporter, responseSchema } from "./drift.ts";
import { createApiClient } from "./_api_client.ts";
import { fetchWithRetry, FinalError } from "./fetch_with_retry.ts";
import { createProxyFetch, displayProxy, proxyFor } from "./proxy.ts";
import {
  checkNonNegativeMs,
  checkRequestOptions,
  checkRetries,
  checkTimeoutMs,
} from "./option_checks.ts";
import { raceAbort } from "./race_abort.ts";
import { parseValidationMode, ResponseDriftError, type ValidationMode } from "./response_drift.ts";
import { terminalText } from "./terminal_text.ts";
import type { ResponseValidator } from "./response_validator.ts";
import { Limiter } from "./limiter.ts";
import { redactUrl, SecretRedactor } from "./redact.ts";
import type { RequestOptions } from "./request_options.ts";
import { DEFAULT_RETRY_POLICY, parseRetryAfterMs, type RetryPolicy } from "./retry.ts";
import { processEnv } from "./runtime.ts";
import { type LoginResult, parseExpiredAt, Session } from "./session.ts";
import { VERSION } from "./version.ts";

/** The typed `openapi-fetch` client of the SwanLab API, as passed to {@linkcode Transport.call}. */
export type ApiClient = Client<paths>;

/** The result shape of an `openapi-fetch` call. */
export interface FetchResult {
  /** The decoded success body. */
  data?: unknown;
  /** The decoded error body. */
  error?: unknown;
  /** The raw response. */
  response: Response;
}

/** The success body of an `openapi-fetch` result, `undefined` for empty (204) bodies. */
export type ResultData<R extends FetchResult> = Exclude<R["data"], undefined>;

const DEFAULT_TIMEOUT_MS = 60_000;
const LOGIN_TIMEOUT_MS = 10_000;
const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;
const USER_AGENT = `swanlab-ts/${VERSION}`;
// A path that the URL parser would change (characters it percent-encodes, dot segments, which
// it resolves even percent-encoded): such a URL is parsed rather than read as a string.
const NEEDS_PARSING = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]|\/(?:\.|%2e){1,2}(?:\/|$)/i;

// POST requests that only read: safe to repeat. Starting an export (scalar CSV, console log)
// counts as a read: it writes an object nobody else sees, and a repeated start only writes it
// again (the official SDK retries it too). Every other POST, and every DELETE, changes state
// (create, delete) and is repeated only when a call opts in.
const READ_ONLY_POSTS: readonly RegExp[] = [
  /^\/api\/login\/api_key$/,
  /^\/api\/house\/metrics\/scalar\/export$/,
  /^\/api\/house\/metrics\/log\/export$/,
  /^\/api\/project\/[^/]+\/[^/]+\/runs\/shows$/,
  /^\/api\/house\/metrics\/(scalar|media)(\/keys|\/availability)?$/,
  /^\/api\/house\/metrics\/scalar\/value$/,
  /^\/api\/house\/metrics\/f_media$/,
  /^\/api\/house\/metrics\/summaries$/,
  /^\/api\/(files|resources)\/presigned\/get$/,
];

/**
 * Whether a request may be repeated without risk: GET and HEAD, and the POSTs that only query.
 *
 * @param method The HTTP method.
 * @param pathname The URL path, starting with `/api/`.
 * @returns `true` when a retry cannot do anything twice.
 *
 * @example
 * ```ts
 * import { isRetrySafe } from "./transport.ts";
 *
 * isRetrySafe("POST", "/api/house/metrics/scalar"); // true
 * isRetrySafe("POST", "/api/project"); // false: creates a project
 * ```
 */
export function isRetrySafe(method: string, pathname: string): boolean {
  if (method === "GET" || method === "HEAD") return true;
  if (method !== "POST") return false;
  return READ_ONLY_POST.test(pathname);
}

/** {@linkcode READ_ONLY_POSTS} as one expression (one test per request, not one per pattern). */
const READ_ONLY_POST = new RegExp(
  READ_ONLY_POSTS.map((pattern) => `(?:${pattern.source})`).join("|"),
);

/**
 * Serializes query parameters as the Python SDK does: `null`/`undefined` omitted, booleans as
 * `True`/`False`, spaces as `+`.
 *
 * @param query The query parameters.
 * @returns The query string without `?`.
 *
 * @example
 * ```ts
 * import { serializeQuery } from "./transport.ts";
 *
 * serializeQuery({ page: 1, detail: true, search: "a b", sort: undefined }); // "page=1&detail=True&search=a+b"
 * ```
 */
export function serializeQuery(query: Record<string, unknown>): string {
  // openapi-fetch asks for every request, most often with no parameters or with numbers only
  // (`page=2&size=100`): names and values that form encoding leaves as they are are joined
  // directly (a `URLSearchParams` costs its construction, its appends and a runtime call).
  let text = "";
  for (const name of Object.keys(query)) {
    const value = query[name];
    if (value === undefined || value === null) continue;
    const shown = queryText(value);
    if (!isFormSafe(name) || !isFormSafe(shown)) return formEncoded(query);
    text += `${text === "" ? "" : "&"}${name}=${shown}`;
  }
  return text;
}

function formEncoded(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    params.append(name, queryText(value));
  }
  return params.toString();
}

// A query value as the Python SDK sends it (`requests` writes booleans as `True` / `False`).
function queryText(value: unknown): string {
  return typeof value === "boolean" ? (value ? "True" : "False") : String(value);
}

// Whether form encoding (application/x-www-form-urlencoded) leaves the text as it is: ASCII
// letters and digits, `*`, `-`, `.` and `_` only.
function isFormSafe(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
        c === 42 || c === 45 || c === 46 || c === 95)
    ) return false;
  }
  return true;
}

// Each path parameter is one percent-encoded segment, so that no name can move the request to
// another path (the Python SDK inserts them raw).
function serializePath(pathname: string, params: Record<string, unknown> | undefined): string {
  // The template split once into its literal parts and parameter names: [text, name, text, …].
  let parts = PATH_PARTS.get(pathname);
  if (parts === undefined) {
    parts = pathname.split(/\{([^}]+)\}/);
    PATH_PARTS.set(pathname, parts);
  }
  let path = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    path += pathSegment(pathname, parts[i]!, params) + parts[i + 1]!;
  }
  return path;
}

/** The split path templates of {@linkcode serializePath} (one per template and API host). */
const PATH_PARTS = new Map<string, string[]>();

function pathSegment(
  pathname: string,
  name: string,
  params: Record<string, unknown> | undefined,
): string {
  const value = params?.[name];
  if (typeof value !== "string" && typeof value !== "number") {
    throw new ValidationError(name, `Cannot build path "${pathname}": "${name}" is missing`);
  }
  const text = String(value);
  if (text === "") {
    throw new ValidationError(name, `Cannot build path "${pathname}": "${name}" is empty`);
  }
  // URLs resolve "." and ".." (even percent-encoded) as dot segments, so they cannot be sent.
  if (text === "." || text === "..") {
    throw new ValidationError(name, `Cannot build path "${pathname}": "${name}" is "${text}"`);
  }
  return encodeURIComponent(text);
}

/** Options of {@linkcode Transport.download}. */
export interface DownloadOptions extends RequestOptions {
  /**
   * Fail when no byte arrives for this long while reading the body, in milliseconds.
   * @default the timeout of the request
   */
  idleTimeoutMs?: number;
}

/**
 * Sends requests to one SwanLab server on behalf of one client.
 *
 * Create it with {@linkcode Transport.create}; entities call {@linkcode Transport.call} with a
 * function that receives a typed `openapi-fetch` client.
 *
 * @example Query the API directly
 * ```ts ignore
 * import { Transport } from "./transport.ts";
 *
 * const transport = await Transport.create({ host: "http://127.0.0.1:8000", apiKey: "KEY" });
 * const profile = await transport.call((api) => api.GET("/user/profile"));
 * ```
 */
export class Transport {
  /** The normalized API host; requests go to `{apiHost}/api/...`. */
  readonly apiHost: string;
  /** The normalized web host, for browser URLs. */
  readonly webHost: string;
  /** Bounds the concurrent requests of this client's batches, pages and multi-run work. */
  readonly limiter: Limiter;
  /** Removes this client's secrets from any text. */
  readonly redactor: SecretRedactor;

  #apiKey: string;
  #apiOrigin: string;
  /** Where API requests go: the origin, and the proxy of the environment if any. */
  #route: RequestRoute;
  /** `{origin}/api/`: every URL the typed client builds starts with it. */
  #apiPrefix: string;
  /** The typed client: built once, it sends through {@linkcode Transport.#send}. */
  #client: ApiClient;
  #session: Session;
  #fetch: typeof globalThis.fetch;
  #timeoutMs: number;
  #policy: RetryPolicy;
  #debug: ((line: string) => void) | undefined;
  #validation: ValidationMode;
  #validator: Promise<ResponseValidator> | undefined;
  #drift: DriftReporter;

  private constructor(credentials: ResolvedCredentials, options: ClientOptions) {
    this.apiHost = credentials.apiHost;
    this.webHost = credentials.webHost;
    this.#apiKey = credentials.apiKey;
    this.#apiOrigin = new URL(credentials.apiHost).origin;
    this.#apiPrefix = `${this.#apiOrigin}/api/`;
    this.#client = createApiClient<paths>({
      baseUrl: `${credentials.apiHost}/api`,
      querySerializer: serializeQuery,
      pathSerializer: serializePath,
      // Every body the API takes is JSON (openapi-fetch's default serializer first looks for
      // form data and reads the content type from the headers, microseconds per request).
      bodySerializer: (body: unknown) => JSON.stringify(body),
      // openapi-fetch builds its request with this class and hands it to `fetch` below: a record
      // of what to send, not a `Request` (whose construction, parsing the URL and copying the
      // headers, would be done again by the `fetch` of each attempt).
      Request: CallRequest as unknown as typeof Request,
      fetch: (request: Request) => this.#send(request as unknown as CallRequest),
    });
    const env = options.env ?? processEnv();
    // Proxies follow the client's environment on every runtime (Node's fetch ignores them).
    this.#fetch = options.fetch ?? createProxyFetch(env);
    // Named by connection and timeout errors (a `fetch` of the caller's own routes as it will).
    const proxy = options.fetch === undefined ? proxyFor(credentials.apiHost, env) : undefined;
    this.#route = {
      origin: this.#apiOrigin,
      proxy: proxy === undefined ? undefined : displayProxy(proxy.url),
    };
    this.#timeoutMs = checkTimeoutMs("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.#policy = {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: checkRetries("maxRetries", options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries),
      initialDelayMs: checkNonNegativeMs(
        "initialRetryDelayMs",
        options.initialRetryDelayMs ?? DEFAULT_RETRY_POLICY.initialDelayMs,
      ),
    };
    this.limiter = new Limiter(options.concurrency ?? 4);
    if (options.onDrift !== undefined && typeof options.onDrift !== "function") {
      throw new ValidationError("onDrift", "Cannot use onDrift: expected a function");
    }
    this.redactor = new SecretRedactor();
    this.redactor.add(credentials.apiKey);
    // One reporter for both layers of the drift policy: one report per operation and field.
    this.#drift = new DriftReporter(options.onDrift, (text) => this.redactor.redact(text));
    const debugFlag = readEnv(env, "SWANLAB_DEBUG")?.toLowerCase();
    const sink = options.debug ??
      (debugFlag !== undefined && ["1", "true", "yes", "on"].includes(debugFlag)
        ? (line: string) => console.error(terminalText(line))
        : undefined);
    this.#debug = sink && ((line: string) => sink(`[swanlab-ts] ${this.redactor.redact(line)}`));
    this.#validation = validationMode(options.validateResponses, readEnv(env, "SWANLAB_VALIDATE"));
    this.#session = new Session(
      () => this.#login(),
      checkNonNegativeMs("refreshMarginMs", options.refreshMarginMs ?? SEVEN_DAYS_MS),
    );
  }

  /**
   * Resolves credentials (options, `login()`, environment, `.netrc`) and creates a transport.
   * Sends nothing: the first call logs in.
   *
   * @param options The client options.
   * @returns A transport bound to one server and one API key.
   * @throws {CredentialsError} When no API key is found for the host.
   * @throws {ValidationError} When an option is invalid.
   */
  static async create(options: ClientOptions = {}): Promise<Transport> {
    const credentials = await resolveCredentials({
      apiKey: options.apiKey,
      host: options.host,
      webHost: options.webHost,
      env: options.env ?? processEnv(),
      cwd: options.cwd,
    });
    return new Transport(credentials, options);
  }

  /**
   * The logged-in user and session, logging in first if needed.
   *
   * @returns The current login.
   * @throws {AuthenticationError} When the server rejects the API key.
   */
  async session(): Promise<LoginResult> {
    return await this.#session.current();
  }

  /** The client's retry budget for one call (`ClientOptions.maxRetries`). */
  get maxRetries(): number {
    return this.#policy.maxRetries;
  }

  /**
   * Writes a debug line (secrets redacted) when debugging is on (`SWANLAB_DEBUG` or
   * `ClientOptions.debug`); does nothing otherwise.
   *
   * @param line What happened, e.g. a restarted download.
   */
  debug(line: string): void {
    this.#debug?.(line);
  }

  /**
   * Reports a drift the caller worked around (an optional part of a call that could not be
   * used), once per operation and field, through the same reporter as the drift found in
   * response bodies.
   *
   * @param drift The drift.
   */
  reportDrift(drift: Drift): void {
    this.#drift.report(drift);
  }

  /** How many login requests this transport has sent. */
  get loginCount(): number {
    return this.#session.logins;
  }

  /**
   * Sends one API request and returns its decoded body, or throws a typed error.
   *
   * @param send Makes the request with the typed client it is given.
   * @param options Per-call signal, timeout and retries.
   * @returns The success body; `undefined` for an empty (204) body.
   * @throws {ApiError} (or a subclass) for HTTP error statuses.
   * @throws {ConnectionError} When no response arrived; {@linkcode TimeoutError} on timeout.
   * @throws {AbortError} When `options.signal` aborted.
   * @throws {ResponseError} When a success body is not JSON or is `null`.
   *
   * @example
   * ```ts ignore
   * const workspace = await transport.call((api) =>
   *   api.GET("/group/{username}", { params: { path: { username: "alice" } } })
   * );
   * ```
   */
  async call<R extends FetchResult>(
    send: (api: ApiClient) => Promise<R>,
    options: RequestOptions = {},
  ): Promise<ResultData<R>> {
    checkRequestOptions(options);
    const call = new CallState(options);
    let result: R;
    try {
      result = await send(new CallClient(this.#client, call) as unknown as ApiClient);
    } catch (error) {
      throw this.#mapThrown(error, call, options);
    } finally {
      // The timeout covers reading the body too; it ends once openapi-fetch has decoded it.
      call.releaseTimeout?.();
    }
    const { response } = result;
    const { method, label } = call;
    if (result.error !== undefined || !response.ok) {
      throw this.#apiError(response, result.error, method, label, call.url);
    }
    // The strict layer (opt-in) sees the body as it arrived, before the policy below edits it.
    if (this.#validation !== "off") {
      await this.#checkResponse(method, label, response.status, result.data);
    }
    const found = responseSchema(method, call.template, response.status);
    if (result.data === null && found?.schema === undefined) {
      throw new ResponseError(`Cannot use response of ${method} ${label}: the body is null`);
    }
    if (found === undefined || result.data === undefined) return result.data as ResultData<R>;
    // The drift policy (src/core/drift.ts), applied to every JSON body in this one place.
    return decodeResponse(found, result.data, this.#drift) as ResultData<R>;
  }

  /**
   * Downloads a presigned object-storage URL with a credential-free request: no cookie, no
   * authorization, no SDK header, and redirects are not followed into credentials. Retried like a
   * read; the returned body is watched for stalls.
   *
   * @param url The presigned URL.
   * @param options Per-call signal, timeouts and retries.
   * @returns The response, with an OK status.
   * @throws {ApiError} When storage answers an error status (e.g. 403 for an expired URL).
   * @throws {ConnectionError} When storage cannot be reached.
   */
  async download(url: string, options: DownloadOptions = {}): Promise<Response> {
    checkRequestOptions(options);
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      throw new ValidationError("url", `Cannot download "${redactUrl(url)}": not an http(s) URL`);
    }
    const label = redactUrl(url);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const response = await fetchWithRetry({
      policy: this.#retryPolicy(options),
      timeoutMs,
      timeoutScope: "headers",
      retrySafe: true,
      method: "GET",
      label,
      signal: options.signal,
      debug: this.#debug,
      // A fresh request with no headers at all: `credentials: "omit"` and `redirect: "manual"` keep
      // any cookie jar of the runtime out of it and stop a redirect from gaining credentials.
      send: (signal) => this.#fetch(target, { signal, credentials: "omit", redirect: "manual" }),
    });
    this.#debug?.(`GET ${label} -> ${response.status}`);
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw ApiError.from({
        status: response.status,
        code: String(response.status),
        serverMessage: text.length > 0 && text.length < 200 && !text.includes("<")
          ? this.redactor.redact(text.trim())
          : response.statusText || "download failed",
        traceId: response.headers.get("traceid") ?? "unknown",
        method: "GET",
        path: label,
        ...retryAfter(response),
      });
    }
    // Imported here: only downloads watch a body (a client that never downloads skips loading it).
    const { watchIdle } = await import("./idle_body.ts");
    return watchIdle(response, options.idleTimeoutMs ?? timeoutMs, label);
  }

  // The strict layer of the drift policy: `warn` reports every finding (essential ones too,
  // before the policy fails the call for them) through the client's one reporter, so a field the
  // always-on policy reports as well is reported once; `error` throws. The validator (Ajv and
  // the spec) is imported on first use only.
  async #checkResponse(method: string, path: string, status: number, body: unknown) {
    this.#validator ??= import("./response_validator.ts").then((m) => m.loadResponseValidator());
    const drifts = (await this.#validator).validate(
      method,
      path,
      status,
      body,
      (text) => this.redactor.redact(text),
    );
    if (drifts.length === 0) return;
    if (this.#validation === "error") {
      throw new ResponseDriftError(method, path, drifts.map((d) => this.#drift.redacted(d)));
    }
    for (const drift of drifts) this.#drift.report(drift);
  }

  #retryPolicy(options: RequestOptions): RetryPolicy {
    return options.maxRetries === undefined
      ? this.#policy
      : { ...this.#policy, maxRetries: checkRetries("maxRetries", options.maxRetries) };
  }

  // Sends what openapi-fetch built (a CallRequest: the URL, method, headers and body, no
  // Request object) as one `fetch(url, init)` per attempt, with the credentials of the moment.
  async #send(request: CallRequest): Promise<Response> {
    const call = request.call;
    const url = request.url;
    const method = request.method;
    const pathname = this.#apiPath(url);
    call.method = method;
    call.label = pathname;
    call.url = url;
    const options = call.options;
    const isLogin = pathname === "/api/login/api_key";
    // openapi-fetch's headers (content-type of a JSON body), then the SDK's, then a credential.
    // Without headers of the call's own, openapi-fetch sets only the content type: reading it
    // is cheaper than iterating the `Headers` (microseconds per request).
    const base: Record<string, string> = {};
    if (call.ownHeaders) {
      for (const [name, value] of request.headers) base[name] = value;
    } else {
      const type = request.headers.get("content-type");
      if (type !== null) base["content-type"] = type;
    }
    base["x-swanlab-sdk-version"] = VERSION;
    base["user-agent"] = USER_AGENT;
    const body = request.body;
    const started = Date.now();
    let sentSid: string | undefined;
    let renewed = false;
    const response = await fetchWithRetry({
      policy: this.#retryPolicy(options),
      timeoutMs: isLogin
        ? Math.min(LOGIN_TIMEOUT_MS, options.timeoutMs ?? this.#timeoutMs)
        : options.timeoutMs ?? this.#timeoutMs,
      timeoutScope: "total",
      releaseTimeout: (release) => {
        call.releaseTimeout = release;
      },
      retrySafe: options.retryUnsafe === true || isRetrySafe(method, pathname),
      method,
      label: pathname,
      route: this.#route,
      signal: options.signal,
      debug: this.#debug,
      send: async (signal) => {
        const headers = { ...base };
        if (isLogin) {
          headers["authorization"] = this.#apiKey;
        } else {
          // A fresh session is used as is (no promise to race against the signal).
          let session: LoginResult | undefined = signal.aborted ? undefined : this.#session.peek();
          if (session === undefined) {
            try {
              // The login is shared with other calls: this call stops waiting when its own signal
              // (caller abort or attempt timeout) fires, without cancelling the login.
              session = await raceAbort(this.#session.current(), signal, (reason) => reason);
            } catch (error) {
              if (signal.aborted) throw error;
              // The login already spent its own retries: retrying this request would repeat them.
              throw new FinalError(error);
            }
          }
          sentSid = session.sid;
          headers["cookie"] = `sid=${session.sid}`;
        }
        return await this.#fetch(url, {
          method,
          headers,
          body,
          signal,
          redirect: "manual",
          credentials: "omit",
        });
      },
      resendNow: (response) => {
        // One renewal per call: a 401 means the session died (expired or revoked server-side).
        if (response.status !== 401 || isLogin || renewed || sentSid === undefined) return false;
        renewed = true;
        this.#debug?.(`session rejected by ${method} ${pathname}; logging in again`);
        this.#session.invalidate(sentSid);
        return true;
      },
    });
    this.#debug?.(`${method} ${pathname} -> ${response.status} (${Date.now() - started} ms)`);
    call.status = response.status;
    call.headers = response.headers;
    return response;
  }

  // The path of a request URL, after checking that it goes to the API host (the session cookie
  // and the API key go nowhere else). URLs built from the API base with encoded path segments
  // are read as they are; anything else is parsed.
  #apiPath(url: string): string {
    if (url.startsWith(this.#apiPrefix)) {
      const end = url.indexOf("?", this.#apiPrefix.length);
      const path = url.slice(this.#apiOrigin.length, end < 0 ? url.length : end);
      if (!NEEDS_PARSING.test(path)) return path;
    }
    const parsed = new URL(url);
    if (parsed.origin !== this.#apiOrigin) {
      throw new SwanLabError(`Refusing to send credentials to ${parsed.origin}: not the API host`);
    }
    return parsed.pathname;
  }

  async #login(): Promise<LoginResult> {
    const body = await this.call((api) => api.POST("/login/api_key"), {
      timeoutMs: LOGIN_TIMEOUT_MS,
    });
    const login = body as components["schemas"]["LoginResponse"];
    if (typeof login?.sid !== "string" || login.sid === "") {
      throw new ResponseError("Cannot use login response: it has no sid");
    }
    this.redactor.add(login.sid);
    return {
      sid: login.sid,
      expiresAtMs: parseExpiredAt(login.expiredAt),
      username: typeof login.userInfo?.username === "string" ? login.userInfo.username : "",
      name: typeof login.userInfo?.name === "string" ? login.userInfo.name : "",
    };
  }

  // What a success body that is not JSON was: its status, content type and the parser's excerpt
  // of it, and for an HTML page the likely cause (a web app's host given as the API host).
  #notJson(call: CallState, error: SyntaxError): string {
    const type = call.headers?.get("content-type") ?? "no content type";
    const status = call.status === undefined ? "" : `${call.status}, `;
    const html = /html/i.test(type)
      ? `. An HTML page: is ${this.#apiOrigin} the API host (not the web app's)?`
      : "";
    return `Cannot parse response of ${call.method} ${call.label}: not JSON (${status}${type}: ${error.message})${html}`;
  }

  #apiError(
    response: Response,
    body: unknown,
    method: string,
    path: string,
    url: string | undefined,
  ): ApiError {
    const record = typeof body === "object" && body !== null && !Array.isArray(body)
      ? body as Record<string, unknown>
      : undefined;
    const code = record?.["code"];
    const message = record?.["message"];
    return ApiError.from({
      status: response.status,
      code: code === undefined || code === null ? String(response.status) : String(code),
      serverMessage: this.redactor.redact(
        message === undefined || message === null
          ? response.statusText || `HTTP ${response.status}`
          : String(message),
      ),
      traceId: response.headers.get("traceid") ?? "unknown",
      method,
      path,
      ...(url === undefined ? {} : { url: redactUrl(url) }),
      ...retryAfter(response),
    });
  }

  #mapThrown(error: unknown, call: CallState, options: RequestOptions): Error {
    const { method, label: path } = call;
    if (error instanceof SwanLabError) return error;
    if (options.signal?.aborted) {
      return new AbortError(method, path, { cause: options.signal.reason });
    }
    if (error instanceof TimeoutError) return error;
    if (
      error instanceof DOMException &&
      (error.name === "TimeoutError" || error.name === "AbortError")
    ) {
      return new TimeoutError(
        method,
        path,
        options.timeoutMs ?? this.#timeoutMs,
        this.#route,
      );
    }
    if (error instanceof SyntaxError) {
      return new ResponseError(this.redactor.redact(this.#notJson(call, error)), { cause: error });
    }
    return new ConnectionError(method, path, { cause: error, ...this.#route });
  }
}

/** Where one {@linkcode Transport.call} stands: what it sent, for its errors and its drift check. */
class CallState {
  /** The method of the request sent (for messages). */
  method = "GET";
  /** The path of the request sent, e.g. `/api/user/profile` (for messages). */
  label = "/api";
  /** The full URL of the request sent. */
  url: string | undefined;
  /** The path template the typed client was called with, to find the response's schema. */
  template = "";
  /** Ends the request's timeout once its body is read. */
  releaseTimeout: (() => void) | undefined;
  /** Whether the call passed headers of its own to the typed client. */
  ownHeaders = false;
  /** The status of the response, once it arrived (its body is read by openapi-fetch). */
  status: number | undefined;
  /** The headers of the response, once it arrived. */
  headers: Headers | undefined;

  constructor(readonly options: RequestOptions) {}
}

/** The key under which a call's {@linkcode CallState} travels through openapi-fetch. */
const CALL: unique symbol = Symbol("swanlab-ts call");

/** What the typed client of one call is given as `init` (its own, plus the call). */
type CallInit = Record<string, unknown> & { [CALL]: CallState };

/**
 * What openapi-fetch builds in place of a `Request` (its `Request` option): the URL, method,
 * headers and body it serialized, and the call they belong to. openapi-fetch reads `method`
 * back; nothing else of a `Request` is used.
 */
class CallRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  readonly body: BodyInit | null;
  readonly call: CallState;

  constructor(url: string, init: RequestInit & { [CALL]?: CallState }) {
    const call = init[CALL];
    if (call === undefined) throw new TypeError("A request must be sent by Transport.call");
    this.url = url;
    this.method = init.method ?? "GET";
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.body = init.body ?? null;
    this.call = call;
  }
}

/**
 * The typed client a `send` function of {@linkcode Transport.call} receives: the transport's one
 * openapi-fetch client, with each request tied to the call (its options, its messages) and its
 * path template noted. It has the methods of the spec's operations (GET, POST, DELETE).
 */
class CallClient {
  readonly #client: ApiClient;
  readonly #call: CallState;

  constructor(client: ApiClient, call: CallState) {
    this.#client = client;
    this.#call = call;
  }

  GET(path: string, init?: Record<string, unknown>): Promise<FetchResult> {
    return this.#request("GET", path, init);
  }

  POST(path: string, init?: Record<string, unknown>): Promise<FetchResult> {
    return this.#request("POST", path, init);
  }

  DELETE(path: string, init?: Record<string, unknown>): Promise<FetchResult> {
    return this.#request("DELETE", path, init);
  }

  #request(method: string, path: string, init: Record<string, unknown> | undefined) {
    const call = this.#call;
    call.template = path;
    const params = init?.["params"] as { header?: unknown } | undefined;
    call.ownHeaders = init?.["headers"] !== undefined || params?.header !== undefined;
    const own: CallInit = { ...init, [CALL]: call };
    return (this.#client.request as (
      method: string,
      path: string,
      init: CallInit,
    ) => Promise<FetchResult>)(method, path, own);
  }
}

function retryAfter(response: Response): { retryAfterSeconds?: number } {
  const ms = parseRetryAfterMs(response.headers, Date.now());
  return ms === undefined ? {} : { retryAfterSeconds: ms / 1000 };
}

function validationMode(option: unknown, env: string | undefined): ValidationMode {
  if (option !== undefined) {
    if (typeof option === "string" && (["off", "warn", "error"] as unknown[]).includes(option)) {
      return option as ValidationMode;
    }
    throw new ValidationError(
      "validateResponses",
      `Cannot use validateResponses ${JSON.stringify(option)}: expected "off", "warn" or "error"`,
    );
  }
  if (env === undefined) return "off";
  const mode = parseValidationMode(env);
  if (mode === undefined) {
    throw new ValidationError(
      "SWANLAB_VALIDATE",
      `Cannot use SWANLAB_VALIDATE=${
        JSON.stringify(terminalText(env))
      }: expected "off", "warn" or "error"`,
    );
  }
  return mode;
}
