/**
 * The `{ ok, errmsg, data }` envelope of the Python SDK's `ApiResponseType`.
 *
 * @module
 */

import { SwanLabError } from "./errors.ts";

/** A value that serializes itself to the Python SDK's dict shape. */
export interface JsonSerializable {
  /** Returns the Python-compatible JSON object. */
  json(): unknown;
}

/** The JSON form of an {@linkcode ApiResponse}, as the Python SDK and CLI print it. */
export interface ApiResponseJson {
  /** Whether the call succeeded. */
  ok: boolean;
  /** The error message; empty on success. */
  errmsg: string;
  /** The data; `null` on failure. */
  data: unknown;
}

function isSerializable(value: unknown): value is JsonSerializable {
  return typeof value === "object" && value !== null &&
    typeof (value as { json?: unknown }).json === "function";
}

/**
 * The result of a call that never throws: `ok` with `data`, or not `ok` with `errmsg`.
 *
 * The methods the Python documentation describes as returning `ApiResponseType`
 * (`exportLogs`, `exportCsv`, `createUser`, `getUsageSummary`) return this; everything else
 * throws typed errors.
 *
 * @example Handle both outcomes
 * ```ts
 * import { ApiResponse } from "./api_response.ts";
 *
 * const result = await ApiResponse.from(async () => ({ url: "https://example.com/x.log" }));
 * if (result.ok) console.log(result.data?.url);
 * else console.error(result.errmsg);
 * console.log(JSON.stringify(result.json())); // {"ok":true,"errmsg":"","data":{"url":"https://example.com/x.log"}}
 * ```
 */
export class ApiResponse<T> {
  /** Whether the call succeeded. */
  readonly ok: boolean;
  /** The error message; `""` on success. */
  readonly errmsg: string;
  /** The data; `null` on failure. */
  readonly data: T | null;
  /** The error behind a failure, for `instanceof` checks. */
  readonly error: SwanLabError | undefined;

  /**
   * Creates a response; prefer {@linkcode ApiResponse.success}, {@linkcode ApiResponse.failure}
   * or {@linkcode ApiResponse.from}.
   *
   * @param ok Whether the call succeeded.
   * @param errmsg The error message.
   * @param data The data.
   * @param error The error behind a failure.
   */
  constructor(ok: boolean, errmsg: string, data: T | null, error?: SwanLabError) {
    this.ok = ok;
    this.errmsg = errmsg;
    this.data = data;
    this.error = error;
  }

  /**
   * A successful response.
   *
   * @param data The data.
   * @returns `{ ok: true, errmsg: "", data }`.
   */
  static success<T>(data: T): ApiResponse<T> {
    return new ApiResponse(true, "", data);
  }

  /**
   * A failed response.
   *
   * @param error The failure; its message becomes `errmsg`.
   * @returns `{ ok: false, errmsg, data: null }`.
   */
  static failure<T>(error: unknown): ApiResponse<T> {
    const wrapped = error instanceof SwanLabError
      ? error
      : new SwanLabError(error instanceof Error ? error.message : String(error), { cause: error });
    return new ApiResponse<T>(false, wrapped.message, null, wrapped);
  }

  /**
   * Runs a call and wraps its outcome; never throws.
   *
   * @param call The call.
   * @returns Its data, or its error as `errmsg`.
   */
  static async from<T>(call: () => Promise<T>): Promise<ApiResponse<T>> {
    try {
      return ApiResponse.success(await call());
    } catch (error) {
      return ApiResponse.failure<T>(error);
    }
  }

  /**
   * The Python-compatible dict: `{ ok, errmsg, data }`, with `data.json()` applied when the data
   * serializes itself.
   *
   * @returns The JSON object.
   */
  json(): ApiResponseJson {
    return {
      ok: this.ok,
      errmsg: this.errmsg,
      data: isSerializable(this.data) ? this.data.json() : this.data ?? null,
    };
  }
}
