/**
 * Where a client's API key and hosts come from.
 *
 * Precedence, highest first: explicit options, the in-process `login()` state, the environment
 * (`SWANLAB_API_KEY`, `SWANLAB_API_HOST`, `SWANLAB_WEB_HOST`), the SwanLab `.netrc`, the defaults.
 * Hosts are resolved first; a key is then taken only from a source whose host is the resolved API
 * host, so a key stored for one host is never sent to another (the Python SDK's `Api(host=…)` does
 * send it).
 *
 * @module
 */

import { CredentialsError, ValidationError } from "./errors.ts";
import { DEFAULT_API_HOST, normalizeHost, resolveHosts } from "./hosts.ts";
import { getLoginState } from "./login_state.ts";
import type { Env } from "./runtime.ts";

/**
 * `readNetrc` of `./netrc.ts`, whose module (and the atomic file writer it imports) is loaded on
 * first use: credentials that come from options or the environment read no `.netrc`, and their
 * commands skip loading it (with `idle_body.ts`, about 1.5 ms of the start-up of `user info`,
 * measured on the bench machine).
 */
const readNetrc: typeof import("./netrc.ts").readNetrc = async (env, cwd) =>
  await (await import("./netrc.ts")).readNetrc(env, cwd);

/** Where the API key was found. */
export type CredentialSource = "options" | "login" | "env" | "netrc";

/** The resolved credentials of a client. */
export interface ResolvedCredentials {
  /** The API key. */
  apiKey: string;
  /** The normalized API host. */
  apiHost: string;
  /** The normalized web host. */
  webHost: string;
  /** Where the key came from. */
  source: CredentialSource;
}

/** What {@linkcode resolveCredentials} reads. */
export interface CredentialInputs {
  /** An explicit API key. */
  apiKey?: string | undefined;
  /** An explicit API host. */
  host?: string | undefined;
  /** An explicit web host. */
  webHost?: string | undefined;
  /** The environment. */
  env: Env;
  /** The working directory for `./.swanlab/.netrc`. */
  cwd?: string | undefined;
}

/**
 * Reads an environment variable the way the SDK does: trimmed, one pair of matching surrounding
 * quotes removed, empty counts as unset.
 *
 * @param env The environment.
 * @param name The variable name.
 * @returns The cleaned value, or `undefined`.
 *
 * @example
 * ```ts
 * import { readEnv } from "./credentials.ts";
 *
 * readEnv({ SWANLAB_API_KEY: ` "abc" ` }, "SWANLAB_API_KEY"); // "abc"
 * ```
 */
