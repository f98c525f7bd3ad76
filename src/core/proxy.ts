/**
 * HTTP proxies from the environment: `HTTPS_PROXY` for https URLs, `HTTP_PROXY` for http URLs
 * (lower-case names win, as in curl and Python's `requests`), `NO_PROXY` for the hosts that are
 * reached directly. Applied to API calls and presigned downloads alike.
 *
 * Each runtime is told explicitly, so that the environment a client was given (`ClientOptions.env`)
 * decides, not only the process's: Deno gets an HTTP client with the proxy
 * (`Deno.createHttpClient`), Bun the `proxy` option of its `fetch`, and Node.js, whose `fetch`
 * ignores proxy variables, undici's `ProxyAgent` (the library behind Node's own `fetch`; it
 * tunnels with `CONNECT`). Deno and Bun also honour these variables natively when they are set
 * in the process environment.
 *
 * @module
 */

import type { Env } from "./runtime.ts";

/**
 * The proxy chosen for one URL.
 *
 * @example
 * ```ts
 * import type { ProxyChoice } from "./proxy.ts";
 *
 * const choice: ProxyChoice = { url: "http://proxy.internal:3128", variable: "HTTPS_PROXY" };
 * ```
 */
export interface ProxyChoice {
  /** The proxy URL, e.g. `http://proxy.internal:3128` (user info kept: needed to authenticate). */
  url: string;
  /** The variable it came from, e.g. `HTTPS_PROXY`. */
  variable: string;
}

function lookup(env: Env, name: string): { value: string; variable: string } | undefined {
  for (const variable of [name.toLowerCase(), name]) {
    const value = env[variable]?.trim();
    if (value) return { value, variable };
  }
  return undefined;
}

/**
 * The proxy a request to `url` goes through, according to `env`.
 *
 * @param url The request's URL (http or https).
 * @param env The environment (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, or lower-case).
 * @returns The proxy, or `undefined` for a direct connection.
 *
 * @example
 * ```ts
 * import { proxyFor } from "./proxy.ts";
 *
 * const env = { HTTPS_PROXY: "proxy:3128", NO_PROXY: ".internal" };
 * proxyFor("https://api.swanlab.cn/api/user/profile", env)?.url; // "http://proxy:3128"
 * proxyFor("https://swanlab.internal/api", env); // undefined
 * ```
 */
export function proxyFor(url: string | URL, env: Env): ProxyChoice | undefined {
  const target = new URL(url);
  const scheme = target.protocol === "https:"
    ? "HTTPS_PROXY"
    : target.protocol === "http:"
    ? "HTTP_PROXY"
    : undefined;
  if (scheme === undefined) return undefined;
  const found = lookup(env, scheme);
  if (found === undefined) return undefined;
  if (bypassed(target, lookup(env, "NO_PROXY")?.value ?? "")) return undefined;
  const proxyUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(found.value)
    ? found.value
    : `http://${found.value}`;
  return { url: proxyUrl, variable: found.variable };
}

function defaultPort(protocol: string): string {
  return protocol === "https:" ? "443" : "80";
}

// NO_PROXY entries: `*`, host names (also matching their subdomains; a leading `.` or `*.` is
// the same), IP addresses, each optionally with `:port`.
function bypassed(target: URL, noProxy: string): boolean {
  const host = target.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = target.port || defaultPort(target.protocol);
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    if (entry === "*") return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1]!;
      entryPort = bracketed[2];
    } else if (/^[^:]+:\d+$/.test(entry)) {
      [entry, entryPort] = entry.split(":") as [string, string];
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, "");
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/**
 * A proxy URL fit to show: user name and password replaced by `***`.
 *
 * @param url The proxy URL.
 * @returns The URL without its credentials.
 *
 * @example
 * ```ts
 * import { displayProxy } from "./proxy.ts";
 *
 * displayProxy("http://me:secret@proxy:3128"); // "http://***@proxy:3128"
 * ```
 */
export function displayProxy(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === "" && parsed.password === "") return parsed.origin;
    return `${parsed.protocol}//***@${parsed.host}`;
  } catch {
    return "(unparsable proxy URL)";
  }
}

interface DenoLike {
  createHttpClient(options: {
    proxy: { url: string; basicAuth?: { username: string; password: string } };
  }): unknown;
}

type Fetch = typeof globalThis.fetch;

/**
 * A `fetch` that sends each request through the proxy `env` chooses for its URL (and directly
 * when there is none), on Deno, Bun and Node.js.
 *
 * @param env The environment to read the proxy variables from.
 * @param base The `fetch` for direct requests.
 * @returns The proxy-aware `fetch`.
 *
 * @example
 * ```ts
 * import { createProxyFetch } from "./proxy.ts";
 *
 * const fetch = createProxyFetch({ HTTPS_PROXY: "http://127.0.0.1:3128" });
 * ```
 */
export function createProxyFetch(env: Env, base: Fetch = globalThis.fetch.bind(globalThis)): Fetch {
  if (lookup(env, "HTTPS_PROXY") === undefined && lookup(env, "HTTP_PROXY") === undefined) {
    return base;
  }
  const runtime = globalThis as { Deno?: DenoLike; Bun?: unknown };
  const denoClients = new Map<string, unknown>();
  let nodeAgents: Promise<(proxy: string) => NodeProxied> | undefined;
  const proxied = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    const proxy = proxyFor(request.url, env);
    if (proxy === undefined) return await base(request);
    if (runtime.Deno !== undefined && typeof runtime.Deno.createHttpClient === "function") {
      let client = denoClients.get(proxy.url);
      if (client === undefined) {
        const parsed = new URL(proxy.url);
        const basicAuth = parsed.username === "" && parsed.password === "" ? undefined : {
          username: decodeURIComponent(parsed.username),
          password: decodeURIComponent(parsed.password),
        };
        parsed.username = "";
        parsed.password = "";
        client = runtime.Deno.createHttpClient({
          proxy: { url: parsed.href, ...(basicAuth ? { basicAuth } : {}) },
        });
        denoClients.set(proxy.url, client);
      }
      return await base(request, { client } as RequestInit);
    }
    if (runtime.Bun !== undefined) {
      return await base(request, { proxy: proxy.url } as RequestInit);
    }
    nodeAgents ??= nodeProxy();
    return await (await nodeAgents)(proxy.url)(request);
  };
  return proxied as Fetch;
}

type NodeProxied = (request: Request) => Promise<Response>;

// Node.js: undici's own `fetch` with a `ProxyAgent` (the same library as Node's `fetch`; a
// dispatcher of another undici major cannot be handed to Node's bundled `fetch`).
async function nodeProxy(): Promise<(proxy: string) => NodeProxied> {
  const undici = await import("undici");
  const agents = new Map<string, InstanceType<typeof undici.ProxyAgent>>();
  return (proxy) => async (request) => {
    let agent = agents.get(proxy);
    if (agent === undefined) {
      agent = new undici.ProxyAgent(proxy);
      agents.set(proxy, agent);
    }
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const response = await undici.fetch(request.url, {
      method: request.method,
      headers: [...request.headers],
      ...(body === undefined ? {} : { body }),
      signal: request.signal,
      redirect: request.redirect,
      dispatcher: agent,
    });
    return response as unknown as Response;
  };
}
