/**
 * Private: encodes row groups of long-format metric rows (`run`, `key`, `step`, `value`,
 * `timestamp`) straight from typed columns into Parquet pages.
 *
 * Why not `ParquetWriter.write`: on this fixed schema hyparquet-writer 0.17 spends most of its
 * time in per-value generic work (an INT64 range check and statistics pass over `BigInt`s, page
 * size estimation per value, a dictionary trial, `BigInt` delta packing of timestamps), about
 * 0.7-0.9 µs per row, which made Parquet encoding the bottleneck of project exports and mirrors
 * (bench (f) and (h)). Here each column is encoded in one or two tight passes over a
 * `Float64Array` (or over the row group's strings, for the dictionary of `run` and `key`); the
 * measured gain is in `bench/parquet_encode.ts`. Everything format-related that is not a hot loop
 * is still hyparquet-writer's: the page headers and file footer (Thrift), statistics
 * serialization, and the `BigInt` delta packing of the rare page whose deltas do not fit 46 bits. Snappy is
 * `_snappy_compressor.ts` (the same bytes as hyparquet-writer's, about 2.5 times faster).
 *
 * Layout written (one page per column chunk): `run`/`key` as `RLE_DICTIONARY` with a `PLAIN`
 * dictionary page, `step` and `timestamp` as `DELTA_BINARY_PACKED` (all three as hyparquet-writer
 * writes them), `value` as `BYTE_STREAM_SPLIT` (hyparquet-writer writes `PLAIN`; see `#doubles`
 * for why; DuckDB, Polars, Spark 3.2+, pyarrow and hyparquet read it); data pages v2; chunk
 * statistics (min, max, null count, NaN count for `value`).
 *
 * @module
 */

import type { ByteWriter } from "hyparquet-writer";
import { writePageHeader } from "hyparquet-writer/src/datapage.js";
import { deltaBinaryPack } from "hyparquet-writer/src/delta.js";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";
import { ByteWriter as PageWriter } from "hyparquet-writer";
import type { ParquetCompression } from "./parquet_options.ts";
import { SnappyCompressor } from "./_snappy_compressor.ts";

// hyparquet-writer's own view of the Parquet types (it pins its own hyparquet version).
type FileMetaData = Parameters<typeof writeMetadata>[1];
type RowGroup = FileMetaData["row_groups"][number];
type ColumnChunk = RowGroup["columns"][number];
type SchemaElement = FileMetaData["schema"][number];
type Statistics = NonNullable<NonNullable<ColumnChunk["meta_data"]>["statistics"]>;
type Encoding = NonNullable<ColumnChunk["meta_data"]>["encodings"][number];

/**
 * A string column as indexes into a list of distinct strings (the list may hold strings no row
 * uses; the column's dictionary holds only those used, in order of first use).
 */
export interface IndexedStrings {
  strings: readonly string[];
  indexes: Int32Array | Uint16Array;
}

/** One row group's columns: `length` rows; a `NaN` timestamp is a missing one. */
export interface MetricGroupColumns {
  length: number;
  runs: IndexedStrings | undefined;
  keys: IndexedStrings;
  steps: Float64Array;
  values: Float64Array;
  timestamps: Float64Array;
}

const LITTLE_ENDIAN = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const utf8 = new TextEncoder();
/** Shared by every encoder: each result is copied to the writer before the next page. */
const snappy = new SnappyCompressor();
/** Dictionary indexes and definition levels of the column being encoded (reused). */
let scratchIndexes = new Int32Array(0);
let scratchLevels = new Uint8Array(0);
/** The value column's `BYTE_STREAM_SPLIT` bytes (reused). */
let scratchSplit = new Uint8Array(0);

