/**
 * Private: hyparquet-writer's `Writer` backed by a {@linkcode ByteSink}. `ParquetWriter` calls
 * `flush()` after each row group and awaits it, so at most one row group is held in memory;
 * `finish()` writes the footer.
 *
 * @module
 */

import { ByteWriter } from "hyparquet-writer";
import type { ByteSink } from "./byte_sink.ts";

/** A `ByteWriter` whose bytes go to a sink at each flush (offsets stay file offsets). */
export class SinkByteWriter extends ByteWriter {
  readonly #sink: ByteSink;

  constructor(sink: ByteSink) {
    super(1 << 20);
    this.#sink = sink;
  }

  /** Writes the buffered bytes to the sink and empties the buffer. */
  async flush(): Promise<void> {
    if (this.index === 0) return;
    const chunk = new Uint8Array(this.buffer, 0, this.index);
    if (this.#sink.releasesChunks === true) {
      // Refilled once the write settles: no new memory per row group (and no GC pressure).
      await this.#sink.write(chunk);
      this.index = 0;
      return;
    }
    // The buffer itself goes to the sink, which may keep or queue it, and is never written
    // again (no copy); the next bytes go to a new buffer.
    this.buffer = new ArrayBuffer(this.buffer.byteLength);
    this.view = new DataView(this.buffer);
    this.index = 0;
    await this.#sink.write(chunk);
  }

  /** Writes the rest (the footer). */
  override finish(): Promise<void> {
    return this.flush();
  }
}
