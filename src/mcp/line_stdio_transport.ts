/**
 * {@linkcode LineStdioTransport}: the MCP stdio transport over any byte-chunk input and text
 * output, with the SDK's own message framing (`deserializeMessage`, `serializeMessage`: one
 * JSON-RPC message per line).
 *
 * The SDK's `StdioServerTransport` binds Node streams (`process.stdin`) and never reports the end
 * of input; this one reads the CLI's runtime-neutral standard input, closes when it ends (so
 * `swanlab-ts mcp` exits when the client goes away), and can be driven in-process by tests.
 *
 * @module
 */

import { deserializeMessage, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** The most bytes of one pending line (as the SDK's 10 MiB read buffer). */
const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * Where the transport reads and writes.
 *
 * @example In-memory streams
 * ```ts
 * import type { StdioStreams } from "./line_stdio_transport.ts";
 *
 * const out: string[] = [];
 * const streams: StdioStreams = {
 *   input: (async function* () {})(),
 *   output: { write: (text) => void out.push(text) },
 * };
 * ```
 */
export interface StdioStreams {
  /** Standard input: chunks of bytes or text. */
  readonly input: AsyncIterable<Uint8Array | string>;
  /** Standard output: receives whole lines only. */
  readonly output: { write(text: string): void | Promise<void> };
}

/**
 * An MCP transport speaking newline-delimited JSON-RPC over a pair of streams; `closed` settles
 * when the transport is closed, or when the input has ended and every request read has been
 * answered (so piped requests get their answers).
 *
 * @example Serve until the client closes standard input
 * ```ts ignore
 * const transport = new LineStdioTransport({ input: io.stdin, output: io.stdout });
 * await server.connect(transport);
 * await transport.closed;
 * ```
 */
export class LineStdioTransport implements Transport {
  /** Called when the transport closes. */
  onclose?: (() => void) | undefined;
  /** Called on a malformed message or a read failure. */
  onerror?: ((error: Error) => void) | undefined;
  /** Called with every message read. */
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;
  /** Settles when the transport has closed. */
  readonly closed: Promise<void>;
  #streams: StdioStreams;
  #writes: Promise<void> = Promise.resolve();
  #done = false;
  #inputEnded = false;
  /** Ids of requests read and not yet answered: at the end of input they are answered first. */
  #pending = new Set<string | number>();
  #resolveClosed!: () => void;

  /** @param streams Standard input and output. */
  constructor(streams: StdioStreams) {
    this.#streams = streams;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /** Starts reading input in the background. */
  start(): Promise<void> {
    void this.#read();
    return Promise.resolve();
  }

  /**
   * Writes one message as one line, after the messages sent before it.
   *
   * @param message The message.
   */
  send(message: JSONRPCMessage): Promise<void> {
    const line = serializeMessage(message);
    this.#writes = this.#writes.then(() => this.#streams.output.write(line));
    const written = this.#writes;
    if (("result" in message || "error" in message) && "id" in message) {
      this.#pending.delete(message.id);
      if (this.#inputEnded && this.#pending.size === 0) void written.then(() => this.close());
    }
    return written;
  }

  /** Closes the transport (once); pending writes are flushed first. */
  async close(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#writes.catch(() => {});
    this.onclose?.();
    this.#resolveClosed();
  }

  async #read(): Promise<void> {
    const decoder = new TextDecoder();
    let pending = "";
    try {
      for await (const chunk of this.#streams.input) {
        if (this.#done) break;
        pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
        let index: number;
        while ((index = pending.indexOf("\n")) !== -1) {
          const line = pending.slice(0, index).replace(/\r$/, "");
          pending = pending.slice(index + 1);
          if (line.trim() !== "") this.#deliver(line);
        }
        if (pending.length > MAX_LINE_BYTES) {
          this.onerror?.(new Error(`Cannot read a message longer than ${MAX_LINE_BYTES} bytes`));
          pending = "";
        }
      }
      pending += decoder.decode();
      if (pending.trim() !== "") this.#deliver(pending);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
    this.#inputEnded = true;
    if (this.#pending.size === 0) await this.close();
  }

  #deliver(line: string): void {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(line);
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if ("method" in message && "id" in message) this.#pending.add(message.id);
    this.onmessage?.(message);
  }
}
