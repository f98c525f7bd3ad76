/**
 * {@linkcode User}: the logged-in user.
 *
 * @module
 */

import type { ClientOptions } from "../core/client_options.ts";
import type { RequestOptions } from "../core/request_options.ts";
import {
  checkObject,
  Context,
  deepFreeze,
  expectRecord,
  type JsonRecord,
  Lazy,
  sortKeys,
  str,
} from "./_lazy.ts";

/**
 * The logged-in user's data, as returned by {@linkcode User.load}: frozen. Missing and `null`
 * fields are `""`.
 *
 * @example Read the user synchronously
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const { username, email } = await api.user().load();
 * ```
 */
export interface UserSnapshot {
  /** The username (from the login). */
  readonly username: string;
  /** The display name (from the login). */
  readonly name: string;
  /** Short biography. */
  readonly bio: string;
  /** Institution or company. */
  readonly institution: string;
  /** School. */
  readonly school: string;
  /** Public e-mail address. */
  readonly email: string;
  /** Location. */
  readonly location: string;
  /** Personal web page. */
  readonly url: string;
}

/**
 * The JSON form of the user: the Python SDK's `User.json()` keys, in its order.
 *
 * @example A user
 * ```ts
 * import type { UserJson } from "./user.ts";
 *
 * const json: UserJson = {
 *   bio: "", email: "a@example.org", institution: "", location: "", name: "Alice", school: "",
 *   url: "", username: "alice",
 * };
 * ```
 */
export interface UserJson {
  /** Short biography. */
  bio: string;
  /** Public e-mail address. */
  email: string;
  /** Institution or company. */
  institution: string;
  /** Location. */
  location: string;
  /** Display name. */
  name: string;
  /** School. */
  school: string;
  /** Personal web page. */
  url: string;
  /** Username. */
  username: string;
}

let construct: (ctx: Context) => User;

/**
 * The logged-in user: `username` and `name` come from the login (no further request); the
 * profile fields load `GET /user/profile` once.
 *
 * @example Read the logged-in user
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const user = new Api().user();
 * console.log(await user.username, await user.email);
 * console.log(await user.json());
 * ```
 */
export class User {
  static {
    construct = (ctx) => new User(ctx);
  }

  #ctx: Context;
  #profile: Lazy<JsonRecord>;

  private constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#profile = new Lazy(async (options) => {
      const body = await ctx.call((api) => api.GET("/user/profile"), options);
      return expectRecord(body, "GET /api/user/profile");
    });
  }

  /** The username (from the login). */
  get username(): Promise<string> {
    return this.#ctx.transport().then((t) => t.session()).then((s) => s.username);
  }

  /** The display name (from the login; `""` when absent). */
  get name(): Promise<string> {
    return this.#ctx.transport().then((t) => t.session()).then((s) => s.name);
  }

  /** Short biography (`""` when absent). */
  get bio(): Promise<string> {
    return this.#field("bio");
  }

  /** Institution or company (`""` when absent). */
  get institution(): Promise<string> {
    return this.#field("institution");
  }

  /** School (`""` when absent). */
  get school(): Promise<string> {
    return this.#field("school");
  }

  /** Public e-mail address (`""` when absent). */
  get email(): Promise<string> {
    return this.#field("email");
  }

  /** Location (`""` when absent). */
  get location(): Promise<string> {
    return this.#field("location");
  }

  /** Personal web page (`""` when absent). */
  get url(): Promise<string> {
    return this.#field("url");
  }

  /**
   * Loads the profile (once) and returns a frozen snapshot.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns The snapshot.
   * @throws {AuthenticationError} When the API key is rejected.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read the username and e-mail
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const me = await api.user().load();
   * ```
   */
  async load(options: RequestOptions = {}): Promise<UserSnapshot> {
    const session = await (await this.#ctx.transport()).session();
    const profile = await this.#profile.get(options);
    return deepFreeze({
      username: session.username,
      name: session.name,
      bio: str(profile["bio"]),
      institution: str(profile["institution"]),
      school: str(profile["school"]),
      email: str(profile["email"]),
      location: str(profile["location"]),
      url: str(profile["url"]),
    });
  }

  /**
   * The Python SDK's `User.json()`: `{ bio, email, institution, location, name, school, url,
   * username }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print the user
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const data = await api.user().json();
   * ```
   */
  async json(options: RequestOptions = {}): Promise<UserJson> {
    const s = await this.load(options);
    return sortKeys({
      bio: s.bio,
      email: s.email,
      institution: s.institution,
      location: s.location,
      name: s.name,
      school: s.school,
      url: s.url,
      username: s.username,
    });
  }

  async #field(key: string): Promise<string> {
    return str((await this.#profile.get())[key]);
  }
}

/** @internal Creates the user entity. */
export function newUser(ctx: Context): User {
  return construct(ctx);
}

/**
 * @internal The user entity on a client of its own (`new Api(options).user()` without loading
 * the rest of the client), for the CLI's `user info`.
 */
export function standaloneUser(options: ClientOptions): User {
  checkObject("options", options);
  return construct(new Context(options));
}
