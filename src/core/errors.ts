/**
 * The error classes thrown by swanlab-ts.
 *
 * Every failure is a {@linkcode SwanLabError}; callers branch with `instanceof`, never on message
 * text. HTTP failures are {@linkcode ApiError}s picked per status by {@linkcode ApiError.from};
 * failures without a response are {@linkcode ConnectionError}s; bad input is rejected before any
 * request with a {@linkcode ValidationError} naming the field.
 *
 * @module
 */

import { networkReason, plainHttpHint } from "./network_reason.ts";

/**
 * The base class of every error thrown by swanlab-ts.
 *
 * @example Catch anything the client throws
 * ```ts
 * import { SwanLabError } from "./errors.ts";
 *
 * try {
 *   throw new SwanLabError("Cannot load run");
 * } catch (error) {
 *   if (error instanceof SwanLabError) console.error(error.message);
 * }
 * ```
 */
export class SwanLabError extends Error {
  /**
   * Creates an error.
   *
   * @param message What failed, in sentence case without a trailing period.
   * @param options Standard error options; `cause` keeps the underlying failure.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SwanLabError";
  }
}

/**
 * Bad input, rejected before any request is sent.
 *
 * @example Report which field was wrong
 * ```ts
 * import { ValidationError } from "./errors.ts";
 *
 * const error = new ValidationError("path", 'Cannot parse path "a": expected 3 segments');
 * console.log(error.field); // "path"
 * ```
 */
export class ValidationError extends SwanLabError {
  /** The name of the parameter or field that was rejected, e.g. `"rangeQuery.start"`. */
  readonly field: string;

  /**
   * Creates a validation error.
   *
   * @param field The parameter or field that was rejected.
   * @param message What is wrong with it, naming the value.
   */
  constructor(field: string, message: string) {
    super(message);
    this.name = "ValidationError";
    this.field = field;
  }
}

/**
 * No usable credentials: no API key was found, or the only stored key belongs to another host.
 *
 * @example
 * ```ts
 * import { CredentialsError } from "./errors.ts";
 *
 * const error = new CredentialsError("No API key found: pass apiKey or set SWANLAB_API_KEY");
 * console.log(error instanceof CredentialsError); // true
 * ```
 */
export class CredentialsError extends SwanLabError {
  /**
   * Creates a credentials error.
   *
   * @param message What is missing and how to provide it.
   */
  constructor(message: string) {
    super(message);
    this.name = "CredentialsError";
  }
}

/** The details of an HTTP failure, as passed to {@linkcode ApiError.from}. */
export interface ApiErrorDetails {
  /** The HTTP status code. */
  status: number;
  /** The server's error code (`code` of the body, else the HTTP status), as a string. */
  code: string;
  /** The server's error message (`message` of the body, else the status text). */
  serverMessage: string;
  /** The `traceid` response header, or `"unknown"`. */
  traceId: string;
  /** The HTTP method. */
  method: string;
  /** The request path without host or query, e.g. `/api/project/alice/proj`. */
  path: string;
  /** Seconds the server asked to wait (`Retry-After`), when it said. */
  retryAfterSeconds?: number;
  /**
   * The full request URL for the message (signatures redacted); the message names `path` when
   * absent.
   */
  url?: string;
}

/**
 * The server answered with an HTTP error status (>= 400).
 *
 * The message has the Python SDK's wording (`API Request Failed: [code] message | Trace ID: …
 * | METHOD url`) and never contains credentials or URL signatures.
 *
 * @example Inspect a failed request
 * ```ts
 * import { ApiError, NotFoundError } from "./errors.ts";
 *
 * const error = ApiError.from({
 *   status: 404,
 *   code: "404",
 *   serverMessage: "run not found",
 *   traceId: "tr-1",
 *   method: "GET",
 *   path: "/api/project/alice/proj/runs/x",
 * });
 * console.log(error instanceof NotFoundError, error.status, error.traceId); // true 404 "tr-1"
 * ```
 */
export class ApiError extends SwanLabError {
  /** The HTTP status code. */
  readonly status: number;
  /** The server's error code as a string (the HTTP status when the body had none). */
  readonly code: string;
  /** The server's own message (the HTTP status text when the body had none). */
  readonly serverMessage: string;
  /** The `traceid` response header, or `"unknown"`: quote it when reporting a server problem. */
  readonly traceId: string;
  /** The HTTP method of the failed request. */
  readonly method: string;
  /** The path of the failed request, without host and query. */
  readonly path: string;

  /**
   * Creates an API error; prefer {@linkcode ApiError.from}, which picks the subclass.
   *
   * @param details The status, server code and message, trace id, method and path.
   */
  constructor(details: ApiErrorDetails) {
    super(
      `API Request Failed: [${details.code}] ${details.serverMessage} | Trace ID: ${details.traceId} | ${details.method} ${
        details.url ?? details.path
      }`,
    );
    this.name = "ApiError";
    this.status = details.status;
    this.code = details.code;
    this.serverMessage = details.serverMessage;
    this.traceId = details.traceId;
    this.method = details.method;
    this.path = details.path;
  }

