/**
 * The byte-level parser of the scalar-metrics CSV export, behind `scanMetrics`.
 *
 * Why hand-written, and why on bytes: full-resolution reads are 10⁷ points and more, and this is
 * their hot path. The string pipeline (`TextDecoderStream` → `CsvParseStream`: a decoded string
 * per chunk, a substring per line, and one object and one stream enqueue per row) took about
 * 600 ms of CPU for the `full-metrics` bench export (4 keys × 10⁶ steps, 80 MB, 3.1 M points, in
 * 64 KB chunks); this parser takes about 110 ms for the same chunks. It reads the UTF-8 bytes in
 * place, in one pass (no decoding, no line splitting, no substrings), and writes rows as a struct
 * of arrays (`Float64Array`s), a block of up to {@linkcode BLOCK_ROWS} rows at a time, so nothing
 * is allocated per row or per cell on the common path. Numbers are summed from their digits with
 * an exact fast path (see `#parseRow`); the loops have no bounds checks because only lines that
 * end in a line feed are parsed in place (a line cut by the chunk's end waits in a carry buffer).
 *
 * Semantics are those of `CsvParseStream` by construction: this parser handles the
 * plain cells itself (ASCII integers, plain decimals and exponent forms whose value it can compute
 * exactly, `NaN`, `INF`, `-INF`, empty cells) and hands everything else to the shared text-level
 * functions of `_csv_text.ts`: an odd value cell goes to `parseFloatCell` as a string, an odd row
 * (quotes, non-ASCII bytes, a wrong column count, an odd step or timestamp) is decoded and goes to
 * `parseTextRow` whole, and the header goes to `checkHeader`. Decoding a line on its own gives
 * the same text as decoding the whole stream, because a line feed never occurs inside a UTF-8
 * sequence and ends any incomplete one.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import { ResponseError } from "../core/errors.ts";
import { BOM, checkHeader, parseFloatCell, parseTextRow, POW10, withoutCr } from "./_csv_text.ts";

/** Rows per block: a block of 16 keys is then about 1 MB. */
export const BLOCK_ROWS = 2048;

const LF = 10;
const CR = 13;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const UPPER_E = 69;
const LOWER_E = 101;
const UPPER_I = 73;
const UPPER_N = 78;
const UPPER_F = 70;
const LOWER_A = 97;

/** 2⁵³: integers below it are exact doubles. */
const EXACT = 9007199254740992;

/**
 * Parses the export from byte chunks into blocks of rows.
 *
 * Use: `push(chunk)`, then call `next()` until it returns 0, reading the block's `rows` rows from
 * `steps`, `values`, `hasValue` and `timestamps` after each call (the arrays are reused by the
 * following call); at the end of the body call `finish()` (which may give one last row).
 *
 * The block layout: row `r` has step `steps[r]`; key `k` of row `r` is cell `r × keyCount + k`,
 * whose value `values[cell]` exists when `hasValue[cell]` is 1 (a value may be `NaN`), and whose
 * timestamp is `timestamps[cell]`, `NaN` when the cell is empty or not an integer.
 */
export class CsvByteParser {
  /** Number of keys (value/timestamp column pairs). */
  readonly keyCount: number;
  /** Rows in the current block. */
  rows = 0;
  /** Steps of the block's rows. */
  readonly steps: Float64Array;
  /** Values, `keyCount` per row. */
  readonly values: Float64Array;
  /** 1 where the value cell was not empty (and parsed), else 0. */
  readonly hasValue: Uint8Array;
  /** Timestamps, `keyCount` per row; `NaN` for none. */
  readonly timestamps: Float64Array;
  /** Rows skipped because their first cell was not an integer step. */
  skipped = 0;
  /** Lines read so far (the header is line 1). */
  line = 0;

