/**
 * The one way tools are registered: read-only annotations, input validated by zod first, results
 * as structured content plus a short text rendering, kept under {@linkcode MAX_RESULT_BYTES}, and
 * library errors turned into `isError` results with a redacted, user-facing message.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { Api } from "../entities/api.ts";
import { SwanLabError } from "../core/errors.ts";
import type { SecretRedactor } from "../core/redact.ts";
import { MAX_RESULT_BYTES, resultBytes } from "./output_bound.ts";

/** What every tool handler gets: the client and the redactor of its error messages.
 *
 * @example The client and a redactor
 * ```ts
 * import { Api } from "../entities/api.ts";
 * import { SecretRedactor } from "../core/redact.ts";
 * import type { ToolDeps } from "./_tool.ts";
 *
 * const deps: ToolDeps = { api: new Api(), redactor: new SecretRedactor() };
 * ```
 */
export interface ToolDeps {
  /** The SwanLab client. */
  readonly api: Api;
  /** Hides secrets in messages. */
  readonly redactor: SecretRedactor;
}

/** A read-only tool: schemas, the library call, its text rendering and how to shrink it.
 *
 * @example A tool without input
 * ```ts
 * import { z } from "zod";
 * import type { ToolSpec } from "./_tool.ts";
 *
 * const spec: ToolSpec<Record<string, never>, { username: string }> = {
 *   name: "whoami",
 *   title: "Who am I",
 *   description: "The logged-in user.",
 *   input: {},
 *   output: { username: z.string().describe("Username.") },
 *   run: async (_args, { api }) => ({ username: await api.username }),
 *   render: (data) => `Logged in as ${data.username}`,
 *   narrow: "nothing to narrow",
 * };
 * ```
 */
export interface ToolSpec<I extends z.ZodRawShape, O extends object> {
  /** The tool name (snake_case). */
  readonly name: string;
  /** A human title. */
  readonly title: string;
  /** What the tool does, written for a model. */
  readonly description: string;
  /** The input fields, each with `.describe()`. */
  readonly input: I;
  /** The fields of the structured result. */
  readonly output: z.ZodRawShape;
  /** Runs the library calls. */
  readonly run: (args: z.infer<z.ZodObject<I>>, deps: ToolDeps) => Promise<O>;
  /** A short text rendering of the result (server text fenced). */
  readonly render: (data: O) => string;
  /** A smaller result (fewer items, counted in the result), or `undefined` when it cannot shrink. */
  readonly shrink?: (data: O) => O | undefined;
  /** How to narrow a request whose result stays over the bound. */
  readonly narrow: string;
}

/**
 * The user-facing message of an error: a library error's message (no stack), anything else
 * prefixed with its name; secrets and URL signatures removed.
 *
 * @param error The thrown value.
 * @param redactor Hides secrets.
 * @returns The message.
 *
 * @example A secret is hidden
 * ```ts
 * import { SecretRedactor } from "../core/redact.ts";
 * import { toolErrorMessage } from "./_tool.ts";
 *
 * const redactor = new SecretRedactor();
 * redactor.add("sk-12345");
 * toolErrorMessage(new Error("key sk-12345 rejected"), redactor); // "Error: key *** rejected"
 * ```
 */
export function toolErrorMessage(error: unknown, redactor: SecretRedactor): string {
  let text: string;
  if (error instanceof SwanLabError) text = error.message;
  else if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else text = String(error);
  return redactor.redact(text);
}

/**
 * A tool error result.
 *
 * @param message The message.
 * @returns The result.
 *
 * @example
 * ```ts
 * import { errorResult } from "./_tool.ts";
 *
 * errorResult("Cannot parse path \"a\"").isError; // true
 * ```
 */
export function errorResult(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/**
 * Registers a read-only tool.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 * @param spec The tool.
 *
 * @example
 * ```ts ignore
 * registerReadOnlyTool(server, deps, spec);
 * ```
 */
export function registerReadOnlyTool<I extends z.ZodRawShape, O extends object>(
  server: McpServer,
  deps: ToolDeps,
  spec: ToolSpec<I, O>,
): void {
  const handler = async (args: z.infer<z.ZodObject<I>>): Promise<CallToolResult> => {
    let data: O;
    try {
      data = await spec.run(args, deps);
    } catch (error) {
      return errorResult(toolErrorMessage(error, deps.redactor));
    }
    let result = toResult(spec, data);
    while (resultBytes(result) > MAX_RESULT_BYTES) {
      const smaller = spec.shrink?.(data);
      if (smaller === undefined) {
        return errorResult(
          `The result is larger than the ${MAX_RESULT_BYTES}-byte bound of this server: ${spec.narrow}`,
        );
      }
      data = smaller;
      result = toResult(spec, data);
    }
    return result;
  };
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: spec.description,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: {
        title: spec.title,
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
      },
    },
    // The SDK's callback type is generic over the shape; our handler has the same argument type.
    handler as unknown as Parameters<McpServer["registerTool"]>[2],
  );
}

function toResult<I extends z.ZodRawShape, O extends object>(
  spec: ToolSpec<I, O>,
  data: O,
): CallToolResult {
  return {
    structuredContent: data as Record<string, unknown>,
    content: [{ type: "text", text: spec.render(data) }],
  };
}
