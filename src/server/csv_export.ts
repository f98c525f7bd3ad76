/**
 * Streaming CSV for scalar exports, in the wide layout the Python SDK parses:
 *
 * ```text
 * step,<exp>-<key1>_step,<exp>-<key1>_timestamp,<exp>-<key2>_step,<exp>-<key2>_timestamp
 * 0,2.301,1722470401000,,
 * ```
 *
 * One row per step (ordered), empty cells where a key has no point. Rows are generated on
 * demand in large string chunks under `ReadableStream` backpressure.
 *
 * @module
 */

import type { KeySeries } from "./metric_source.ts";

/**
 * One exported column pair (`<header>_step`, `<header>_timestamp`).
 *
 * @example A column
 * ```ts
 * import type { CsvColumn } from "./csv_export.ts";
 * const col: CsvColumn = { header: "run-1-loss", series: undefined, timestamp: (s) => s * 100 };
 * ```
 */
export interface CsvColumn {
  /** `<experimentName>-<key>`. */
  header: string;
  /** The series, or `undefined` when the run has no such key (all cells empty). */
  series: KeySeries | undefined;
  /** Timestamp (ms) of a step of this column's run. */
  timestamp: (step: number) => number;
}

/** Target size of one emitted chunk, in bytes. */
const CHUNK_BYTES = 1 << 18;

const NAN = [78, 97, 78]; // "NaN"
const INF = [73, 78, 70]; // "INF"

/**
 * Formats a metric value the way the export writes it (`NaN`, `INF`, `-INF` for non-finite).
 *
 * Finite values are written with at most six decimals, trailing zeros removed, which is the
 * exact decimal form of the (six-decimal quantized) metric values.
 *
 * @example Format values
 * ```ts
 * import { formatCsvNumber } from "./csv_export.ts";
 * formatCsvNumber(0.5); // "0.5"
 * formatCsvNumber(-Infinity); // "-INF"
 * ```
 */
export function formatCsvNumber(v: number): string {
  const w = new ByteWriter(64);
  w.value(v);
  return new TextDecoder().decode(w.buf.subarray(0, w.pos));
}

/** Writes ASCII digits straight into a byte buffer (no intermediate strings). */
class ByteWriter {
  buf: Uint8Array;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
  }
  byte(b: number): void {
    this.buf[this.pos++] = b;
  }
  bytes(list: readonly number[]): void {
    for (const b of list) this.buf[this.pos++] = b;
  }
  ascii(text: string): void {
    for (let i = 0; i < text.length; i++) this.buf[this.pos++] = text.charCodeAt(i);
  }
  /** Non-negative integer below 2^31. */
  smallInt(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.pos++] = 48 + n;
      return;
    }
    let len = 1;
    for (let t = n; t >= 10; t = (t / 10) | 0) len++;
    let p = this.pos + len;
    this.pos = p;
    while (n >= 10) {
      const q = (n / 10) | 0;
      buf[--p] = 48 + n - q * 10;
      n = q;
    }
    buf[--p] = 48 + n;
  }
  /** Exactly `width` digits of a non-negative integer below 10^width. */
  padded(n: number, width: number): void {
    const buf = this.buf;
    let p = this.pos + width;
    this.pos = p;
    for (let i = 0; i < width; i++) {
      const q = (n / 10) | 0;
      buf[--p] = 48 + n - q * 10;
      n = q;
    }
  }
  /** Any integer that is exactly representable. */
  int(n: number): void {
    if (n < 0) {
      this.byte(45);
      n = -n;
    }
    if (n < 2147483648) {
      this.smallInt(n);
    } else if (n < 2147483648e6) {
      const hi = Math.floor(n / 1e6);
      this.smallInt(hi);
      this.padded(n - hi * 1e6, 6);
    } else {
      this.ascii(String(n));
    }
  }
  value(v: number): void {
    if (v !== v) return this.bytes(NAN);
    if (v === Infinity) return this.bytes(INF);
    if (v === -Infinity) {
      this.byte(45);
      return this.bytes(INF);
    }
    const k = Math.round(v * 1e6);
    if (k / 1e6 !== v || Math.abs(k) >= 2147483648e6) {
      // Not a six-decimal value (or too large): fall back to the JS shortest form.
      return this.ascii(String(v));
    }
    let a = k;
    if (a < 0) {
      this.byte(45);
      a = -a;
    }
    const ip = Math.floor(a / 1e6);
    let fp = a - ip * 1e6;
    this.int(ip);
    if (fp === 0) return;
    let width = 6;
    while (fp % 10 === 0) {
      fp /= 10;
      width--;
    }
    this.byte(46);
    this.padded(fp, width);
  }
}

function quoteCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Returns the CSV header line (with its trailing newline).
 *
 * @example Header of one column
 * ```ts
 * import { csvHeader } from "./csv_export.ts";
 * csvHeader([{ header: "exp-loss", series: undefined, timestamp: (s) => s }]);
 * // "step,exp-loss_step,exp-loss_timestamp\n"
 * ```
 */
