/**
 * Keeps secrets out of messages and logs: API keys, session ids and URL signatures.
 *
 * @module
 */

// Query parameters that carry a credential in presigned URLs of S3, COS, OSS, GCS, Azure and
// CloudFront: matched by substring, so vendor prefixes (x-amz-, x-oss-, x-goog-, q-) are covered.
const SIGNATURE_PARAM =
  /(signature|credential|token|^sig$|^sign$|^policy$|key-pair-id|accesskeyid)/i;

/**
 * Replaces the values of signature-like query parameters of a URL with `REDACTED`.
 *
 * @param url An absolute URL (a relative one is returned unchanged).
 * @returns The URL without its signatures.
 *
 * @example
 * ```ts
 * import { redactUrl } from "./redact.ts";
 *
 * redactUrl("http://s/a.csv?X-Expires=1&X-Signature=abc"); // "http://s/a.csv?X-Expires=1&X-Signature=REDACTED"
 * ```
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const name of [...parsed.searchParams.keys()]) {
    if (SIGNATURE_PARAM.test(name)) {
      parsed.searchParams.set(name, "REDACTED");
      changed = true;
    }
  }
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
    changed = true;
  }
  return changed ? parsed.toString() : url;
}

/**
 * Replaces every registered secret in a text with `***`.
 *
 * @example
 * ```ts
 * import { SecretRedactor } from "./redact.ts";
 *
 * const redactor = new SecretRedactor();
 * redactor.add("sk-123456");
 * redactor.redact("key sk-123456 rejected"); // "key *** rejected"
 * ```
 */
export class SecretRedactor {
  #secrets = new Set<string>();

  /**
   * Registers a secret; values shorter than 4 characters are ignored to avoid mangling text.
   *
   * @param secret The secret to hide.
   */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 4) this.#secrets.add(secret);
  }

  /**
   * Hides every registered secret and every URL signature in a text.
   *
   * @param text The text to clean.
   * @returns The text without secrets.
   */
  redact(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.split(secret).join("***");
    return result.replace(/https?:\/\/[^\s"'<>]+/g, (url) => redactUrl(url));
  }
}
