/**
 * Host normalization and API → web host derivation, as the SwanLab SDK does it, with IPv6 hosts
 * fixed.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";

/** The official SwanLab cloud API host. */
export const DEFAULT_API_HOST = "https://api.swanlab.cn";
/** The official SwanLab cloud web host. */
export const DEFAULT_WEB_HOST = "https://swanlab.cn";

/**
 * Normalizes a host to `scheme://hostname[:port]`.
 *
 * Whitespace is trimmed; the scheme defaults to `https`; path, query, fragment and user info are
 * dropped; the hostname is lower-cased. IPv6 literals keep their brackets (`http://[::1]:8000`),
 * which the Python SDK loses.
 *
 * @param host The host as given by a user, an environment variable or a `.netrc` file.
 * @param field The name to report in a {@linkcode ValidationError}.
 * @returns The normalized host.
 * @throws {ValidationError} When the host is blank or has no parsable hostname.
 *
 * @example Normalize a self-hosted address
 * ```ts
 * import { normalizeHost } from "./hosts.ts";
 *
 * normalizeHost("My.Host.COM:8443/x?y#z"); // "https://my.host.com:8443"
 * normalizeHost("http://[::1]:8000/api"); // "http://[::1]:8000"
 * ```
 */
export function normalizeHost(host: string, field = "host"): string {
  const trimmed = host.trim();
  if (trimmed === "") {
    throw new ValidationError(field, "Cannot use host: it is empty or whitespace");
  }
  const withScheme = trimmed.includes("://") ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ValidationError(field, `Cannot parse host "${trimmed}": not a valid URL`);
  }
  if (url.hostname === "") {
    throw new ValidationError(field, `Cannot parse host "${trimmed}": no hostname`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ValidationError(
      field,
      `Cannot use host "${trimmed}": the scheme must be http or https`,
    );
  }
  // URL.host keeps IPv6 brackets and drops the default port for the scheme.
  return `${url.protocol}//${url.host.toLowerCase()}`;
}

/** The API and web hosts of one SwanLab deployment. */
export interface Hosts {
  /** The API host, e.g. `https://api.swanlab.cn`; requests go to `{apiHost}/api/...`. */
  apiHost: string;
  /** The web host used to build browser URLs, e.g. `https://swanlab.cn`. */
  webHost: string;
}

function isOfficial(host: string): boolean {
  const bare = host.replace(/^https?:\/\//, "");
  return bare === "api.swanlab.cn" || bare === "swanlab.cn";
}

/**
 * Derives both hosts from what was given, following the SDK's rules: the official API host maps to
 * the official web host; a self-hosted API host serves the web pages too; a web host alone means
 * the cloud API.
 *
 * @param apiHost The API host, when given (normalized here).
 * @param webHost The web host, when given (normalized here).
 * @returns Both hosts.
 * @throws {ValidationError} When a given host is blank or unparsable.
 *
 * @example
 * ```ts
 * import { resolveHosts } from "./hosts.ts";
 *
 * resolveHosts("http://api.swanlab.cn"); // { apiHost: "https://api.swanlab.cn", webHost: "https://swanlab.cn" }
 * resolveHosts("http://10.0.0.1:8000"); // { apiHost: "http://10.0.0.1:8000", webHost: "http://10.0.0.1:8000" }
 * ```
 */
export function resolveHosts(apiHost?: string, webHost?: string): Hosts {
  const api = apiHost === undefined ? undefined : normalizeHost(apiHost, "host");
  const web = webHost === undefined ? undefined : normalizeHost(webHost, "webHost");
  const officialApi = api !== undefined && api.replace(/^https?:\/\//, "") === "api.swanlab.cn";
  const resolvedApi = api === undefined ? DEFAULT_API_HOST : officialApi ? DEFAULT_API_HOST : api;
  let resolvedWeb: string;
  if (web !== undefined) {
    resolvedWeb = isOfficial(web) ? DEFAULT_WEB_HOST : web;
  } else if (api === undefined || officialApi) {
    resolvedWeb = DEFAULT_WEB_HOST;
  } else {
    resolvedWeb = resolvedApi;
  }
  return { apiHost: resolvedApi, webHost: resolvedWeb };
}
