/**
 * Private: openapi-fetch's `createClient`, without waking Deno's Node compatibility layer.
 *
 * Why: `createClient` asks `typeof process === "object"` (to pass undici options on Node). On
 * Deno the global `process` is a lazy getter that initializes the whole Node compatibility layer
 * on first read: about 25 ms of start-up, measured on the bench machine (`deno run` of a script
 * that only reads `typeof process`: 82 ms against 57 ms for an empty one), paid by every command
 * and by the first call of every script. On Deno the answer of that check is the same either way
 * (Deno's `process.versions` has no `undici`), so while `createClient` runs, and only then, the
 * getter is replaced by `undefined`; its own descriptor is put back before anything else can run
 * (the call is synchronous). Node and Bun, and a Deno process whose `process` is already a plain
 * value, call `createClient` unchanged.
 *
 * @module
 */

import createClient, { type Client, type ClientOptions } from "openapi-fetch";

/**
 * Creates the openapi-fetch client of a transport.
 *
 * @param options openapi-fetch's options.
 * @returns The client, exactly as `createClient(options)` makes it.
 *
 * @example
 * ```ts ignore
 * const client = createApiClient<paths>({ baseUrl: "https://api.swanlab.cn/api" });
 * ```
 */
// deno-lint-ignore ban-types -- openapi-fetch's own constraint on the paths type
export function createApiClient<Paths extends {}>(options: ClientOptions): Client<Paths> {
  const lazyProcess = "Deno" in globalThis
    ? Object.getOwnPropertyDescriptor(globalThis, "process")
    : undefined;
  if (lazyProcess?.get === undefined || lazyProcess.configurable !== true) {
    return createClient<Paths>(options);
  }
  Object.defineProperty(globalThis, "process", {
    value: undefined,
    configurable: true,
    enumerable: lazyProcess.enumerable ?? false,
    writable: true,
  });
  try {
    return createClient<Paths>(options);
  } finally {
    Object.defineProperty(globalThis, "process", lazyProcess);
  }
}