  readonly #columns: number;
  /** Bytes of the chunks before `#input` (whose memory may be gone: a reader reuses it). */
  #before = 0;
  #inputLength = 0;
  #input: Uint8Array = new Uint8Array(0);
  #pos = 0;
  /** The position after the chunk's last line feed: every line before it is complete. */
  #limit = 0;
  /** The start of a line that the previous chunk(s) cut, or the header read so far. */
  #carry = new Uint8Array(256);
  #carryLength = 0;
  #header = false;
  #headerQuoted = false;
  #finished = false;
  readonly #lineDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

  /**
   * @param keyCount Number of keys, at least 1.
   */
  constructor(keyCount: number) {
    this.keyCount = keyCount;
    this.#columns = 1 + 2 * keyCount;
    this.steps = new Float64Array(BLOCK_ROWS);
    this.values = new Float64Array(BLOCK_ROWS * keyCount);
    this.hasValue = new Uint8Array(BLOCK_ROWS * keyCount);
    this.timestamps = new Float64Array(BLOCK_ROWS * keyCount);
  }

  /** Bytes of the body read up to the end of the current block (a cut line not counted). */
  get bytesParsed(): number {
    return this.#before + this.#pos - this.#carryLength;
  }

  /**
   * Hands over the next chunk of the body; call `next()` until it returns 0 before the next push.
   *
   * @param chunk Bytes; not modified, and not used after `next()` returned 0.
   */
  push(chunk: Uint8Array): void {
    if (this.#finished) throw new Error("CsvByteParser.push() after finish()");
    if (this.#pos < this.#input.length) {
      throw new Error("CsvByteParser.push() before the previous chunk was read");
    }
    this.#before += this.#inputLength;
    this.#inputLength = chunk.length;
    this.#input = chunk;
    this.#pos = 0;
    this.#limit = chunk.lastIndexOf(LF) + 1;
  }

  /**
   * Parses the next block of rows from the pushed chunk.
   *
   * @returns The number of rows in the block (`rows`); 0 once the chunk is used up.
   * @throws {ResponseError} For a bad header or a row with the wrong number of columns.
   */
  next(): number {
    this.rows = 0;
    const input = this.#input;
    const length = input.length;
    let pos = this.#pos;
    if (pos >= length) return 0;
    if (!this.#header) {
      pos = this.#readHeader(input, pos);
      if (!this.#header) {
        this.#pos = pos;
        return 0;
      }
    }
    const limit = this.#limit;
    if (this.#carryLength > 0 && pos < length) {
      // Complete the line the previous chunk(s) cut, in the carry buffer.
      if (limit === 0) {
        this.#appendCarry(input, pos, length);
        this.#pos = length;
        return 0;
      }
      const end = input.indexOf(LF, pos) + 1;
      this.#appendCarry(input, pos, end);
      this.#carryLength = 0;
      this.#parseRow(this.#carry, 0);
      pos = end;
    }
    // Every line in [pos, limit) ends with a line feed, which stops every scan of the row parser:
    // no bounds checks in its loops.
    while (pos < limit && this.rows < BLOCK_ROWS) pos = this.#parseRow(input, pos);
    if (pos >= limit && pos < length) {
      this.#appendCarry(input, pos, length);
      pos = length;
    }
    this.#pos = pos;
    return this.rows;
  }

  /**
   * Ends the body: checks the header was read and that the last line (without a line break) is a
   * complete row.
   *
   * @returns 0 or 1: the rows of the last block.
   * @throws {ResponseError} `the header row is missing`, `last row is cut after line N`, or a bad
   *   header or row.
   */
  finish(): number {
    if (this.#pos < this.#input.length) {
      throw new Error("CsvByteParser.finish() before the last chunk was read");
    }
    this.#finished = true;
    this.rows = 0;
    const carry = this.#carry;
    const carried = this.#carryLength;
    this.#carryLength = 0;
    if (!this.#header) {
      const line = withoutCr(decodeHeader(carry.subarray(0, carried)));
      if (line.length === 0) {
        throw new ResponseError("Cannot parse CSV export: the header row is missing");
      }
      this.line++;
      checkHeader(line, this.#columns);
      this.#header = true;
      return 0;
    }
    let end = carried;
    if (end > 0 && carry[end - 1] === CR) end--;
    if (end === 0) return 0;
    let columns = 1;
    for (let i = 0; i < end; i++) if (carry[i] === COMMA) columns++;
    if (columns !== this.#columns) {
      throw new ResponseError(`Cannot parse CSV export: last row is cut after line ${this.line}`);
    }
    // A complete last row without a line break: parse it as if it had one.
    const line = new Uint8Array(carried + 1);
    line.set(carry.subarray(0, carried));
    line[carried] = LF;
    this.#parseRow(line, 0);
    return this.rows;
  }

  /** Collects header bytes up to the first line feed outside quotes; checks the header there. */
  #readHeader(input: Uint8Array, pos: number): number {
    const length = input.length;
    let quoted = this.#headerQuoted;
    let i = pos;
    for (; i < length; i++) {
      const byte = input[i] as number;
      if (byte === QUOTE) quoted = !quoted;
      else if (byte === LF && !quoted) break;
    }
    this.#headerQuoted = quoted;
    this.#appendCarry(input, pos, i);
    if (i === length) return length;
    const header = decodeHeader(this.#carry.subarray(0, this.#carryLength));
    this.#carryLength = 0;
    this.line++;
    checkHeader(withoutCr(header), this.#columns);
    this.#header = true;
    return i + 1;
  }

  #appendCarry(input: Uint8Array, from: number, to: number): void {
    const needed = this.#carryLength + (to - from);
    if (needed > this.#carry.length) {
      const grown = new Uint8Array(Math.max(needed, this.#carry.length * 2));
      grown.set(this.#carry.subarray(0, this.#carryLength));
      this.#carry = grown;
    }
    this.#carry.set(input.subarray(from, to), this.#carryLength);
    this.#carryLength = needed;
  }

  /**
   * Parses the line at `buf[start]`, which ends with a line feed: a row (written to the block), a
   * blank line, or a skipped row.
   *
   * The fast path takes ASCII numbers, `NaN`/`INF`/`-INF` and empty cells in exactly
   * `1 + 2 × keyCount` columns; an odd value cell goes to `oddValueCell`, any other odd row to
   * `#slowRow`.
   *
   * @returns The position after the line feed.
   */
  #parseRow(buf: Uint8Array, start: number): number {
    let i = start;
    let byte = buf[i] as number;
    let negative = false;
    if (byte === MINUS || byte === PLUS) {
      negative = byte === MINUS;
      i++;
    }
    let step = readDigits(buf, i);
    if (buf[scanEnd] !== COMMA || scanEnd === i || scanEnd - i > 15) {
      return this.#slowRow(buf, start);
    }
    if (negative) step = 0 - step; // 0 - 0 is +0, like Python's int("-0")
    i = scanEnd;

    const keyCount = this.keyCount;
    const values = this.values;
    const hasValue = this.hasValue;
    const timestamps = this.timestamps;
    let cell = this.rows * keyCount;
    for (let k = 0; k < keyCount; k++, cell++) {
      // The value cell; `i` is on the comma before it.
      byte = buf[++i] as number;
      if (byte === COMMA) {
        hasValue[cell] = 0;
      } else {
        const cellStart = i;
        negative = false;
        if (byte === MINUS || byte === PLUS) {
          negative = byte === MINUS;
          i++;
        }
        // Clinger's fast path: a decimal whose digits, read as an integer m, stay below 2⁵³, and
        // whose scale is at most 10²² (exact as a double), is m × 10^e or m / 10^e in one
        // correctly rounded IEEE operation: exactly what `Number(text)` returns. (Once m passes
        // 2⁵³ it may be inexact, but it stays ≥ 2⁵³, so the check still rejects it.)
        let mantissa = readDigits(buf, i);
        let digits = scanEnd - i;
        i = scanEnd;
        byte = buf[i] as number;
        let scale = 0;
        if (byte === DOT) {
          const fraction = readDigits(buf, ++i);
          scale = scanEnd - i;
          i = scanEnd;
          byte = buf[i] as number;
          if (scale > 0) mantissa = mantissa * (POW10[scale] ?? Infinity) + fraction;
          digits += scale;
        }
        let value = NaN;
        let plain = true;
        if (byte === COMMA && digits > 0 && mantissa < EXACT && scale <= 22) {
          value = scale === 0 ? mantissa : mantissa / (POW10[scale] as number);
        } else if ((byte === LOWER_E || byte === UPPER_E) && digits > 0 && mantissa < EXACT) {
          value = exponentValue(buf, i, mantissa, scale);
          plain = value === value;
          if (plain) i = scanEnd;
        } else if (
          digits === 0 && !negative && byte === UPPER_N && buf[i + 1] === LOWER_A &&
          buf[i + 2] === UPPER_N && buf[i + 3] === COMMA
        ) {
          i += 3; // "NaN", the server's spelling (others take the odd-cell path)
        } else if (
          digits === 0 && byte === UPPER_I && buf[i + 1] === UPPER_N && buf[i + 2] === UPPER_F &&
          buf[i + 3] === COMMA
        ) {
          i += 3;
          value = Infinity; // "INF" and "-INF", the server's spellings
        } else {
          plain = false;
        }
        if (plain) {
          values[cell] = negative ? -value : value;
          hasValue[cell] = 1;
        } else {
          // Any other cell (17-digit doubles, `nan`, `1e400`, blanks…) is read as text.
          value = oddValueCell(buf, cellStart);
          if (oddCell === ODD_ROW) return this.#slowRow(buf, start);
          i = scanEnd;
          values[cell] = value;
          hasValue[cell] = oddCell === VALUE ? 1 : 0;
        }
      }
      // The timestamp cell; `i` is on the comma before it.
      byte = buf[++i] as number;
      negative = false;
      if (byte === MINUS || byte === PLUS) {
        negative = byte === MINUS;
        i++;
      }
      let timestamp = readDigits(buf, i);
      const timestampDigits = scanEnd - i;
      i = scanEnd;
      byte = buf[i] as number;
      if (timestampDigits === 0) {
        timestamp = NaN; // empty, or a lone sign: no timestamp either way
      } else if (timestampDigits > 15) {
        return this.#slowRow(buf, start);
      } else if (negative) {
        timestamp = 0 - timestamp;
      }
      if (k + 1 < keyCount) {
        if (byte !== COMMA) return this.#slowRow(buf, start);
      } else if (byte === CR && buf[i + 1] === LF) {
        i++;
      } else if (byte !== LF) {
        return this.#slowRow(buf, start);
      }
      timestamps[cell] = timestamp;
    }
    this.steps[this.rows++] = step;
    this.line++;
    return i + 1;
  }

  /** Any other line: decoded and parsed by the text parser (blank lines are skipped). */
  #slowRow(buf: Uint8Array, start: number): number {
    const newline = buf.indexOf(LF, start);
    this.line++;
    let end = newline;
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) return newline + 1;
    const text = this.#lineDecoder.decode(buf.subarray(start, end));
    const row = parseTextRow(text, 0, text.length, this.keyCount, this.line);
    if (row === null) {
      this.skipped++;
      return newline + 1;
    }
    const keyCount = this.keyCount;
    let cell = this.rows * keyCount;
    for (let k = 0; k < keyCount; k++, cell++) {
      const value = row.values[k];
      const timestamp = row.timestamps[k];
      this.values[cell] = value ?? 0;
      this.hasValue[cell] = value === undefined ? 0 : 1;
      this.timestamps[cell] = timestamp ?? NaN;
    }
    this.steps[this.rows++] = row.step;
    return newline + 1;
  }
}

/** Where the last `readDigits`, `exponentValue` or `oddValueCell` call stopped. */
let scanEnd = 0;

/** `oddValueCell` results: a value, no value (empty or not a number), or a row for the text path. */
const VALUE = 0;
const NO_VALUE = 1;
const ODD_ROW = 2;
let oddCell = VALUE;

/**
 * Reads the value cell at `buf[start]` that the fast path could not, as text with the text
 * parser's `parseFloatCell` (Python `float()` rules), and sets `scanEnd` to the comma after it
 * and `oddCell`. A cell with a quote or a non-ASCII byte, or without a comma before the line
 * feed (too few columns), gives `ODD_ROW`: the whole row then goes to the text path.
 */
function oddValueCell(buf: Uint8Array, start: number): number {
  let i = start;
  for (let byte = buf[i] as number; byte !== COMMA; byte = buf[++i] as number) {
    if (byte === LF || byte === QUOTE || byte >= 0x80) {
      oddCell = ODD_ROW;
      return 0;
    }
  }
  scanEnd = i;
  const value = parseFloatCell(ascii(buf, start, i), 0, i - start);
  oddCell = value === undefined ? NO_VALUE : VALUE;
  return value ?? 0;
}

/**
 * Reads the run of ASCII digits at `buf[i]` as an integer (exact up to 2⁵³; above, at least 2⁵³)
 * and sets `scanEnd` to the first byte after it. The run must be followed by a non-digit byte
 * inside `buf` (the line feed at worst).
 *
 * Digits are summed nine at a time in small-integer arithmetic: a chain of double multiply-adds
 * has about four times the latency per digit, and a row of the bench has about 90 digits.
 */
function readDigits(buf: Uint8Array, i: number): number {
  let digit = (buf[i] as number) - ZERO;
  if (digit >>> 0 > 9) {
    scanEnd = i;
    return 0;
  }
  let high = digit;
  const highEnd = i + 9;
  while ((digit = (buf[++i] as number) - ZERO) >>> 0 <= 9 && i < highEnd) high = high * 10 + digit;
  if (digit >>> 0 > 9) {
    scanEnd = i;
    return high;
  }
  let low = digit;
  const lowStart = i;
  const lowEnd = i + 9;
  while ((digit = (buf[++i] as number) - ZERO) >>> 0 <= 9 && i < lowEnd) low = low * 10 + digit;
  let value = high * (POW10[i - lowStart] as number) + low;
  while (digit >>> 0 <= 9) {
    value = value * 10 + digit;
    digit = (buf[++i] as number) - ZERO;
  }
  scanEnd = i;
  return value;
}

/**
 * The value of a cell with digits `mantissa` (< 2⁵³) and `scale` fractional digits whose exponent
 * starts at `buf[i]` (`e`/`E`), when it is a plain exponent followed by a comma and the value can
 * be computed exactly (Clinger); else `NaN`. Sets `scanEnd` to the comma.
 */
function exponentValue(buf: Uint8Array, i: number, mantissa: number, scale: number): number {
  let byte = buf[++i] as number;
  let negative = false;
  if (byte === MINUS || byte === PLUS) {
    negative = byte === MINUS;
    byte = buf[++i] as number;
  }
  const start = i;
  let exponent = 0;
  while (byte >= ZERO && byte <= ZERO + 9 && i - start < 4) {
    exponent = exponent * 10 + (byte - ZERO);
    byte = buf[++i] as number;
  }
  if (i === start || byte !== COMMA) return NaN;
  scanEnd = i;
  const power = (negative ? -exponent : exponent) - scale;
  if (mantissa === 0) return 0;
  if (power >= 0 && power <= 22) return mantissa * (POW10[power] as number);
  if (power < 0 && power >= -22) return mantissa / (POW10[-power] as number);
  return NaN;
}

/** The header bytes as text: UTF-8, without up to two byte-order marks (decoder, then parser). */
function decodeHeader(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes);
  return text.startsWith(BOM) ? text.slice(1) : text;
}

const asciiDecoder = new TextDecoder();

/** The ASCII bytes `buf[from, to)` as a string. */
function ascii(buf: Uint8Array, from: number, to: number): string {
  // `fromCharCode` is cheaper for the short cells that come here (17-digit doubles, `nan`…), but
  // takes one argument per byte: long cells go to the decoder.
  return to - from > 64
    ? asciiDecoder.decode(buf.subarray(from, to))
    : String.fromCharCode.apply(null, buf.subarray(from, to) as unknown as number[]);
}
