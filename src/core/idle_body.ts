/**
 * A download body that fails when no byte arrives for a while, so a stalled download can never
 * hang its reader.
 *
 * The body stays a byte stream: a reader that brings its own buffer (`ByteChunkReader`) has the
 * download's bytes read straight into it when the runtime's body can do that, and chunks are
 * passed through as they are otherwise.
 *
 * @module
 */

import { ConnectionError, SwanLabError, TimeoutError } from "./errors.ts";
import { networkReason } from "./network_reason.ts";

/**
 * Wraps a response's body in a stream that fails with a {@linkcode TimeoutError} when a read
 * waits more than `idleMs`, and with a {@linkcode ConnectionError} when the download breaks.
 *
 * @param response The response (headers received).
 * @param idleMs The longest wait for the next bytes, in milliseconds.
 * @param label The download's (redacted) label for errors.
 * @returns A response with the same status and headers and the watched body.
 *
 * @example
 * ```ts
 * import { watchIdle } from "./idle_body.ts";
 *
 * const watched = watchIdle(new Response("bytes"), 30_000, "GET export.csv");
 * console.log(await watched.text()); // "bytes"
 * ```
 */
export function watchIdle(response: Response, idleMs: number, label: string): Response {
  if (response.body === null) return response;
  const source = response.body;
  let byob: ReadableStreamBYOBReader | undefined;
  try {
    byob = source.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (Bun's fetch bodies): chunks are passed through.
  }
  const plain = byob === undefined ? source.getReader() : undefined;
  const reader = (byob ?? plain) as ReadableStreamGenericReader;

  /** Reads into the consumer's buffer (or the source's own chunk) and hands it over. */
  const pass = async (controller: ReadableByteStreamController): Promise<void> => {
    const request = controller.byobRequest;
    if (byob !== undefined && request !== null && request.view !== null) {
      const view = request.view;
      const { done, value } = await byob.read(
        new Uint8Array(view.buffer, view.byteOffset, view.byteLength),
      );
      if (done) {
        controller.close();
        // The consumer's buffer comes back with the end, and goes back to it.
        if (value !== undefined) request.respondWithNewView(value);
      } else {
        request.respondWithNewView(value);
      }
      return;
    }
    let next: ReadableStreamReadResult<Uint8Array>;
    do {
      next = byob !== undefined
        ? await byob.read(new Uint8Array(1 << 16))
        : await (plain as ReadableStreamDefaultReader<Uint8Array>).read();
    } while (!next.done && next.value.byteLength === 0); // a byte stream takes no empty chunk
    const { done, value } = next;
    if (done) {
      controller.close();
      // A reader's pending buffer is only given back by an answer of zero bytes.
      controller.byobRequest?.respond(0);
    } else {
      controller.enqueue(value);
    }
  };

  const body = new ReadableStream({
    type: "bytes",
    async pull(controller) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError("GET", label, idleMs)), idleMs);
      });
      try {
        await Promise.race([pass(controller), idle]);
      } catch (error) {
        reader.cancel(error).catch(() => {});
        controller.error(
          error instanceof SwanLabError ? error : new ConnectionError(
            "GET",
            label,
            { cause: error },
            `Download interrupted: GET ${label}${interruption(error)}`,
          ),
        );
      } finally {
        clearTimeout(timer);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/** Why a download broke, as ` (reason)`, or nothing when the runtime does not say. */
function interruption(error: unknown): string {
  const reason = networkReason(error);
  return reason === undefined ? "" : ` (${reason})`;
}
