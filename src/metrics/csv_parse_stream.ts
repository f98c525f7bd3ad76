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

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const MINUS = 45;
const PLUS = 43;
const ZERO = 48;
const DOT = 46;
const BOM = "\uFEFF";

/** Parses `text[from, to)` as an integer (optional sign, digits, outer spaces); NaN otherwise. */
function parseIntCell(text: string, from: number, to: number): number {
  let i = from;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    i++;
  }
  if (i >= to || to - i > 15) return parseIntSlow(text.slice(from, to));
  let value = 0;
  for (; i < to; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return parseIntSlow(text.slice(from, to));
    value = value * 10 + digit;
  }
  return negative ? 0 - value : value; // 0 - 0 is +0, like Python's int("-0")
}

/** The rare cases: long digit runs, surrounding whitespace, quotes, or not an integer at all. */
function parseIntSlow(cell: string): number {
  const trimmed = cell.trim();
  if (/^[+-]?\d+$/.test(trimmed)) return Number(trimmed);
  const unquoted = unquote(trimmed);
  return unquoted === undefined ? NaN : parseIntSlow(unquoted);
}

/** The content of a quoted cell (`"1.5"` → `1.5`), or `undefined` if the cell is not quoted. */
function unquote(trimmed: string): string | undefined {
  if (trimmed.length < 2 || trimmed.charCodeAt(0) !== QUOTE) return undefined;
  if (trimmed.charCodeAt(trimmed.length - 1) !== QUOTE) return undefined;
  return trimmed.slice(1, -1).replaceAll('""', '"');
}

/** Exact powers of ten as doubles (10^0 … 10^22 are all representable). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/**
 * Clinger's fast path: a plain decimal (`-12.345`) with at most 15 digits is read as an integer
 * mantissa m < 2^53 and divided once by an exact power of ten, which IEEE division rounds
 * correctly, so the result equals `Number(cell)`. Returns NaN when the fast path does not apply.
 */
function parseShortDecimal(text: string, from: number, to: number): number {
  let i = from;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    i++;
  }
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < to; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit >= 0 && digit <= 9) {
      mantissa = mantissa * 10 + digit;
      digits++;
    } else if (digit === DOT - ZERO && fraction === -1) {
      fraction = digits;
    } else {
      return NaN;
    }
  }
  if (digits === 0 || digits > 15) return NaN;
  const scale = fraction === -1 ? 0 : digits - fraction;
  const value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number);
  return negative ? -value : value;
}

/**
 * Parses a value cell like Python's `float()`: decimal and exponent forms, `nan`, `inf`,
 * `infinity` (any case, optional sign). Hex/octal/binary literals and blank cells are not numbers.
 */
function parseFloatCell(text: string, from: number, to: number): number | undefined {
  if (from === to) return undefined;
  if (to - from <= 17) {
    const fast = parseShortDecimal(text, from, to);
    if (fast === fast) return fast;
  }
  const cell = text.slice(from, to);
  const value = Number(cell);
  if (value !== value) return parseSpecial(cell); // NaN: maybe "nan", "INF", …
  const first = text.charCodeAt(from);
  if (first === ZERO) {
    if (to - from > 2) {
      const marker = text.charCodeAt(from + 1) | 0x20;
      if (marker === 0x78 || marker === 0x6f || marker === 0x62) return undefined; // 0x 0o 0b
    }
    return value;
  }
  if (first <= 32 || value === 0) return checkOddNumber(cell, value);
  return value;
}

/**
 * The rare cells `Number()` reads differently from Python's `float()`: blank text (0 for
 * `Number`) and, after leading whitespace, hex/octal/binary literals.
 */
function checkOddNumber(cell: string, value: number): number | undefined {
  const trimmed = cell.trim();
  if (trimmed === "") return undefined;
  if (trimmed.length > 2 && trimmed.charCodeAt(0) === ZERO) {
    const marker = trimmed.charCodeAt(1) | 0x20;
    if (marker === 0x78 || marker === 0x6f || marker === 0x62) return undefined;
  }
  return value;
}

