/**
 * Why a request got no response, in a few words: the innermost cause a runtime's `fetch` gives
 * (Deno: `tcp connect error: Connection refused (os error 111)`, Node: `connect ECONNREFUSED
 * 127.0.0.1:8000`, Bun: `ECONNREFUSED: Unable to connect. …`), without the request URL the
 * runtime wraps it in, URL signatures or proxy passwords; and a hint for the usual mistake behind
 * a TLS failure (an `https` request to a server that speaks `http`).
 *
 * @module
 */

import { redactUrl } from "./redact.ts";

/** Deno's wrapper around the reason: `error sending request for url (…): client error (Connect): `. */
const DENO_WRAPPER =
  /^(?:error sending request for url \([^)]*\):\s*)?(?:client error \(\w+\):\s*)?/;

/** A URL within a message (up to whitespace or a closing bracket). */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s)\]>"']+/gi;

/** Messages that say only that `fetch` failed, not why. */
const UNINFORMATIVE = new Set(["fetch failed", "failed to fetch", "network error", "terminated"]);

/** The longest reason kept; a longer one is cut with `…`. */
const MAX_LENGTH = 200;

/**
 * The reason a request failed without a response, from the error `fetch` threw: the message of
 * its innermost cause, with Deno's wrapper removed, URLs redacted ({@linkcode redactUrl}),
 * whitespace collapsed and at most 200 characters; the error's `code` is added when the message
 * lacks it (or replaces a message too long to be read).
 *
 * @param error What `fetch` threw (any value).
 * @returns The reason, or `undefined` when the error says nothing beyond "fetch failed".
 *
 * @example Deno and Node failures
 * ```ts
 * import { networkReason } from "./network_reason.ts";
 *
 * const deno = new TypeError("error sending request for url (http://h:1/x): client error (Connect): tcp connect error: Connection refused (os error 111)");
 * networkReason(deno); // "tcp connect error: Connection refused (os error 111)"
 * const node = new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND h"), { code: "ENOTFOUND" }) });
 * networkReason(node); // "getaddrinfo ENOTFOUND h"
 * networkReason(new TypeError("fetch failed")); // undefined
 * ```
 */
export function networkReason(error: unknown): string | undefined {
  // The innermost cause that has something to say (runtimes nest the socket error once or twice).
  let reason: string | undefined;
  let at: unknown = error;
  for (let depth = 0; depth < 5 && at !== undefined && at !== null; depth++) {
    const text = describe(at);
    if (text !== undefined) reason = text;
    at = at instanceof Error ? at.cause : undefined;
  }
  return reason;
}

/** One error's own reason, or `undefined` when it has none worth showing. */
function describe(error: unknown): string | undefined {
  const raw = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  let text = raw.replace(/\s+/g, " ").trim().replace(DENO_WRAPPER, "");
  text = text.replace(URL_IN_TEXT, (url) => redactUrl(url));
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code !== "" && !text.includes(code)) {
    text = text.length > 120 || text === "" ? code : `${text} (${code})`;
  }
  if (text === "" || UNINFORMATIVE.has(text.toLowerCase())) return undefined;
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
}

/** How runtimes report a TLS handshake with a server that answered in plain HTTP. */
const PLAIN_HTTP_ANSWER =
  /corrupt message|wrong version number|WRONG_VERSION_NUMBER|EPROTO|TLS handshake/i;

/**
 * A hint for an `https` request whose TLS handshake got a plain HTTP answer: the server most
 * likely speaks `http` (a host written without a scheme is read as `https`, as in the Python SDK).
 *
 * @param origin Where the request went, e.g. `https://127.0.0.1:8000`.
 * @param reason The {@linkcode networkReason} of its failure.
 * @returns The hint, as a sentence, or `undefined` when the failure is of another kind.
 *
 * @example
 * ```ts
 * import { plainHttpHint } from "./network_reason.ts";
 *
 * plainHttpHint("https://127.0.0.1:8000", "received corrupt message of type InvalidContentType");
 * // "Does the server speak http? Write the host as http://127.0.0.1:8000 (a host without a scheme is read as https)."
 * ```
 */
export function plainHttpHint(
  origin: string | undefined,
  reason: string | undefined,
): string | undefined {
  if (origin === undefined || reason === undefined || !origin.startsWith("https://")) {
    return undefined;
  }
  if (!PLAIN_HTTP_ANSWER.test(reason)) return undefined;
  return `Does the server speak http? Write the host as http://${
    origin.slice("https://".length)
  } (a host without a scheme is read as https).`;
}
