/**
 * CSV output of any table (runs tables, metric rows): RFC 4180 quoting, a header row, rows
 * written as they arrive.
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import { openSink, type SinkTarget } from "./byte_sink.ts";
import type { ExportStats } from "./export_stats.ts";
import { rowBatches, type RowSource } from "./row_source.ts";
import { TextSink } from "./_text_sink.ts";

/**
 * Options of {@linkcode writeCsv}.
 *
 * @example
 * ```ts
 * import type { CsvWriteOptions } from "./csv_writer.ts";
 *
 * const options: CsvWriteOptions = { columns: ["run", "key", "step", "value"] };
 * ```
 */
export interface CsvWriteOptions {
  /** The columns, in order (the header row). Cells of other fields are not written. */
  columns: readonly string[];
  /**
   * The option name reported in errors about the path.
   * @default "path"
   */
  field?: string;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/**
 * Formats one CSV cell: empty for `null`/`undefined`; numbers as JavaScript prints them, with
 * `NaN`, `inf` and `-inf` for non-finite values (what pandas and DuckDB read back as floats);
 * objects and arrays as JSON; text quoted when it holds a comma, a quote, a line break or
 * leading/trailing space.
 *
 * @param value The cell.
 * @returns The CSV text of the cell.
 *
 * @example
 * ```ts
 * import { csvCell } from "./csv_writer.ts";
 *
 * csvCell('say "hi", bob'); // "\"say \"\"hi\"\", bob\""
 * csvCell(Infinity); // "inf"
 * ```
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isFinite(value)) return String(value);
    return value !== value ? "NaN" : value > 0 ? "inf" : "-inf";
  }
  const text = typeof value === "string"
    ? value
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Writes rows as CSV with a header row, as they arrive. Given a path, the file is written
 * atomically: it appears only when every row is written, and a failure (of the rows or of the
 * disk) leaves any previous file as it was.
 *
 * @param target The file path, or a {@linkcode ByteSink}.
 * @param rows The rows (objects keyed by column), one by one or in arrays.
 * @param options The columns.
 * @returns The rows and bytes written.
 * @throws {ValidationError} When the columns are empty or the path cannot be written.
 *
 * @example Write two rows
 * ```ts
 * import { writeCsv } from "./csv_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeCsv(`${dir}/runs.csv`, [{ name: "a", acc: 0.9 }, { name: "b" }], {
 *   columns: ["name", "acc"],
 * });
 * ```
 */
export async function writeCsv(
  target: SinkTarget,
  rows: RowSource<Readonly<Record<string, unknown>>>,
  options: CsvWriteOptions,
): Promise<ExportStats> {
  const columns = [...options.columns];
  if (columns.length === 0) {
    throw new ValidationError("columns", "Cannot write CSV: expected at least one column");
  }
  const sink = await openSink(target, options.field);
  try {
    const text = new TextSink(sink);
    await text.push(columns.map(csvCell).join(",") + "\n");
    let count = 0;
    for await (const batch of rowBatches(rows)) {
      let chunk = "";
      for (const row of batch) {
        let line = "";
        for (let i = 0; i < columns.length; i++) {
          if (i > 0) line += ",";
          line += csvCell(row[columns[i] as string]);
        }
        chunk += line + "\n";
      }
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
