/**
 * Streaming parser for the scalar-metrics CSV export (wire reference §4.6.4).
 *
 * Why hand-written: this is the hot path of full-resolution metric reads (10⁷ points and more).
 * The server's layout is fixed and unquoted, so a positional parser that finds lines and commas
 * with `indexOf`, reads integers digit by digit and never builds per-cell arrays beats a general
 * CSV parser several times over. (The std `@std/csv` package is also not reachable here: only the
 * npm registry is.)
 *
 * @example Parse an export
 * ```ts
 * import { CsvParseStream } from "./csv_parse_stream.ts";
 *
 * const csv = "step,exp-loss_step,exp-loss_timestamp\n1,0.5,1722470401000\n2,NaN,\n";
 * const rows = await Array.fromAsync(
 *   ReadableStream.from([csv]).pipeThrough(new CsvParseStream({ keys: ["loss"] })),
 * );
 * console.log(rows[1]); // { step: 2, values: [NaN], timestamps: [undefined] }
 * ```
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import {
  BOM,
  checkHeader,
  countColumns,
  findRecordEnd,
  parseTextRow,
  withoutCr,
} from "./_csv_text.ts";

/**
 * One data row of the export: the step and, per requested key (in request order), the value and
 * the timestamp. `undefined` marks an empty or unparsable cell.
 *
 * @example
 * ```ts
 * import type { ScalarCsvRow } from "./csv_parse_stream.ts";
 *
 * const row: ScalarCsvRow = { step: 2, values: [0.4, undefined], timestamps: [1722470402000, undefined] };
 * ```
 */
export interface ScalarCsvRow {
  /** The step (first column). */
  step: number;
  /** One value per key: a float (`NaN`/`±Infinity` included), or `undefined` if empty or bad. */
  values: (number | undefined)[];
  /** One timestamp per key: an integer (milliseconds), or `undefined` if empty or bad. */
  timestamps: (number | undefined)[];
}

/**
 * Options for {@linkcode CsvParseStream}.
 *
 * @example
 * ```ts
 * import type { CsvParseStreamOptions } from "./csv_parse_stream.ts";
 *
 * const options: CsvParseStreamOptions = { keys: ["loss", "acc"] };
 * ```
 */
export interface CsvParseStreamOptions {
  /**
   * The keys in the order they were requested from the export endpoint. Columns are mapped to
   * them by position (value at `1 + 2i`, timestamp at `2 + 2i`), never by header text.
   */
  keys: readonly string[];
}

const CR = 13;

/** The parser's state; kept out of the stream class so the transformer closures can reach it. */
class ExportCsvParser {
  readonly keyCount: number;
  readonly columns: number;
  skipped = 0;
  #rest = "";
  #line = 0;
  #started = false;
  #header = false;

  constructor(keyCount: number) {
    this.keyCount = keyCount;
    this.columns = 1 + 2 * keyCount;
  }

  push(chunk: string, emit: (row: ScalarCsvRow) => void): void {
    let text = this.#rest.length === 0 ? chunk : this.#rest + chunk;
    if (!this.#started) {
      if (text.length === 0) return;
      this.#started = true;
      if (text.startsWith(BOM)) text = text.slice(1);
    }
    let pos = 0;
    if (!this.#header) {
      const end = findRecordEnd(text, 0);
      if (end === -1) {
        this.#rest = text;
        return;
      }
      this.#line++;
      this.#checkHeader(withoutCr(text.slice(0, end)));
      pos = end + 1;
    }
    const length = text.length;
    while (pos < length) {
      const newline = text.indexOf("\n", pos);
      if (newline === -1) break;
      this.#line++;
      let end = newline;
      if (end > pos && text.charCodeAt(end - 1) === CR) end--;
      if (end > pos) this.#row(text, pos, end, emit);
      pos = newline + 1;
    }
    this.#rest = pos === 0 ? text : text.slice(pos);
  }

  finish(emit: (row: ScalarCsvRow) => void): void {
    const rest = withoutCr(this.#rest);
    this.#rest = "";
    if (!this.#header) {
      if (!this.#started || rest.length === 0) {
        throw new ResponseError("Cannot parse CSV export: the header row is missing");
      }
      this.#line++;
      this.#checkHeader(rest);
      return;
    }
    if (rest.length === 0) return;
    if (countColumns(rest, 0, rest.length) !== this.columns) {
      throw new ResponseError(`Cannot parse CSV export: last row is cut after line ${this.#line}`);
    }
    this.#line++;
    this.#row(rest, 0, rest.length, emit);
  }

  #checkHeader(line: string): void {
    checkHeader(line, this.columns);
    this.#header = true;
  }

  /** Parses the row `text[from, to)` (no line break inside). */
  #row(text: string, from: number, to: number, emit: (row: ScalarCsvRow) => void): void {
    const row = parseTextRow(text, from, to, this.keyCount, this.#line);
    if (row === null) this.skipped++;
    else emit(row);
  }
}

