/**
 * Private: text written to a {@linkcode ByteSink} in chunks of about 64 KiB, with a byte count.
 *
 * @module
 */

import type { ByteSink } from "./byte_sink.ts";

const encoder = new TextEncoder();
const CHUNK_CHARS = 64 * 1024;

/** Buffers text and writes it to the sink in large chunks. */
export class TextSink {
  readonly #sink: ByteSink;
  #parts: string[] = [];
  #chars = 0;
  /** Bytes handed to the sink so far. */
  bytes = 0;

  constructor(sink: ByteSink) {
    this.#sink = sink;
  }

  /** Adds text; writes when enough is buffered. */
  async push(text: string): Promise<void> {
    this.#parts.push(text);
    this.#chars += text.length;
    if (this.#chars >= CHUNK_CHARS) await this.flush();
  }

  /** Writes what is buffered. */
  async flush(): Promise<void> {
    if (this.#parts.length === 0) return;
    const bytes = encoder.encode(this.#parts.join(""));
    this.#parts = [];
    this.#chars = 0;
    this.bytes += bytes.byteLength;
    await this.#sink.write(bytes);
  }
}