export function readEnv(env: Env, name: string): string | undefined {
  let value = env[name];
  if (value === undefined) {
    const lower = name.toLowerCase();
    for (const [key, candidate] of Object.entries(env)) {
      if (key.toLowerCase() === lower) {
        value = candidate;
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  let text = value.trim();
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0]) {
    text = text.slice(1, -1).trim();
  }
  return text === "" ? undefined : text;
}

/**
 * Resolves a client's API key and hosts from options, `login()`, the environment and `.netrc`.
 *
 * @param inputs Explicit values and the environment to consult.
 * @returns The credentials to use.
 * @throws {CredentialsError} When no key is found for the resolved API host.
 * @throws {ValidationError} When a host is blank or unparsable.
 *
 * @example Explicit options win
 * ```ts
 * import { resolveCredentials } from "./credentials.ts";
 *
 * const credentials = await resolveCredentials({ apiKey: "K", host: "127.0.0.1:8000", env: {} });
 * console.log(credentials.apiHost); // "https://127.0.0.1:8000"
 * ```
 */
export async function resolveCredentials(inputs: CredentialInputs): Promise<ResolvedCredentials> {
  const env = inputs.env;
  if (inputs.apiKey !== undefined && typeof inputs.apiKey !== "string") {
    throw new ValidationError("apiKey", "Cannot use apiKey: expected a string");
  }
  const explicitKey = inputs.apiKey?.trim() || undefined;
  if (explicitKey !== undefined) checkApiKey(explicitKey, "options");
  const login = getLoginState();
  const envHost = readEnv(env, "SWANLAB_API_HOST");
  const envWeb = readEnv(env, "SWANLAB_WEB_HOST");
  const envKey = readEnv(env, "SWANLAB_API_KEY");

  // 1. Hosts: explicit > login > environment > .netrc > default.
  let apiHostInput = inputs.host;
  let webHostInput = inputs.webHost;
  if (apiHostInput === undefined && login) {
    apiHostInput = login.apiHost;
    webHostInput ??= login.webHost;
  }
  // An explicit host decides its own web host (as in the Python SDK): SWANLAB_WEB_HOST belongs
  // to the configured deployment, not to a host named in code or on the command line.
  if (inputs.host === undefined) webHostInput ??= envWeb;
  if (apiHostInput === undefined && envHost !== undefined) apiHostInput = envHost;
  // The .netrc files are read only when they can decide something: here the host, when no other
  // source names one; below the key, when no earlier source has one for the host (so a command
  // whose key and host come from the environment reads no file).
  const hostFromNetrc = apiHostInput === undefined;
  const netrcOfHost = hostFromNetrc ? await readNetrc(env, inputs.cwd) : undefined;
  if (netrcOfHost) {
    apiHostInput = netrcOfHost.entry.apiHost;
    webHostInput ??= netrcOfHost.entry.webHost;
  }
  const hosts = resolveHosts(apiHostInput, webHostInput);

  // 2. Key: explicit, else the first source whose host is the resolved API host.
  if (explicitKey !== undefined) return { apiKey: explicitKey, ...hosts, source: "options" };
  const sameHost = (host: string | undefined) =>
    resolveHosts(host ?? DEFAULT_API_HOST).apiHost === hosts.apiHost;
  if (login && sameHost(login.apiHost)) {
    return { apiKey: checkApiKey(login.apiKey, "login"), ...hosts, source: "login" };
  }
  if (
    envKey !== undefined && sameHost(envHost === undefined ? undefined : normalizeHost(envHost))
  ) {
    return { apiKey: checkApiKey(envKey, "env"), ...hosts, source: "env" };
  }
  const netrc = hostFromNetrc ? netrcOfHost : await readNetrc(env, inputs.cwd);
  if (netrc && sameHost(netrc.entry.apiHost)) {
    return {
      apiKey: checkApiKey(netrc.entry.apiKey, "netrc", netrc.path),
      ...hosts,
      source: "netrc",
    };
  }
  const elsewhere = [
    login && `the login() session (${login.apiHost})`,
    envKey !== undefined &&
    `SWANLAB_API_KEY (${envHost === undefined ? DEFAULT_API_HOST : normalizeHost(envHost)})`,
    netrc && `${netrc.path} (${netrc.entry.apiHost})`,
  ].filter(Boolean);
  throw new CredentialsError(
    elsewhere.length > 0
      ? `No API key found for ${hosts.apiHost}: the stored keys belong to other hosts (${
        elsewhere.join(", ")
      }); pass apiKey, or set SWANLAB_API_KEY with SWANLAB_API_HOST`
      : `No API key found for ${hosts.apiHost}: pass apiKey, set SWANLAB_API_KEY, or run "swanlab-ts login"`,
  );
}

// An API key travels in the `authorization` header, whose value must be visible ASCII: anything
// else (non-ASCII letters, control characters, inner spaces) makes the runtime's fetch throw
// before sending, which would otherwise surface as retries and a misleading "Cannot connect".
const HEADER_SAFE = /^[\x21-\x7e]+$/;

/**
 * Checks that an API key can be sent in an HTTP header (visible ASCII only). The key itself is
 * never part of the message.
 *
 * @param key The trimmed key.
 * @param source Where it came from.
 * @param path The `.netrc` path, for a key found there.
 * @returns The key.
 * @throws {ValidationError} (`apiKey`) for a key passed in options.
 * @throws {CredentialsError} For a key from `login()`, the environment or a `.netrc`.
 *
 * @example
 * ```ts
 * import { checkApiKey } from "./credentials.ts";
 *
 * checkApiKey("abc123", "options"); // "abc123"
 * ```
 */
export function checkApiKey(key: string, source: CredentialSource, path?: string): string {
  if (HEADER_SAFE.test(key)) return key;
  const index = [...key].findIndex((char) => !HEADER_SAFE.test(char));
  const char = [...key][index] ?? "";
  const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
  const why = `character ${index + 1} (${code}) cannot be sent in an HTTP header`;
  if (source === "options") {
    throw new ValidationError("apiKey", `Cannot use apiKey: ${why}`);
  }
  const where = source === "login"
    ? "the login() session"
    : source === "env"
    ? "SWANLAB_API_KEY"
    : path ?? ".netrc";
  throw new CredentialsError(`Cannot use the API key from ${where}: ${why}`);
}