/**
 * Parses the scalar-metrics CSV export into rows, from text chunks of any size (pipe the download
 * through a `TextDecoderStream` first).
 *
 * Layout: a header `step,<exp>-<key1>_step,<exp>-<key1>_timestamp,…` (the `_step` columns hold
 * values), then one row per step. The header must have `1 + 2 × keys.length` columns; header text is
 * otherwise ignored (a quoted header cell is fine). Lines end in `\n` or `\r\n`; blank lines are
 * ignored; a leading byte-order mark is dropped. Rows whose first cell is not an integer are
 * skipped and counted in {@linkcode CsvParseStream.skippedRows}. Value cells parse like Python's
 * `float()` (`NaN`, `INF`, `-INF`, `nan`, `inf` included); timestamp cells must be integers. An empty
 * or unparsable cell gives `undefined`.
 *
 * A truncated download is never accepted silently: if the text ends in a partial row that lacks
 * columns, the stream fails with a {@linkcode ResponseError}
 * (`Cannot parse CSV export: last row is cut after line N`). A complete last row without a final
 * line break is accepted. A complete row with the wrong number of columns is also a
 * `ResponseError`.
 *
 * @example Parse a download
 * ```ts ignore
 * import { CsvParseStream } from "./csv_parse_stream.ts";
 *
 * const response = await fetch("https://bucket.example/exports/x.csv?X-Signature=…");
 * const rows = response.body!
 *   .pipeThrough(new TextDecoderStream())
 *   .pipeThrough(new CsvParseStream({ keys: ["loss", "acc"] }));
 * for await (const row of rows) console.log(row.step, row.values);
 * ```
 *
 * @example Rows split across chunks
 * ```ts
 * import { CsvParseStream } from "./csv_parse_stream.ts";
 *
 * const chunks = ["step,e-loss_step,e-l", "oss_timestamp\r\n1,0.5,17224704", "01000\r\n2,INF,\r\n"];
 * const stream = new CsvParseStream({ keys: ["loss"] });
 * const rows = await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(stream));
 * console.log(rows.map((row) => row.values[0])); // [0.5, Infinity]
 * ```
 */
export class CsvParseStream extends TransformStream<string, ScalarCsvRow> {
  readonly #parser: ExportCsvParser;

  /**
   * Creates the stream.
   *
   * @param options The requested keys, in request order.
   * @throws {ValidationError} If `keys` is empty.
   */
  constructor(options: CsvParseStreamOptions) {
    if (options.keys.length === 0) {
      throw new ValidationError("keys", "Cannot create CSV parser: expected at least one key");
    }
    const parser = new ExportCsvParser(options.keys.length);
    super({
      transform(chunk, controller): void {
        parser.push(chunk, (row) => controller.enqueue(row));
      },
      flush(controller): void {
        parser.finish((row) => controller.enqueue(row));
      },
    });
    this.#parser = parser;
  }

  /** How many rows were skipped so far because their first cell was not an integer step. */
  get skippedRows(): number {
    return this.#parser.skipped;
  }
}

/**
 * A scalar point from the CSV export, in the SDK's full/range-mode shape (§4.6.2).
 *
 * @example
 * ```ts
 * import type { ScalarCsvPoint } from "./csv_parse_stream.ts";
 *
 * const point: ScalarCsvPoint = { step: 1, value: 0.5, timestamp: 1722470401000 };
 * ```
 */
export interface ScalarCsvPoint {
  /** The step. */
  step: number;
  /** The value (`NaN` and `±Infinity` possible). */
  value: number;
  /** Milliseconds since the epoch, when the row had one. */
  timestamp?: number;
}

/**
 * Splits a row into one point per key: `undefined` where the key has no value in this row (as the
 * SDK skips empty value cells), else `{ step, value, timestamp? }`.
 *
 * @param row A row from {@linkcode CsvParseStream}.
 * @returns One entry per key, in key order.
 *
 * @example
 * ```ts
 * import { toPoints } from "./csv_parse_stream.ts";
 *
 * const points = toPoints({ step: 2, values: [0.4, undefined], timestamps: [1722470402000, undefined] });
 * console.log(points); // [{ step: 2, value: 0.4, timestamp: 1722470402000 }, undefined]
 * ```
 */
export function toPoints(row: ScalarCsvRow): (ScalarCsvPoint | undefined)[] {
  const points = new Array<ScalarCsvPoint | undefined>(row.values.length);
  for (let i = 0; i < row.values.length; i++) {
    const value = row.values[i];
    if (value === undefined) {
      points[i] = undefined;
      continue;
    }
    const timestamp = row.timestamps[i];
    points[i] = timestamp === undefined
      ? { step: row.step, value }
      : { step: row.step, value, timestamp };
  }
  return points;
}
