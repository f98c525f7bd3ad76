/**
 * The in-process login state set by `login()`: it outranks the environment and `.netrc` for every
 * client created afterwards in this process.
 *
 * @module
 */

/** Credentials remembered for this process. */
export interface LoginState {
  /** The API key. */
  apiKey: string;
  /** The normalized API host the key belongs to. */
  apiHost: string;
  /** The normalized web host. */
  webHost: string;
}

let state: LoginState | undefined;

/**
 * Remembers credentials for later clients in this process.
 *
 * @param next The credentials, or `undefined` to forget them.
 *
 * @example
 * ```ts
 * import { getLoginState, setLoginState } from "./login_state.ts";
 *
 * setLoginState({ apiKey: "K", apiHost: "https://api.swanlab.cn", webHost: "https://swanlab.cn" });
 * console.log(getLoginState()?.apiHost); // "https://api.swanlab.cn"
 * setLoginState(undefined);
 * ```
 */
export function setLoginState(next: LoginState | undefined): void {
  state = next === undefined ? undefined : Object.freeze({ ...next });
}

/**
 * The credentials remembered by `login()`, if any.
 *
 * @returns The state, or `undefined`.
 *
 * @example
 * ```ts
 * import { getLoginState } from "./login_state.ts";
 *
 * console.log(getLoginState() === undefined); // true unless login() ran
 * ```
 */
export function getLoginState(): LoginState | undefined {
  return state;
}
