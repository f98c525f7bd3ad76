/**
 * A test facility: change one field of the JSON success responses of one operation, so that
 * clients can be tested against a server whose answers drifted from the spec (a field deleted,
 * set to `null`, or given another value). Set through `FaultOptions.mutateResponses`.
 *
 * @module
 */

/**
 * One change to the success responses of one operation.
 *
 * @example Make every run's state `null` in run listings
 * ```ts
 * import type { ResponseMutation } from "./response_mutation.ts";
 *
 * const mutation: ResponseMutation = { operationId: "listRuns", pointer: "/list/0/state", action: "null" };
 * ```
 */
export interface ResponseMutation {
  /** The operation whose responses change, e.g. `getRun`. */
  operationId: string;
  /** JSON pointer of the field to change (`/list/0/name`); a missing parent is left alone. */
  pointer: string;
  /** Remove the field, set it to `null`, or set it to `value`. */
  action: "delete" | "null" | "set";
  /** The new value, for `set`. */
  value?: unknown;
}

/**
 * Applies the mutations of `operationId` to a JSON success response; other responses are
 * returned as they are.
 *
 * @param response The route's response.
 * @param operationId The operation it answers.
 * @param mutations The configured mutations.
 * @returns The response, changed or not.
 *
 * @example
 * ```ts
 * import { mutateResponse } from "./response_mutation.ts";
 *
 * const res = await mutateResponse(Response.json({ a: 1 }), "getUserProfile", [
 *   { operationId: "getUserProfile", pointer: "/a", action: "delete" },
 * ]);
 * await res.json(); // {}
 * ```
 */
export async function mutateResponse(
  response: Response,
  operationId: string,
  mutations: readonly ResponseMutation[],
): Promise<Response> {
  const mine = mutations.filter((m) => m.operationId === operationId);
  if (
    mine.length === 0 || !response.ok ||
    !(response.headers.get("content-type") ?? "").includes("json")
  ) {
    return response;
  }
  const body: unknown = await response.json();
  let root = body;
  for (const mutation of mine) root = apply(root, mutation);
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(JSON.stringify(root), { status: response.status, headers });
}

function apply(root: unknown, mutation: ResponseMutation): unknown {
  const next = mutation.action === "null" ? null : mutation.value;
  if (mutation.pointer === "") return mutation.action === "delete" ? undefined : next;
  const tokens = mutation.pointer.slice(1).split("/").map((t) =>
    t.replaceAll("~1", "/").replaceAll("~0", "~")
  );
  const last = tokens.pop()!;
  let parent: unknown = root;
  for (const token of tokens) {
    if (typeof parent !== "object" || parent === null) return root;
    parent = (parent as Record<string, unknown>)[token];
  }
  if (typeof parent !== "object" || parent === null) return root;
  const record = parent as Record<string, unknown>;
  if (mutation.action === "delete") {
    if (Array.isArray(record)) record.splice(Number(last), 1);
    else delete record[last];
  } else {
    record[last] = next;
  }
  return root;
}
