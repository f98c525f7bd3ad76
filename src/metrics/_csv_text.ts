/**
 * Text-level pieces of the scalar-metrics CSV export parser, shared by the string parser behind
 * `CsvParseStream` and the byte parser behind `scanMetrics` (`_csv_bytes.ts`): cell
 * parsing with Python `float()`/`int()` semantics, the header check and the row parser with its
 * quoted-row and error handling. The byte parser handles plain rows itself and hands every odd
 * cell or row to these functions, so both parsers agree by construction.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import { ResponseError } from "../core/errors.ts";
import type { ScalarCsvRow } from "./csv_parse_stream.ts";

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const MINUS = 45;
const PLUS = 43;
const ZERO = 48;
const DOT = 46;
export const BOM = "\uFEFF";

/** Parses `text[from, to)` as an integer (optional sign, digits, outer spaces); NaN otherwise. */
export function parseIntCell(text: string, from: number, to: number): number {
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
export const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

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
export function parseFloatCell(text: string, from: number, to: number): number | undefined {
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
export function findRecordEnd(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) quoted = !quoted;
    else if (code === 10 && !quoted) return i;
  }
  return -1;
}

/** The number of columns of `text[from, to)`, counting every comma (quoted or not). */
export function countColumns(text: string, from: number, to: number): number {
  let count = 1;
  for (let i = from; i < to; i++) if (text.charCodeAt(i) === COMMA) count++;
  return count;
}

/** The line without one trailing `\r`. */
export function withoutCr(line: string): string {
  return line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;
}

/**
 * Checks the header line (without its line break and BOM): it must have `columns` columns, a
 * quoted cell counting as one.
 *
 * @throws {ResponseError} When the count differs.
 */
export function checkHeader(line: string, columns: number): void {
  const count = line.includes('"') ? splitQuoted(line).length : countColumns(line, 0, line.length);
  if (count !== columns) {
    throw new ResponseError(
      `Cannot parse CSV export: header has ${count} columns, expected ${columns} (step, then a value and a timestamp column per key)`,
    );
  }
}

/**
 * Parses the data row `text[from, to)` (no line break inside) of an export with `keyCount` keys.
 *
 * @param line The row's line number, for error messages.
 * @returns The row, or `null` when its first cell is not an integer step (the SDK skips such rows).
 * @throws {ResponseError} When the row has the wrong number of columns (after RFC 4180 quoting).
 */
export function parseTextRow(
  text: string,
  from: number,
  to: number,
  keyCount: number,
  line: number,
): ScalarCsvRow | null {
  let comma = text.indexOf(",", from);
  let cellEnd = comma === -1 || comma > to ? to : comma;
  const step = parseIntCell(text, from, cellEnd);
  if (step !== step) return null; // NaN: not an integer step
  const values = new Array<number | undefined>(keyCount);
  const timestamps = new Array<number | undefined>(keyCount);
  for (let i = 0; i < keyCount; i++) {
    if (cellEnd === to) return parseOddRow(text, from, to, keyCount, line);
    let start = cellEnd + 1;
    comma = text.indexOf(",", start);
    cellEnd = comma === -1 || comma > to ? to : comma;
    values[i] = parseFloatCell(text, start, cellEnd);
    if (cellEnd === to) return parseOddRow(text, from, to, keyCount, line);
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
  if (cellEnd !== to) return parseOddRow(text, from, to, keyCount, line);
  return { step, values, timestamps };
}

/** A row with the wrong column count: re-split with quoting, else reject it. */
function parseOddRow(
  text: string,
  from: number,
  to: number,
  keyCount: number,
  line: number,
): ScalarCsvRow | null {
  const columns = 1 + 2 * keyCount;
  const row = text.slice(from, to);
  if (row.includes('"')) {
    const cells = splitQuoted(row);
    if (cells.length === columns) {
      const joined = cells.map((cell) => cell.replaceAll(",", " ")).join(",");
      return parseTextRow(joined, 0, joined.length, keyCount, line);
    }
  }
  throw new ResponseError(
    `Cannot parse CSV export: line ${line} has ${
      countColumns(text, from, to)
    } columns, expected ${columns}`,
  );
}
