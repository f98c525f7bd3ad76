/**
 * Options shared by the Parquet writers: compression and row group size.
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";

/**
 * The Parquet compression codecs the writers support without native code.
 *
 * @example
 * ```ts
 * import { PARQUET_COMPRESSIONS } from "./parquet_options.ts";
 *
 * console.log(PARQUET_COMPRESSIONS); // ["SNAPPY", "UNCOMPRESSED"]
 * ```
 */
export const PARQUET_COMPRESSIONS: readonly ["SNAPPY", "UNCOMPRESSED"] = ["SNAPPY", "UNCOMPRESSED"];

/**
 * A supported Parquet compression codec.
 *
 * @example
 * ```ts
 * import type { ParquetCompression } from "./parquet_options.ts";
 *
 * const codec: ParquetCompression = "SNAPPY";
 * ```
 */
export type ParquetCompression = typeof PARQUET_COMPRESSIONS[number];

/**
 * Options of the Parquet writers.
 *
 * @example Small row groups, no compression
 * ```ts
 * import type { ParquetWriteOptions } from "./parquet_options.ts";
 *
 * const options: ParquetWriteOptions = { rowGroupSize: 10_000, compression: "UNCOMPRESSED" };
 * ```
 */
export interface ParquetWriteOptions {
  /**
   * The compression of every column.
   * @default "SNAPPY"
   */
  compression?: ParquetCompression;
  /**
   * Rows per row group: rows are buffered until a group is full, then encoded and written, so
   * memory holds about one row group.
   * @default 100000
   */
  rowGroupSize?: number;
  /**
   * The option name reported in errors about the path.
   * @default "path"
   */
  field?: string;
}

/** Default rows per row group. */
export const DEFAULT_ROW_GROUP_SIZE = 100_000;

/**
 * Checks Parquet options and fills in the defaults.
 *
 * @param options The options.
 * @returns The compression and row group size.
 * @throws {ValidationError} For an unknown compression or a row group size that is not an
 * integer ≥ 1.
 *
 * @example
 * ```ts
 * import { resolveParquetOptions } from "./parquet_options.ts";
 *
 * resolveParquetOptions({}); // { compression: "SNAPPY", rowGroupSize: 100000 }
 * ```
 */
export function resolveParquetOptions(
  options: ParquetWriteOptions,
): { compression: ParquetCompression; rowGroupSize: number } {
  const compression = options.compression ?? "SNAPPY";
  if (!PARQUET_COMPRESSIONS.includes(compression)) {
    throw new ValidationError(
      "compression",
      `Cannot use compression "${compression}": expected one of ${PARQUET_COMPRESSIONS.join(", ")}`,
    );
  }
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new ValidationError(
      "rowGroupSize",
      `Cannot use rowGroupSize ${rowGroupSize}: expected an integer >= 1`,
    );
  }
  return { compression, rowGroupSize };
}