/** Cells `Number()` rejects: `nan`/`inf`/`infinity` spellings, and quoted numbers. */
function parseSpecial(cell: string): number | undefined {
  const unquoted = unquote(cell.trim());
  if (unquoted !== undefined) {
    return unquoted.length === 0 ? undefined : parseFloatCell(unquoted, 0, unquoted.length);
  }
  let token = cell.trim().toLowerCase();
  let sign = 1;
  const first = token.charCodeAt(0);
  if (first === MINUS || first === PLUS) {
    if (first === MINUS) sign = -1;
    token = token.slice(1);
  }
  if (token === "nan") return NaN;
  if (token === "inf" || token === "infinity") return sign * Infinity;
  return undefined;
}

/** Splits one CSV record with RFC 4180 quoting; only used for the header and odd rows. */
function splitQuoted(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (quoted) {
      if (char === '"') {
        if (line[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        cell += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ",") {
      cells.push(cell);
      cell = "";
    } else {
      cell += char;
    }
  }
  cells.push(cell);
  return cells;
}

/** Index of the first `\n` outside double quotes at or after `from`, or -1. */
function findRecordEnd(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) quoted = !quoted;
    else if (code === 10 && !quoted) return i;
  }
  return -1;
}

function countColumns(text: string, from: number, to: number): number {
  let count = 1;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === COMMA) count++;
  return count;
}

function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

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
    const count = line.includes('"')
      ? splitQuoted(line).length
      : countColumns(line, 0, line.length);
    if (count !== this.columns) {
      throw new ResponseError(
        `Cannot parse CSV export: header has ${count} columns, expected ${this.columns} (step, then a value and a timestamp column per key)`,
      );
    }
    this.#header = true;
  }

  /** Parses the row `text[from, to)` (no line break inside). */
  #row(text: string, from: number, to: number, emit: (row: ScalarCsvRow) => void): void {
    let comma = text.indexOf(",", from);
    let cellEnd = comma === -1 || comma > to ? to : comma;
    const step = parseIntCell(text, from, cellEnd);
    if (step !== step) { // NaN: not an integer step (SDK skips such rows)
      this.skipped++;
      return;
    }
    const keyCount = this.keyCount;
    const values = new Array<number | undefined>(keyCount);
    const timestamps = new Array<number | undefined>(keyCount);
    for (let i = 0; i < keyCount; i++) {
      if (cellEnd === to) return this.#oddRow(text, from, to, emit);
      let start = cellEnd + 1;
      comma = text.indexOf(",", start);
      cellEnd = comma === -1 || comma > to ? to : comma;
      values[i] = parseFloatCell(text, start, cellEnd);
      if (cellEnd === to) return this.#oddRow(text, from, to, emit);
      start = cellEnd + 1;
      comma = text.indexOf(",", start);
      cellEnd = comma === -1 || comma > to ? to : comma;
      if (start === cellEnd) {
        timestamps[i] = undefined;
      } else {
        const timestamp = parseIntCell(text, start, cellEnd);
        timestamps[i] = timestamp === timestamp ? timestamp : undefined;
      }
    }
    if (cellEnd !== to) return this.#oddRow(text, from, to, emit);
    emit({ step, values, timestamps });
  }

  /** A row with the wrong column count: re-split with quoting, else reject it. */
  #oddRow(text: string, from: number, to: number, emit: (row: ScalarCsvRow) => void): void {
    const line = text.slice(from, to);
    if (line.includes('"')) {
      const cells = splitQuoted(line);
      if (cells.length === this.columns) {
        const joined = cells.map((cell) => cell.replaceAll(",", " ")).join(",");
        return this.#row(joined, 0, joined.length, emit);
      }
    }
    throw new ResponseError(
      `Cannot parse CSV export: line ${this.#line} has ${
        countColumns(text, from, to)
      } columns, expected ${this.columns}`,
    );
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
