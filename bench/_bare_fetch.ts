/**
 * The floors' HTTP: the same requests the client sends, made with bare `fetch` (a login, then
 * GETs and POSTs with the session cookie), shared by every workload so that each floor measures
 * the same thing.
 *
 * @module
 */

/**
 * Logs in with the raw key header and returns the session id.
 *
 * @param host The API host, e.g. `http://127.0.0.1:8000`.
 * @param apiKey The API key.
 * @returns The `sid` of the session.
 *
 * @example
 * ```ts ignore
 * const sid = await bareLogin("http://127.0.0.1:8000", "demo-key");
 * ```
 */
export async function bareLogin(host: string, apiKey: string): Promise<string> {
  const response = await fetch(`${host}/api/login/api_key`, {
    method: "POST",
    headers: { authorization: apiKey },
  });
  const body = await response.json();
  return body.sid as string;
}

/**
 * Sends one API request with the session cookie: a GET, or a JSON POST when `body` is given.
 *
 * @param host The API host.
 * @param sid The session id from {@linkcode bareLogin}.
 * @param path The path below `/api`.
 * @param body The JSON body of a POST.
 * @returns The response (status checked; its body not yet read).
 * @throws {Error} On a non-2xx status, with the server's text.
 *
 * @example
 * ```ts ignore
 * const runs = await (await bareRequest(host, sid, "/project/alice/mnist/runs?page=1&size=100")).json();
 * ```
 */
export async function bareRequest(
  host: string,
  sid: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const response = await fetch(`${host}/api${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      cookie: `sid=${sid}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} -> ${response.status} ${await response.text()}`);
  return response;
}