  /**
   * Builds the error class that fits the status: 400 {@linkcode BadRequestError}, 401
   * {@linkcode AuthenticationError}, 403 {@linkcode PermissionDeniedError}, 404
   * {@linkcode NotFoundError}, 409 {@linkcode ConflictError}, 429 {@linkcode RateLimitError},
   * 5xx {@linkcode InternalServerError}, otherwise a plain {@linkcode ApiError}.
   *
   * @param details The failure's details.
   * @returns The most specific error for the status.
   *
   * @example
   * ```ts
   * import { ApiError, RateLimitError } from "./errors.ts";
   *
   * const error = ApiError.from({
   *   status: 429, code: "429", serverMessage: "slow down", traceId: "t",
   *   method: "GET", path: "/api/user/profile", retryAfterSeconds: 2,
   * });
   * console.log(error instanceof RateLimitError); // true
   * ```
   */
  static from(details: ApiErrorDetails): ApiError {
    const status = details.status;
    if (status === 400) return new BadRequestError(details);
    if (status === 401) return new AuthenticationError(details);
    if (status === 403) return new PermissionDeniedError(details);
    if (status === 404) return new NotFoundError(details);
    if (status === 409) return new ConflictError(details);
    if (status === 429) return new RateLimitError(details);
    if (status >= 500) return new InternalServerError(details);
    return new ApiError(details);
  }
}

/**
 * HTTP 400: the server rejected the request's parameters.
 *
 * @example
 * ```ts
 * import { BadRequestError } from "./errors.ts";
 *
 * const error = new BadRequestError({
 *   status: 400, code: "4001", serverMessage: "Invalid Params", traceId: "t",
 *   method: "POST", path: "/api/project",
 * });
 * console.log(error.code); // "4001"
 * ```
 */
export class BadRequestError extends ApiError {
  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "BadRequestError";
  }
}

/**
 * HTTP 401: the API key was rejected, or the session expired and logging in again failed.
 *
 * @example
 * ```ts
 * import { AuthenticationError } from "./errors.ts";
 *
 * const error = new AuthenticationError({
 *   status: 401, code: "1001", serverMessage: "API Token Invalid", traceId: "t",
 *   method: "POST", path: "/api/login/api_key",
 * });
 * console.log(error.status); // 401
 * ```
 */
export class AuthenticationError extends ApiError {
  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "AuthenticationError";
  }
}

/**
 * HTTP 403: the logged-in user may not do this (for example a self-hosted admin call by a
 * non-root user).
 *
 * @example
 * ```ts
 * import { PermissionDeniedError } from "./errors.ts";
 *
 * const error = new PermissionDeniedError({
 *   status: 403, code: "403", serverMessage: "root only", traceId: "t",
 *   method: "GET", path: "/api/self_hosted/users",
 * });
 * console.log(error.name); // "PermissionDeniedError"
 * ```
 */
export class PermissionDeniedError extends ApiError {
  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "PermissionDeniedError";
  }
}

/**
 * HTTP 404: the workspace, project, run or object does not exist, or is private to others.
 *
 * @example
 * ```ts
 * import { NotFoundError } from "./errors.ts";
 *
 * const error = new NotFoundError({
 *   status: 404, code: "404", serverMessage: "run not found", traceId: "t",
 *   method: "GET", path: "/api/project/a/b/runs/c",
 * });
 * console.log(error.serverMessage); // "run not found"
 * ```
 */
export class NotFoundError extends ApiError {
  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "NotFoundError";
  }
}

/**
 * HTTP 409: the resource already exists (for example a project name that is taken).
 *
 * @example
 * ```ts
 * import { ConflictError } from "./errors.ts";
 *
 * const error = new ConflictError({
 *   status: 409, code: "409", serverMessage: "project exists", traceId: "t",
 *   method: "POST", path: "/api/project",
 * });
 * console.log(error.status); // 409
 * ```
 */
export class ConflictError extends ApiError {
  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "ConflictError";
  }
}

/**
 * HTTP 429: too many requests, after the retries were spent.
 *
 * @example
 * ```ts
 * import { RateLimitError } from "./errors.ts";
 *
 * const error = new RateLimitError({
 *   status: 429, code: "429", serverMessage: "slow down", traceId: "t",
 *   method: "GET", path: "/api/user/profile", retryAfterSeconds: 3,
 * });
 * console.log(error.retryAfterSeconds); // 3
 * ```
 */