export function csvHeader(columns: readonly CsvColumn[]): string {
  let line = "step";
  for (const c of columns) {
    line += "," + quoteCell(`${c.header}_step`) + "," + quoteCell(`${c.header}_timestamp`);
  }
  return line + "\n";
}

/**
 * Creates the export stream. Memory stays constant whatever the number of points.
 *
 * @param columns exported columns, in request order
 * @returns a byte stream of CSV text
 *
 * @example Count lines of an export
 * ```ts
 * import { createCsvExportStream } from "./csv_export.ts";
 * import { createRunMetrics } from "./metric_source.ts";
 * const m = createRunMetrics({ seed: 1, runSeed: 1, steps: 10, startMs: 0, lr: 0.1, extraKeys: 0 });
 * const stream = createCsvExportStream([
 *   { header: "r-lr", series: m.series("lr"), timestamp: m.timestamp },
 * ]);
 * const text = await new Response(stream).text(); // header + 10 rows
 * ```
 */
export function createCsvExportStream(columns: readonly CsvColumn[]): ReadableStream<Uint8Array> {
  if (columns.some((c) => c.series !== undefined && c.series.every <= 0)) {
    return createMergedCsvStream(columns);
  }
  const encoder = new TextEncoder();
  const cols = columns.map((c) => ({
    every: c.series?.every ?? 1,
    last: c.series && c.series.count > 0 ? c.series.stepAt(c.series.count - 1) : -1,
    value: c.series?.value ?? ((): number => NaN),
    timestamp: c.timestamp,
  }));
  let stride = 0;
  let maxStep = -1;
  for (const c of cols) {
    if (c.last < 0) continue;
    stride = stride === 0 ? c.every : gcd(stride, c.every);
    if (c.last > maxStep) maxStep = c.last;
  }
  let header: string | undefined = csvHeader(columns);
  let step = 0;
  const ncols = cols.length;
  const maxRow = 24 + ncols * 48;
  const size = Math.max(CHUNK_BYTES, maxRow * 4);
  return new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (header !== undefined) {
        controller.enqueue(encoder.encode(header));
        header = undefined;
        if (step > maxStep) controller.close();
        return;
      }
      const w = new ByteWriter(size);
      const limit = size - maxRow;
      while (w.pos < limit && step <= maxStep) {
        const s = step;
        step += stride;
        let any = false;
        for (let i = 0; i < ncols; i++) {
          const c = cols[i]!;
          if (s <= c.last && s % c.every === 0) {
            any = true;
            break;
          }
        }
        if (!any) continue;
        w.int(s);
        for (let i = 0; i < ncols; i++) {
          const c = cols[i]!;
          w.byte(44);
          if (s <= c.last && s % c.every === 0) {
            w.value(c.value(s));
            w.byte(44);
            const t = c.timestamp(s);
            // A stored point may have no timestamp (NaN): its cell stays empty.
            if (t === t) w.int(t);
          } else {
            w.byte(44);
          }
        }
        w.byte(10);
      }
      if (w.pos > 0) controller.enqueue(w.buf.subarray(0, w.pos));
      if (step > maxStep) controller.close();
    },
  }, { highWaterMark: 1 });
}

/**
 * The export of series with irregular steps (stored series): rows are the union of the columns'
 * steps, found by walking each column's points in order. Memory stays constant.
 */
function createMergedCsvStream(columns: readonly CsvColumn[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const cols = columns.map((c) => ({
    series: c.series,
    count: c.series?.count ?? 0,
    next: 0,
    timestamp: c.timestamp,
  }));
  let header: string | undefined = csvHeader(columns);
  const ncols = cols.length;
  const maxRow = 24 + ncols * 48;
  const size = Math.max(CHUNK_BYTES, maxRow * 4);
  const nextStep = (): number => {
    let min = Infinity;
    for (const c of cols) {
      if (c.next < c.count) {
        const s = c.series!.stepAt(c.next);
        if (s < min) min = s;
      }
    }
    return min;
  };
  return new ReadableStream<Uint8Array>({
    pull(controller): void {
      if (header !== undefined) {
        controller.enqueue(encoder.encode(header));
        header = undefined;
        return;
      }
      const w = new ByteWriter(size);
      const limit = size - maxRow;
      let step = nextStep();
      while (w.pos < limit && step !== Infinity) {
        w.int(step);
        for (let i = 0; i < ncols; i++) {
          const c = cols[i]!;
          w.byte(44);
          if (c.next < c.count && c.series!.stepAt(c.next) === step) {
            w.value(c.series!.value(step));
            w.byte(44);
            const t = c.timestamp(step);
            if (t === t) w.int(t);
            c.next++;
          } else {
            w.byte(44);
          }
        }
        w.byte(10);
        step = nextStep();
      }
      if (w.pos > 0) controller.enqueue(w.buf.subarray(0, w.pos));
      if (step === Infinity) controller.close();
    },
  }, { highWaterMark: 1 });
}
