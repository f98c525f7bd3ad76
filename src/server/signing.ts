/**
 * HMAC-SHA256 presigned URLs for the storage origin.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Outcome of a signature check.
 *
 * @example Branch on it
 * ```ts
 * import type { SignatureCheck } from "./signing.ts";
 * const c: SignatureCheck = "expired";
 * ```
 */
export type SignatureCheck = "ok" | "expired" | "forged";

/**
 * Signs and verifies object URLs: `<origin>/<key>?X-Expires=<unix ms>&X-Signature=<hex>`.
 *
 * @example Sign then verify
 * ```ts
 * import { UrlSigner } from "./signing.ts";
 * const s = new UrlSigner("secret", "http://127.0.0.1:9000");
 * const url = new URL(s.sign("exports/a.csv", 60_000));
 * s.verify("exports/a.csv", url.searchParams.get("X-Expires"), url.searchParams.get("X-Signature")); // "ok"
 * ```
 */
export class UrlSigner {
  #secret: string;
  /** Storage origin, e.g. `http://127.0.0.1:54322`. */
  origin: string;

  /**
   * @param secret per-server secret
   * @param origin storage origin (may be set later, once the port is known)
   */
  constructor(secret: string, origin: string) {
    this.#secret = secret;
    this.origin = origin;
  }

  #mac(key: string, expires: string): string {
    return createHmac("sha256", this.#secret).update(`${key}\n${expires}`).digest("hex");
  }

  /**
   * Returns a presigned URL for `key`, valid for `ttlMs`.
   *
   * @param key object key (slash-separated)
   * @param ttlMs lifetime in milliseconds
   * @param now current epoch milliseconds
   */
  sign(key: string, ttlMs: number, now: number = Date.now()): string {
    const expires = String(Math.floor(now + ttlMs));
    const path = key.split("/").map(encodeURIComponent).join("/");
    return `${this.origin}/${path}?X-Expires=${expires}&X-Signature=${this.#mac(key, expires)}`;
  }

  /**
   * Checks a signature.
   *
   * @param key decoded object key
   * @param expires the `X-Expires` value
   * @param signature the `X-Signature` value
   * @param now current epoch milliseconds
   */
  verify(
    key: string,
    expires: string | null,
    signature: string | null,
    now: number = Date.now(),
  ): SignatureCheck {
    if (
      !expires || !signature || !/^\d{1,16}$/.test(expires) || !/^[0-9a-f]{64}$/.test(signature)
    ) {
      return "forged";
    }
    const expected = Buffer.from(this.#mac(key, expires), "hex");
    const given = Buffer.from(signature, "hex");
    if (!timingSafeEqual(expected, given)) return "forged";
    return Number(expires) < now ? "expired" : "ok";
  }
}