export class RateLimitError extends ApiError {
  /** Seconds the server asked to wait before the next attempt, when it said. */
  readonly retryAfterSeconds: number | undefined;

  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "RateLimitError";
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/**
 * HTTP 5xx: the server failed, after the retries were spent.
 *
 * @example
 * ```ts
 * import { InternalServerError } from "./errors.ts";
 *
 * const error = new InternalServerError({
 *   status: 503, code: "unknown code", serverMessage: "unknown error", traceId: "unknown",
 *   method: "GET", path: "/api/user/profile",
 * });
 * console.log(error.status); // 503
 * ```
 */
export class InternalServerError extends ApiError {
  /**
   * Creates the error.
   *
   * @param details The failure's details.
   */
  constructor(details: ApiErrorDetails) {
    super(details);
    this.name = "InternalServerError";
  }
}

/** Where a request went, named in the messages of connection and timeout errors. */
export interface RequestRoute {
  /** The server: scheme, host and port, e.g. `https://api.swanlab.cn`. */
  origin?: string | undefined;
  /** The proxy the request went through (credentials hidden), if any. */
  proxy?: string | undefined;
}

/** Options of a {@linkcode ConnectionError}: its cause and where the request went. */
export interface ConnectionErrorOptions extends ErrorOptions, RequestRoute {}

/**
 * No HTTP response: the connection failed or broke, after the retries were spent. The message
 * names the host when it is known and the runtime's reason ({@linkcode networkReason}).
 *
 * @example
 * ```ts
 * import { ConnectionError } from "./errors.ts";
 *
 * const cause = new TypeError("connection reset");
 * const error = new ConnectionError("GET", "/api/user/profile", { cause, origin: "http://h:8000" });
 * console.log(error.message); // "Cannot connect to http://h:8000: GET /api/user/profile (connection reset)"
 * ```
 */
export class ConnectionError extends SwanLabError {
  /** The HTTP method of the failed request. */
  readonly method: string;
  /** The path (or redacted URL) of the failed request. */
  readonly path: string;

  /**
   * Creates a connection error.
   *
   * @param method The HTTP method.
   * @param path The request path, or a URL with its secrets redacted.
   * @param options `cause` keeps the underlying network error (its reason goes into the
   *   message); `origin` and `proxy` say where the request went.
   * @param message Overrides the default message.
   */
  constructor(
    method: string,
    path: string,
    options?: ConnectionErrorOptions,
    message?: string,
  ) {
    super(message ?? connectionMessage(method, path, options), options);
    this.name = "ConnectionError";
    this.method = method;
    this.path = path;
  }
}

/** ` to <origin>[ through the proxy <proxy>]`, or nothing when the origin is unknown. */
function routeText(route: RequestRoute | undefined): string {
  if (route?.origin === undefined) return "";
  const proxy = route.proxy === undefined ? "" : ` through the proxy ${route.proxy}`;
  return ` to ${route.origin}${proxy}`;
}

function connectionMessage(
  method: string,
  path: string,
  options: ConnectionErrorOptions | undefined,
): string {
  const to = routeText(options);
  const reason = options?.cause === undefined ? undefined : networkReason(options.cause);
  const hint = plainHttpHint(options?.origin, reason);
  return `Cannot connect${to}: ${method} ${path}${reason === undefined ? "" : ` (${reason})`}${
    hint === undefined ? "" : `. ${hint}`
  }`;
}

/**
 * The request did not complete within its timeout.
 *
 * @example
 * ```ts
 * import { ConnectionError, TimeoutError } from "./errors.ts";
 *
 * const error = new TimeoutError("GET", "/api/user/profile", 60_000);
 * console.log(error instanceof ConnectionError, error.timeoutMs); // true 60000
 * ```
 */
export class TimeoutError extends ConnectionError {
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * Creates a timeout error.
   *
   * @param method The HTTP method.
   * @param path The request path, or a URL with its secrets redacted.
   * @param timeoutMs The timeout that was exceeded, in milliseconds.
   * @param route Where the request went, named in the message.
   */
  constructor(method: string, path: string, timeoutMs: number, route?: RequestRoute) {
    const to = routeText(route);
    super(
      method,
      path,
      undefined,
      `Request${to} timed out after ${timeoutMs} ms: ${method} ${path}`,
    );
    this.name = "TimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The caller aborted the request through its `AbortSignal`.
 *
 * @example
 * ```ts
 * import { AbortError } from "./errors.ts";
 *
 * const error = new AbortError("GET", "/api/user/profile");
 * console.log(error.message); // "Request aborted: GET /api/user/profile"
 * ```
 */
export class AbortError extends SwanLabError {
  /**
   * Creates an abort error.
   *
   * @param method The HTTP method.
   * @param path The request path.
   * @param options `cause` keeps the abort reason.
   */
  constructor(method: string, path: string, options?: ErrorOptions) {
    super(`Request aborted: ${method} ${path}`, options);
    this.name = "AbortError";
  }
}

/**
 * A response arrived but cannot be used: a body that is not the JSON the operation promises,
 * a download shorter than announced, a CSV row cut in the middle.
 *
 * @example
 * ```ts
 * import { ResponseError } from "./errors.ts";
 *
 * const error = new ResponseError("Cannot parse response of GET /api/user/profile: not JSON");
 * console.log(error.name); // "ResponseError"
 * ```
 */
export class ResponseError extends SwanLabError {
  /**
   * Creates a response error.
   *
   * @param message What is wrong with the response.
   * @param options `cause` keeps the underlying failure.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResponseError";
  }
}
