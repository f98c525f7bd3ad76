/**
 * A table (a runs table) to Parquet with one typed column per table column: BOOLEAN when every
 * cell is a boolean, INT64 when every cell is an integer, DOUBLE when every cell is a number,
 * otherwise a UTF-8 string (lists and objects as JSON). Empty cells are nulls.
 *
 * @module
 */

// Types only: hyparquet-writer is imported on first use, so loading the library does not
// evaluate it.
import type { ParquetWriter } from "hyparquet-writer";
import { ValidationError } from "../core/errors.ts";
import { openSink, type SinkTarget } from "./byte_sink.ts";
import type { ExportStats } from "./export_stats.ts";
import { type ParquetWriteOptions, resolveParquetOptions } from "./parquet_options.ts";
import type { TableData } from "./table_data.ts";

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number];
type Kind = "BOOLEAN" | "INT64" | "DOUBLE" | "STRING";

function kindOf(table: TableData, column: string): Kind {
  let kind: Kind | undefined;
  for (const row of table.rows) {
    const value = row[column];
    if (value === null || value === undefined) continue;
    const cell: Kind = typeof value === "boolean"
      ? "BOOLEAN"
      : typeof value === "number"
      ? Number.isSafeInteger(value) ? "INT64" : "DOUBLE"
      : "STRING";
    if (kind === undefined || kind === cell) kind = cell;
    else if ((kind === "INT64" && cell === "DOUBLE") || (kind === "DOUBLE" && cell === "INT64")) {
      kind = "DOUBLE";
    } else return "STRING";
  }
  return kind ?? "STRING";
}

function element(name: string, kind: Kind): SchemaElement {
  if (kind === "STRING") {
    return { name, type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" };
  }
  return { name, type: kind, repetition_type: "OPTIONAL" };
}

function cellValue(value: unknown, kind: Kind): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case "INT64":
      return BigInt(value as number);
    case "STRING":
      return typeof value === "string" ? value : JSON.stringify(value);
    default:
      return value;
  }
}

/**
 * Writes a table to one Parquet file, column types inferred from the cells (see the module
 * documentation), in row groups of `rowGroupSize` rows. Given a path, the file appears only when
 * complete.
 *
 * @param target The file path, or a {@linkcode ByteSink}.
 * @param table The columns and rows.
 * @param options Compression and row group size.
 * @returns The rows and bytes written.
 * @throws {ValidationError} For bad options, no columns, or a path that cannot be written.
 *
 * @example Write a small runs table
 * ```ts
 * import { writeTableParquet } from "./table_parquet_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeTableParquet(`${dir}/runs.parquet`, {
 *   columns: ["name", "config.lr"],
 *   rows: [{ name: "a", "config.lr": 0.01 }, { name: "b", "config.lr": null }],
 * });
 * ```
 */
export async function writeTableParquet(
  target: SinkTarget,
  table: TableData,
  options: ParquetWriteOptions = {},
): Promise<ExportStats> {
  const { compression, rowGroupSize } = resolveParquetOptions(options);
  if (table.columns.length === 0) {
    throw new ValidationError("columns", "Cannot write Parquet: expected at least one column");
  }
  const kinds = table.columns.map((column) => kindOf(table, column));
  const schema: SchemaElement[] = [
    { name: "root", num_children: table.columns.length },
    ...table.columns.map((column, i) => element(column, kinds[i] as Kind)),
  ];
  const [{ ParquetWriter }, { SinkByteWriter }] = await Promise.all([
    import("hyparquet-writer"),
    import("./_sink_byte_writer.ts"),
  ]);
  const sink = await openSink(target, options.field);
  let bytes = 0;
  const counted = {
    write: (chunk: Uint8Array | string) => {
      bytes += typeof chunk === "string" ? chunk.length : chunk.byteLength;
      return sink.write(chunk);
    },
    commit: () => sink.commit(),
    abort: () => sink.abort(),
  };
  try {
    const parquet = new ParquetWriter({
      writer: new SinkByteWriter(counted),
      schema,
      codec: compression,
      createdBy: "swanlab-ts",
    });
    for (let start = 0; start < table.rows.length; start += rowGroupSize) {
      const rows = table.rows.slice(start, start + rowGroupSize);
      await parquet.write({
        columnData: table.columns.map((name, i) => ({
          name,
          data: rows.map((row) => cellValue(row[name], kinds[i] as Kind)),
        })),
        rowGroupSize: rows.length,
      });
    }
    await parquet.finish();
    await sink.commit();
    return { rows: table.rows.length, bytes, files: 1 };
  } finally {
    await sink.abort();
  }
}
