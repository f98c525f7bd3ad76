/**
 * Test helpers: mirror points files (`docs/MIRROR_FORMAT.md`) built from rows, by another writer
 * (hyparquet-writer) and by the mirror's own encoder.
 *
 * @module
 */

import { parquetWriteBuffer } from "hyparquet-writer";
import { MemorySink } from "../../src/export/memory_sink.ts";
import type { ParquetCompression } from "../../src/export/parquet_options.ts";
import { PointsEncoder } from "../../src/mirror/points_parquet.ts";

/** One point: key, step, value, and a timestamp in Unix milliseconds or `null`. */
export type PointRow = readonly [
  key: string,
  step: number,
  value: number,
  timestamp: number | null,
];

/**
 * A points file of `rows` written by hyparquet-writer (its own layout: data pages v1).
 *
 * @param rows The points, in file order.
 * @param groupSize Rows per row group.
 * @returns The file.
 */
export function writtenByHyparquet(rows: readonly PointRow[], groupSize?: number): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "key", data: rows.map((r) => r[0]), type: "STRING", nullable: false },
      {
        name: "step",
        data: BigInt64Array.from(rows, (r) => BigInt(r[1])),
        type: "INT64",
        nullable: false,
      },
      {
        name: "value",
        data: Float64Array.from(rows, (r) => r[2]),
        type: "DOUBLE",
        nullable: false,
      },
      {
        name: "timestamp",
        data: rows.map((r) => (r[3] === null ? null : BigInt(r[3]))),
        type: "INT64",
        nullable: true,
      },
    ],
    ...(groupSize === undefined ? {} : { rowGroupSize: groupSize }),
  }));
}

/**
 * A points file of `rows` written by the mirror's encoder.
 *
 * @param rows The points, in file order.
 * @param compression The codec.
 * @returns The file.
 */
export async function writtenByMirror(
  rows: readonly PointRow[],
  compression: ParquetCompression = "SNAPPY",
): Promise<Uint8Array> {
  const sink = new MemorySink();
  const encoder = await PointsEncoder.create(sink, compression);
  for (const [key, step, value, timestamp] of rows) {
    encoder.point(timestamp === null ? { key, step, value } : { key, step, value, timestamp });
    if (encoder.ready()) await encoder.drain();
  }
  if (await encoder.finish() !== rows.length) throw new Error("the encoder lost rows");
  const file = new Uint8Array(sink.chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of sink.chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return file;
}
