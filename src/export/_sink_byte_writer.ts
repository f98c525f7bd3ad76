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

  /** Writes the buffered bytes to the sink and starts a new buffer. */
  async flush(): Promise<void> {
    if (this.index === 0) return;
    // The buffer itself goes to the sink and is never written again (a sink may keep it, e.g.
    // a stream that queues it), so no copy is needed; the next bytes go to a new buffer.
    const chunk = new Uint8Array(this.buffer, 0, this.index);
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
