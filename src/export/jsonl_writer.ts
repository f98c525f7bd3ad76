/**
 * JSON Lines output of any table: one JSON object per line, written as rows arrive.
 *
 * @module
 */

import { openSink, type SinkTarget } from "./byte_sink.ts";
import type { ExportStats } from "./export_stats.ts";
import { rowBatches, type RowSource } from "./row_source.ts";
import { TextSink } from "./_text_sink.ts";

/**
 * Options of {@linkcode writeJsonl}.
 *
 * @example
 * ```ts
 * import type { JsonlWriteOptions } from "./jsonl_writer.ts";
 *
 * const options: JsonlWriteOptions = { field: "--out" };
 * ```
 */
export interface JsonlWriteOptions {
  /**
   * The option name reported in errors about the path.
   * @default "path"
   */
  field?: string;
}

/**
 * Writes rows as JSON Lines, as they arrive. Non-finite numbers (`NaN`, `±Infinity`) become
 * `null`, as `JSON.stringify` writes them. Given a path, the file is written atomically.
 *
 * @param target The file path, or a {@linkcode ByteSink}.
 * @param rows The rows, one by one or in arrays.
 * @param options The field name for errors.
 * @returns The rows and bytes written.
 * @throws {ValidationError} When the path cannot be written.
 *
 * @example Write metric rows
 * ```ts
 * import { writeJsonl } from "./jsonl_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeJsonl(`${dir}/points.jsonl`, [{ run: "c1", key: "loss", step: 1, value: 0.5 }]);
 * ```
 */
export async function writeJsonl(
  target: SinkTarget,
  rows: RowSource<unknown>,
  options: JsonlWriteOptions = {},
): Promise<ExportStats> {
  const sink = await openSink(target, options.field);
  try {
    const text = new TextSink(sink);
    let count = 0;
    for await (const batch of rowBatches(rows)) {
      let chunk = "";
      for (const row of batch) chunk += JSON.stringify(row) + "\n";
      count += batch.length;
      await text.push(chunk);
    }
    await text.flush();
    await sink.commit();
    return { rows: count, bytes: text.bytes, files: 1 };
  } finally {
    await sink.abort();
  }
}