/** The Parquet schema of metric rows, with or without the `run` column. */
export function metricSchema(includeRun: boolean): SchemaElement[] {
  const columns: SchemaElement[] = [
    ...(includeRun
      ? [{ name: "run", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" }]
      : []) as SchemaElement[],
    { name: "key", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
    { name: "step", type: "INT64", repetition_type: "REQUIRED" },
    { name: "value", type: "DOUBLE", repetition_type: "REQUIRED" },
    { name: "timestamp", type: "INT64", repetition_type: "OPTIONAL" },
  ];
  return [{ name: "root", num_children: columns.length }, ...columns];
}

/** A growable byte buffer for one page's values. */
class PageBytes {
  bytes: Uint8Array;
  length = 0;

  constructor(size = 1 << 16) {
    this.bytes = new Uint8Array(size);
  }

  reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  varint(value: number): void {
    this.reserve(10);
    while (value >= 0x80) {
      this.bytes[this.length++] = (value % 0x80) + 0x80;
      value = Math.floor(value / 0x80);
    }
    this.bytes[this.length++] = value;
  }

  /** Zigzag varint of a safe integer (once per block; `BigInt` keeps the widest exact). */
  zigzag(value: number): void {
    if (value <= 2 ** 51 && value >= -(2 ** 51)) {
      // 2|v| <= 2^52: exact as a double, and `varint` divides exactly.
      this.varint(value < 0 ? -2 * value - 1 : 2 * value);
      return;
    }
    let z = BigInt(value);
    z = z < 0n ? (-z << 1n) - 1n : z << 1n;
    this.reserve(10);
    while (z >= 0x80n) {
      this.bytes[this.length++] = Number(z & 0x7fn) | 0x80;
      z >>= 7n;
    }
    this.bytes[this.length++] = Number(z);
  }

  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * The RLE/bit-packed hybrid of `values` (dictionary indexes, definition levels) at `width` bits
 * (at most 24): the same runs and groups, so the same bytes, as hyparquet-writer's
 * `writeRleBitPackedHybrid`, which appends byte by byte through a bounds-checked `ByteWriter`.
 */
function rleBitPacked(
  values: Int32Array | Uint8Array,
  n: number,
  width: number,
  out: PageBytes,
): void {
  let groups = 0;
  let groupsStart = 0;
  let i = 0;
  while (i < n) {
    const first = values[i] as number;
    let run = 1;
    while (i + run < n && values[i + run] === first) run++;
    if (run >= 8) {
      if (groups > 0) bitPacked(values, n, groupsStart, groups, width, out);
      groups = 0;
      out.varint(run * 2);
      const bytes = (width + 7) >> 3;
      out.reserve(bytes);
      for (let b = 0; b < bytes; b++) out.bytes[out.length++] = (first >> (b << 3)) & 0xff;
      i += run;
    } else {
      if (groups === 0) groupsStart = i;
      groups++;
      i += 8;
    }
  }
  if (groups > 0) bitPacked(values, n, groupsStart, groups, width, out);
}

/** `groups` bit-packed groups of 8 values from `start` (values from `n` on are 0). */
function bitPacked(
  values: Int32Array | Uint8Array,
  n: number,
  start: number,
  groups: number,
  width: number,
  out: PageBytes,
): void {
  out.varint(groups * 2 + 1);
  if (width === 0) return;
  out.reserve(groups * width + 1);
  const bytes = out.bytes;
  const mask = (1 << width) - 1;
  const end = start + groups * 8;
  let at = out.length;
  let buffer = 0;
  let used = 0;
  for (let i = start; i < end; i++) {
    buffer |= (i < n ? (values[i] as number) & mask : 0) << used;
    used += width;
    while (used >= 8) {
      bytes[at++] = buffer & 0xff;
      buffer >>>= 8;
      used -= 8;
    }
  }
  if (used > 0) bytes[at++] = buffer & 0xff;
  out.length = at;
}

const BLOCK = 128;
const MINIBLOCKS = 4;
const PER_MINIBLOCK = 32;
/** Widest adjusted delta packed with exact `Number` arithmetic (wider: the `BigInt` path). */
const MAX_WIDTH = 46;
const blockDeltas = new Float64Array(BLOCK);

function bitWidth(value: number): number {
  if (value < 4294967296) return 32 - Math.clz32(value);
  return 64 - Math.clz32(Math.floor(value / 4294967296));
}

/**
 * `DELTA_BINARY_PACKED` of safe integers held as doubles, byte-identical to hyparquet-writer's
 * encoding (block 128, 4 miniblocks). Returns false (the output is then garbage) when a block
 * needs more than {@linkcode MAX_WIDTH} bits, where `Number` arithmetic would not be exact.
 */
function deltaPack(values: Float64Array, n: number, out: PageBytes): boolean {
  out.varint(BLOCK);
  out.varint(MINIBLOCKS);
  out.varint(n);
  if (n === 0) {
    out.varint(0);
    return true;
  }
  out.zigzag(values[0] as number);
  // The column's statistics, in the same pass (`packedStats`, valid when this returns true).
  let low = values[0] as number;
  let high = low;
  let index = 1;
  while (index < n) {
    const end = Math.min(index + BLOCK, n);
    const size = end - index;
    let min = Infinity;
    let previous = values[index - 1] as number;
    for (let j = 0; j < size; j++) {
      const value = values[index + j] as number;
      const delta = value - previous;
      previous = value;
      blockDeltas[j] = delta;
      if (delta < min) min = delta;
      if (value < low) low = value;
      else if (value > high) high = value;
    }
    // Deltas of safe integers are exact up to 2^53; |min| <= 2^52 and every adjusted delta
    // < 2^46 keep every delta below 2^53, so all of it is exact.
    if (!(Math.abs(min) <= 2 ** 52)) return false;
    out.zigzag(min);
    out.reserve(MINIBLOCKS + BLOCK * 8);
    const bytes = out.bytes;
    const widthsAt = out.length;
    out.length += MINIBLOCKS;
    for (let mb = 0; mb < MINIBLOCKS; mb++) {
      const start = mb * PER_MINIBLOCK;
      const stop = Math.min(start + PER_MINIBLOCK, size);
      let max = 0;
      for (let j = start; j < stop; j++) {
        const adjusted = (blockDeltas[j] as number) - min;
        if (adjusted > max) max = adjusted;
      }
      const width = max === 0 ? 0 : bitWidth(max);
      if (width > MAX_WIDTH) return false;
      bytes[widthsAt + mb] = width;
      if (width === 0) continue;
      let at = out.length;
      if (width === 8 && stop - start === PER_MINIBLOCK) {
        // A byte per delta (timestamps a few hundred ms apart, say).
        for (let j = start; j < stop; j++) bytes[at++] = (blockDeltas[j] as number) - min;
      } else if (width <= 4 && stop - start === PER_MINIBLOCK) {
        // Eight deltas fill `width` bytes exactly (steps in long format: width 1 or 2).
        for (let j = start; j < stop; j += 8) {
          let eight = 0;
          for (let e = 0; e < 8; e++) {
            eight |= ((blockDeltas[j + e] as number) - min) << (e * width);
          }
          for (let b = 0; b < width; b++) bytes[at++] = eight >>> (b * 8);
        }
      } else if (width <= 24) {
        let buffer = 0;
        let used = 0;
        for (let j = 0; j < PER_MINIBLOCK; j++) {
          const adjusted = start + j < stop ? (blockDeltas[start + j] as number) - min : 0;
          buffer |= adjusted << used;
          used += width;
          while (used >= 8) {
            bytes[at++] = buffer & 0xff;
            buffer >>>= 8;
            used -= 8;
          }
        }
      } else {
        let buffer = 0;
        let used = 0;
        for (let j = 0; j < PER_MINIBLOCK; j++) {
          const adjusted = start + j < stop ? (blockDeltas[start + j] as number) - min : 0;
          buffer += adjusted * 2 ** used;
          used += width;
          while (used >= 8) {
            bytes[at++] = buffer % 0x100;
            buffer = Math.floor(buffer / 0x100);
            used -= 8;
          }
        }
      }
      out.length = at;
    }
    index = end;
  }
  packedStats.min = low;
  packedStats.max = high;
  return true;
}

/** The min and max of the values `deltaPage` packed last (`undefined`: no values). */
const packedStats: IntegerStats = { min: undefined, max: undefined };

/** The page buffer of `deltaPage` (its result is copied to the writer before the next call). */
const deltaBytes = new PageBytes();

function deltaPage(values: Float64Array, n: number): Uint8Array {
  const out = deltaBytes;
  out.length = 0;
  out.reserve(32 + Math.ceil(n / BLOCK) * (16 + MINIBLOCKS));
  packedStats.min = undefined;
  packedStats.max = undefined;
  if (deltaPack(values, n, out)) return out.view();
  const { min, max } = integerStats(values, n);
  packedStats.min = min;
  packedStats.max = max;
  const wide = new BigInt64Array(n);
  for (let i = 0; i < n; i++) wide[i] = BigInt(values[i] as number);
  const writer = new PageWriter();
  deltaBinaryPack(writer, wide, "INT64");
  return writer.getBytes();
}

/**
 * `BYTE_STREAM_SPLIT` of `n` doubles into a reused buffer (valid until the next call): stream
 * `b` holds byte `b` (little-endian) of every value. Two 32-bit reads per value, eight stores;
 * the min, max and NaN count (`splitStats`) in the same pass.
 */
function byteStreamSplit(values: Float64Array, n: number): Uint8Array {
  if (scratchSplit.length < n * 8) scratchSplit = new Uint8Array(n * 8);
  const out = scratchSplit;
  let min = Infinity;
  let max = -Infinity;
  let nans = 0;
  if (LITTLE_ENDIAN) {
    // The value's two words hold its bytes in order.
    const words = new Uint32Array(values.buffer, values.byteOffset, n * 2);
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (v !== v) nans++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const lo = words[2 * i] as number;
      const hi = words[2 * i + 1] as number;
      out[i] = lo;
      out[n + i] = lo >>> 8;
      out[2 * n + i] = lo >>> 16;
      out[3 * n + i] = lo >>> 24;
      out[4 * n + i] = hi;
      out[5 * n + i] = hi >>> 8;
      out[6 * n + i] = hi >>> 16;
      out[7 * n + i] = hi >>> 24;
    }
  } else {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (v !== v) nans++;
      else {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      view.setFloat64(0, v, true);
      for (let b = 0; b < 8; b++) out[b * n + i] = bytes[b] as number;
    }
  }
  splitStats.min = min;
  splitStats.max = max;
  splitStats.nans = nans;
  return out.subarray(0, n * 8);
}

/** The statistics of the values `byteStreamSplit` split last. */
const splitStats = { min: Infinity, max: -Infinity, nans: 0 };

interface IntegerStats {
  min: number | undefined;
  max: number | undefined;
}

function integerStats(values: Float64Array, n: number): IntegerStats {
  if (n === 0) return { min: undefined, max: undefined };
  let min = values[0] as number;
  let max = min;
  for (let i = 1; i < n; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return { min, max };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

/** Writes one file's row groups to a hyparquet-writer `ByteWriter`, then its footer. */
export class MetricGroupEncoder {
  readonly #writer: ByteWriter;
  readonly #schema: SchemaElement[];
  readonly #codec: ParquetCompression;
  readonly #createdBy: string;
  readonly #rowGroups: RowGroup[] = [];
  #rows = 0;

  constructor(
    writer: ByteWriter,
    includeRun: boolean,
    codec: ParquetCompression,
    createdBy: string,
  ) {
    this.#writer = writer;
    this.#schema = metricSchema(includeRun);
    this.#codec = codec;
    this.#createdBy = createdBy;
    writer.appendUint32(0x31524150); // PAR1
  }

  /** Encodes one row group into the writer (the caller flushes it). */
  writeGroup(group: MetricGroupColumns): void {
    const n = group.length;
    if (n === 0) return;
    const writer = this.#writer;
    const groupStart = writer.offset;
    const columns: ColumnChunk[] = [];
    if (group.runs !== undefined) columns.push(this.#strings("run", group.runs, n));
    columns.push(this.#strings("key", group.keys, n));
    columns.push(this.#integers("step", group.steps, n, undefined));
    columns.push(this.#doubles(group.values, n));
    columns.push(this.#integers("timestamp", group.timestamps, n, true));
    let totalBytes = 0n;
    for (const c of columns) totalBytes += c.meta_data?.total_uncompressed_size ?? 0n;
    this.#rowGroups.push({
      columns,
      total_byte_size: totalBytes,
      num_rows: BigInt(n),
      total_compressed_size: BigInt(writer.offset - groupStart),
    });
    this.#rows += n;
  }

  /** Writes the footer (the caller flushes and finishes the writer). */
  writeFooter(): void {
    writeMetadata(this.#writer, {
      version: 2,
      created_by: this.#createdBy,
      schema: this.#schema,
      num_rows: BigInt(this.#rows),
      row_groups: this.#rowGroups,
      metadata_length: 0,
    });
    this.#writer.appendUint32(0x31524150); // PAR1
  }

  /** Writes a data page v2 (levels uncompressed, values compressed); returns its raw size. */
  #dataPage(
    encoding: Encoding,
    levels: Uint8Array | undefined,
    payload: Uint8Array,
    numValues: number,
    numNulls: number,
  ): number {
    const compressed = this.#codec === "SNAPPY" ? snappy.compress(payload) : payload;
    const levelBytes = levels?.length ?? 0;
    const writer = this.#writer;
    const headerStart = writer.offset;
    writePageHeader(writer, {
      type: "DATA_PAGE_V2",
      uncompressed_page_size: levelBytes + payload.length,
      compressed_page_size: levelBytes + compressed.length,
      data_page_header_v2: {
        num_values: numValues,
        num_nulls: numNulls,
        num_rows: numValues,
        encoding,
        definition_levels_byte_length: levelBytes,
        repetition_levels_byte_length: 0,
        is_compressed: this.#codec !== "UNCOMPRESSED",
      },
    });
    const headerBytes = writer.offset - headerStart;
    if (levels !== undefined) writer.appendBytes(levels);
    writer.appendBytes(compressed);
    return headerBytes + levelBytes + payload.length;
  }

  #chunk(
    name: string,
    type: "BYTE_ARRAY" | "INT64" | "DOUBLE",
    encodings: Encoding[],
    start: number,
    dataStart: number,
    dictionaryStart: number | undefined,
    uncompressed: number,
    n: number,
    statistics: Statistics,
  ): ColumnChunk {
    const dataEncoding = encodings[encodings.length - 1] as Encoding;
    return {
      meta_data: {
        type,
        encodings,
        path_in_schema: [name],
        codec: this.#codec,
        num_values: BigInt(n),
        total_compressed_size: BigInt(this.#writer.offset - start),
        total_uncompressed_size: BigInt(uncompressed),
        data_page_offset: BigInt(dataStart),
        ...(dictionaryStart === undefined
          ? {}
          : { dictionary_page_offset: BigInt(dictionaryStart) }),
        statistics,
        encoding_stats: [
          ...(dictionaryStart === undefined
            ? []
            : [{ page_type: "DICTIONARY_PAGE" as const, encoding: "PLAIN" as const, count: 1 }]),
          { page_type: "DATA_PAGE_V2" as const, encoding: dataEncoding, count: 1 },
        ],
      },
      file_offset: BigInt(start),
    };
  }

  /** A UTF-8 column as a dictionary page and one `RLE_DICTIONARY` page. */
  #strings(name: string, column: IndexedStrings, n: number): ColumnChunk {
    const dictionary: string[] = [];
    const remap = new Int32Array(column.strings.length).fill(-1);
    const given = column.indexes;
    if (scratchIndexes.length < n) scratchIndexes = new Int32Array(n);
    const indexes = scratchIndexes;
    for (let i = 0; i < n; i++) {
      const g = given[i] as number;
      let index = remap[g] as number;
      if (index < 0) {
        index = dictionary.length;
        dictionary.push(column.strings[g] as string);
        remap[g] = index;
      }
      indexes[i] = index;
    }
    const writer = this.#writer;
    const start = writer.offset;
    // Dictionary page: PLAIN byte arrays; the min and max in UTF-8 byte order.
    const encoded = dictionary.map((s) => utf8.encode(s));
    let size = 0;
    for (const e of encoded) size += 4 + e.length;
    const plain = new Uint8Array(size);
    const view = new DataView(plain.buffer);
    let at = 0;
    let min = 0;
    let max = 0;
    for (let i = 0; i < encoded.length; i++) {
      const e = encoded[i] as Uint8Array;
      view.setUint32(at, e.length, true);
      plain.set(e, at + 4);
      at += 4 + e.length;
      if (compareBytes(e, encoded[min] as Uint8Array) < 0) min = i;
      if (compareBytes(e, encoded[max] as Uint8Array) > 0) max = i;
    }
    const compressed = this.#codec === "SNAPPY" ? snappy.compress(plain) : plain;
    writePageHeader(writer, {
      type: "DICTIONARY_PAGE",
      uncompressed_page_size: plain.length,
      compressed_page_size: compressed.length,
      dictionary_page_header: { num_values: dictionary.length, encoding: "PLAIN" },
    });
    writer.appendBytes(compressed);
    let uncompressed = writer.offset - start - compressed.length + plain.length;
    // Data page: bit width, then the RLE/bit-packed indexes.
    const dataStart = writer.offset;
    const width = dictionary.length <= 1 ? 0 : 32 - Math.clz32(dictionary.length - 1);
    const page = new PageBytes(64 + (n >> 2));
    page.bytes[page.length++] = width;
    rleBitPacked(indexes, n, width, page);
    uncompressed += this.#dataPage("RLE_DICTIONARY", undefined, page.view(), n, 0);
    return this.#chunk(
      name,
      "BYTE_ARRAY",
      ["PLAIN", "RLE_DICTIONARY"],
      start,
      dataStart,
      start,
      uncompressed,
      n,
      {
        min_value: dictionary[min] as string,
        max_value: dictionary[max] as string,
        null_count: 0n,
      },
    );
  }

  /** An INT64 column, `DELTA_BINARY_PACKED`; `optional`: `NaN` is a null. */
  #integers(
    name: string,
    values: Float64Array,
    n: number,
    optional: true | undefined,
  ): ColumnChunk {
    let present = values;
    let count = n;
    let levels: Uint8Array | undefined;
    if (optional) {
      let nulls = 0;
      for (let i = 0; i < n; i++) if (values[i] !== values[i]) nulls++;
      if (scratchLevels.length < n) scratchLevels = new Uint8Array(n);
      const definition = scratchLevels;
      definition.fill(nulls === 0 ? 1 : 0, 0, n);
      if (nulls > 0) {
        present = new Float64Array(n - nulls);
        count = 0;
        for (let i = 0; i < n; i++) {
          const v = values[i] as number;
          if (v === v) {
            definition[i] = 1;
            present[count++] = v;
          }
        }
      }
      const levelBytes = new PageBytes(64);
      rleBitPacked(definition, n, 1, levelBytes);
      levels = levelBytes.view();
    }
    const writer = this.#writer;
    const start = writer.offset;
    const payload = deltaPage(present, count);
    const { min, max } = packedStats;
    const uncompressed = this.#dataPage("DELTA_BINARY_PACKED", levels, payload, n, n - count);
    return this.#chunk(
      name,
      "INT64",
      ["DELTA_BINARY_PACKED"],
      start,
      start,
      undefined,
      uncompressed,
      n,
      {
        ...(min === undefined || max === undefined ? {} : { min_value: min, max_value: max }),
        null_count: BigInt(n - count),
      },
    );
  }

  /**
   * The DOUBLE column, `BYTE_STREAM_SPLIT` (NaN and ±Infinity kept): the first bytes of every
   * value, then every second byte, … then every eighth. Measured on the bench's values (8 keys
   * interleaved, 6 decimals), Snappy then spends about a third of the time it spends on `PLAIN`
   * doubles, for slightly smaller pages: the sign-and-exponent bytes form long repeating runs
   * and the random low mantissa bytes are skipped over quickly, where `PLAIN` doubles hold a
   * short 4-byte match every few bytes, the slowest input for Snappy.
   */
  #doubles(values: Float64Array, n: number): ColumnChunk {
    const payload = byteStreamSplit(values, n);
    const { min, max, nans } = splitStats;
    const writer = this.#writer;
    const start = writer.offset;
    const uncompressed = this.#dataPage("BYTE_STREAM_SPLIT", undefined, payload, n, 0);
    const some = nans < n;
    // Parquet's rule for signed zeros: min is -0, max is +0.
    const statistics = {
      ...(some ? { min_value: min === 0 ? -0 : min, max_value: max === 0 ? 0 : max } : {}),
      null_count: 0n,
      // Written by hyparquet-writer's footer code although its type does not list it.
      nan_count: BigInt(nans),
    } as Statistics;
    return this.#chunk(
      "value",
      "DOUBLE",
      ["BYTE_STREAM_SPLIT"],
      start,
      start,
      undefined,
      uncompressed,
      n,
      statistics,
    );
  }
}
