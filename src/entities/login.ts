/**
 * {@linkcode login} and {@linkcode logout}: remember an API key for this process (and
 * optionally in the SwanLab `.netrc`), like `swanlab.login()`.
 *
 * @module
 */

import type { ClientOptions } from "../core/client_options.ts";
import { ValidationError } from "../core/errors.ts";
import { setLoginState } from "../core/login_state.ts";
import { removeNetrc, writeNetrc } from "../core/netrc.ts";
import { processEnv } from "../core/runtime.ts";
import { Transport } from "../core/transport.ts";
import { checkObject } from "./_lazy.ts";

/**
 * Options of {@linkcode login}: the API key, the hosts, where to save it, and any client option
 * used for the verifying login request.
 *
 * @example Log in to a self-hosted server and save the key
 * ```ts
 * import type { LoginOptions } from "./login.ts";
 *
 * const options: LoginOptions = { apiKey: "KEY", host: "https://swanlab.example.com", save: true };
 * ```
 */
export interface LoginOptions extends Omit<ClientOptions, "apiKey"> {
  /** The API key to verify and remember. */
  apiKey: string;
  /**
   * Also write the SwanLab `.netrc` (mode 0600, replacing its entry): `true` writes
   * `<root>/.netrc` (root: `$SWANLAB_ROOT`, else `~/.swanlab`), `"local"` writes
   * `./.swanlab/.netrc` (with a `.gitignore`).
   * @default false
   */
  save?: boolean | "local";
}

/**
 * What {@linkcode login} verified.
 *
 * @example Read who logged in
 * ```ts
 * import { Api, login } from "@swanlab-ts/api";
 *
 * const { username, apiHost } = await login({ apiKey: "KEY" });
 * ```
 */
export interface LoginInfo {
  /** The logged-in user's username. */
  username: string;
  /** The logged-in user's display name. */
  name: string;
  /** The normalized API host the key belongs to. */
  apiHost: string;
  /** The normalized web host. */
  webHost: string;
  /** The `.netrc` file written, when `save` was set. */
  netrcPath?: string;
}

/**
 * Options of {@linkcode logout}.
 *
 * @example Also delete the saved key
 * ```ts
 * import type { LogoutOptions } from "./login.ts";
 *
 * const options: LogoutOptions = { removeNetrc: true };
 * ```
 */
export interface LogoutOptions {
  /**
   * Also delete the saved key: `true` removes `<root>/.netrc`, `"local"` removes
   * `./.swanlab/.netrc`.
   * @default false
   */
  removeNetrc?: boolean | "local";
  /**
   * The environment that locates `<root>` (`SWANLAB_ROOT`, `HOME`).
   * @default the process environment
   */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * The working directory, for `"local"`.
   * @default the process's working directory
   */
  cwd?: string;
}

/**
 * What {@linkcode logout} did.
 *
 * @example Check what was removed
 * ```ts
 * import { Api, logout } from "@swanlab-ts/api";
 *
 * const { removedNetrc } = await logout({ removeNetrc: true });
 * ```
 */
export interface LogoutInfo {
  /** The `.netrc` file removed, or `null` (none asked for, or none existed). */
  removedNetrc: string | null;
}

/**
 * Verifies an API key by logging in, then remembers it for every client created afterwards in
 * this process (it outranks `SWANLAB_API_KEY` and `.netrc`; explicit `apiKey`/`host` options of
 * `new Api()` still win). With `save`, also writes the SwanLab `.netrc` so that other processes
 * (and the Python SDK) find it.
 *
 * @param options The API key, hosts and `save`.
 * @returns The user and hosts the key belongs to.
 * @throws {ValidationError} For a blank key or invalid host (before any request).
 * @throws {AuthenticationError} When the server rejects the key (nothing is remembered).
 * @throws {ConnectionError} When the server cannot be reached.
 *
 * @example Log in, then use the API
 * ```ts
 * import { Api, login } from "@swanlab-ts/api";
 *
 * const me = await login({ apiKey: Deno.env.get("MY_KEY")!, host: "https://swanlab.example.com" });
 * console.log(`logged in as ${me.username}`);
 * const api = new Api(); // uses the key above
 * ```
 */
export async function login(options: LoginOptions): Promise<LoginInfo> {
  checkObject("options", options);
  const apiKey = typeof options.apiKey === "string" ? options.apiKey.trim() : "";
  if (apiKey === "") {
    throw new ValidationError("apiKey", "Cannot log in: apiKey is empty");
  }
  const save = options.save ?? false;
  if (save !== true && save !== false && save !== "local") {
    throw new ValidationError("save", 'Cannot parse save: expected true, false or "local"');
  }
  const env = options.env ?? processEnv();
  const { save: _save, ...clientOptions } = options;
  const transport = await Transport.create({ ...clientOptions, apiKey, env });
  const session = await transport.session();
  const info: LoginInfo = {
    username: session.username,
    name: session.name,
    apiHost: transport.apiHost,
    webHost: transport.webHost,
  };
  if (save !== false) {
    info.netrcPath = await writeNetrc(
      { apiHost: transport.apiHost, webHost: transport.webHost, apiKey },
      {
        local: save === "local",
        env,
        ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      },
    );
  }
  setLoginState({ apiKey, apiHost: transport.apiHost, webHost: transport.webHost });
  return info;
}

/**
 * Forgets the key remembered by {@linkcode login} in this process, and with `removeNetrc` also
 * deletes the saved `.netrc`.
 *
 * @param options `removeNetrc`, and the `env`/`cwd` that locate it.
 * @returns The file removed, if any.
 * @throws {SwanLabError} When the `.netrc` exists but cannot be removed.
 *
 * @example Log out and delete the saved key
 * ```ts
 * import { logout } from "@swanlab-ts/api";
 *
 * await logout({ removeNetrc: true });
 * ```
 */
export async function logout(options: LogoutOptions = {}): Promise<LogoutInfo> {
  checkObject("options", options);
  const remove = options.removeNetrc ?? false;
  if (remove !== true && remove !== false && remove !== "local") {
    throw new ValidationError(
      "removeNetrc",
      'Cannot parse removeNetrc: expected true, false or "local"',
    );
  }
  setLoginState(undefined);
  if (remove === false) return { removedNetrc: null };
  const removed = await removeNetrc({
    local: remove === "local",
    env: options.env ?? processEnv(),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  return { removedNetrc: removed ?? null };
}
