/**
 * Private to the server: a decoder for exactly the Parquet layout the mirror writes
 * (`src/export/_metric_group_encoder.ts`): columns `key` (a dictionary page, then
 * `RLE_DICTIONARY`), `step` and optional `timestamp` (`DELTA_BINARY_PACKED`) and `value`
 * (`BYTE_STREAM_SPLIT` or `PLAIN`), data pages v2, Snappy or uncompressed.
 *
 * Why hand-written: hyparquet decodes every file, but through `BigInt` for 64-bit integers and a
 * list with nulls for the optional column, about 0.4 µs per point; serving the bench (h) mirror
 * (19 M points) took 7.6 s to start with it. This reads the known layout straight into typed
 * arrays, several times faster. Anything else (another encoding, page type or codec, a value
 * outside the safe integers) is {@linkcode UnsupportedLayout}, and the caller decodes the file
 * with hyparquet instead; the footer is parsed by hyparquet either way.
 *
 * @module
 */

import { parquetMetadata, snappyUncompress } from "hyparquet";

/** The file uses something outside the mirror's layout (the caller falls back to hyparquet). */
export class UnsupportedLayout extends Error {
  /**
   * @param message What was not expected.
   */
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedLayout";
  }
}

/** A points file's points by key, each key's in file order. */
export interface KeyColumns {
  /** The keys, in the order they first occur. */
  keys: string[];
  /** Per key, the steps of its points. */
  steps: Float64Array[];
  /** Per key, the values. */
  values: Float64Array[];
  /** Per key, the timestamps (`NaN`: none). */
  times: Float64Array[];
}

/** A points file's rows: the key of each, and the three value columns. */
export interface RowColumns {
  /** Per row, its key's index into `keys`. */
  keyOf: Uint32Array;
  /** The keys, in the order they first occur. */
  keys: string[];
  /** Per row, its step. */
  steps: Float64Array;
  /** Per row, its value. */
  values: Float64Array;
  /** Per row, its timestamp (`NaN`: none). */
  times: Float64Array;
}

/** The keys of a points file in the order they first occur, each with its index. */
export class KeyList {
  /** The keys, in the order they first occur. */
  readonly keys: string[] = [];
  readonly #ids = new Map<string, number>();

  /**
   * The index of `key`, added at the end when new.
   *
   * @param key A metric key.
   * @returns Its index into `keys`.
   */
  idOf(key: string): number {
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.#ids.set(key, id);
      this.keys.push(key);
    }
    return id;
  }
}

const ENCODING = { PLAIN: 0, RLE_DICTIONARY: 8, DELTA_BINARY_PACKED: 5, BYTE_STREAM_SPLIT: 9 };
const PAGE = { DICTIONARY: 2, DATA_V2: 3 };
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;
const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * Decodes the points of a file written in the mirror's layout, by key.
 *
 * @param bytes The file.
 * @param rows The number of rows it must hold.
 * @returns The columns.
 * @throws {UnsupportedLayout} When the file is laid out otherwise (or damaged: hyparquet then
 *   names the problem).
 *
 * @example
 * ```ts ignore
 * const { keys, steps } = decodePointsLayout(bytes, rows);
 * ```
 */
export function decodePointsLayout(bytes: Uint8Array, rows: number): KeyColumns {
  try {
    return decode(bytes, rows);
  } catch (error) {
    // Whatever went wrong (a size no array can have, a struct nested past the stack…), the
    // file is decoded by hyparquet, which names the problem.
    if (error instanceof UnsupportedLayout) throw error;
    throw new UnsupportedLayout(error instanceof Error ? error.message : String(error));
  }
}

function decode(bytes: Uint8Array, rows: number): KeyColumns {
  if (!LITTLE_ENDIAN) throw new UnsupportedLayout("big-endian host");
  // The footer alone (its length is in the file's last 8 bytes): the whole file is not copied.
  const footerLength = bytes.length < 8
    ? 0
    : new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 8, 4).getUint32(0, true) + 8;
  if (footerLength < 8 || footerLength > bytes.length) throw new UnsupportedLayout("footer");
  let metadata;
  try {
    metadata = parquetMetadata(bytes.slice(bytes.length - footerLength).buffer);
  } catch (error) {
    throw new UnsupportedLayout(`footer: ${error instanceof Error ? error.message : error}`);
  }
  if (Number(metadata.num_rows) !== rows) throw new UnsupportedLayout("row count");
  // Each row group's chunks by column name, checked once.
  const groups = metadata.row_groups.map((group) => {
    const chunks = new Map<string, PageReader>();
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || chunk.file_path !== undefined) {
        throw new UnsupportedLayout("column chunk");
      }
      if (meta.codec !== "SNAPPY" && meta.codec !== "UNCOMPRESSED") {
        throw new UnsupportedLayout(`codec ${meta.codec}`);
      }
      chunks.set(
        meta.path_in_schema.join("."),
        new PageReader(
          bytes,
          Number(meta.dictionary_page_offset ?? meta.data_page_offset),
          meta.codec === "SNAPPY",
        ),
      );
    }
    for (const name of ["key", "step", "value", "timestamp"]) {
      if (!chunks.has(name)) throw new UnsupportedLayout(`no column ${name}`);
    }
    return { rows: Number(group.num_rows), chunks };
  });
  // First every key (for the size of each key's arrays), then the other columns of each row
  // group, scattered by key: no array of the whole file's rows but the keys'.
  const keyOf = new Uint32Array(rows);
  const keyList = new KeyList();
  let rowStart = 0;
  for (const group of groups) {
    if (rowStart + group.rows > rows) throw new UnsupportedLayout("row groups");
    readKeys(group.chunks.get("key")!, group.rows, rowStart, keyOf, keyList);
    rowStart += group.rows;
  }
  if (rowStart !== rows) throw new UnsupportedLayout("row groups");
  const { keys } = keyList;
  const counts = new Uint32Array(keys.length);
  for (let i = 0; i < rows; i++) counts[keyOf[i]!]!++;
  const out: KeyColumns = {
    keys,
    steps: keys.map((_, k) => new Float64Array(counts[k]!)),
    values: keys.map((_, k) => new Float64Array(counts[k]!)),
    times: keys.map((_, k) => new Float64Array(counts[k]!)),
  };
  const largest = groups.reduce((most, g) => Math.max(most, g.rows), 0);
  const steps = new Float64Array(largest);
  const values = new Float64Array(largest);
  const times = new Float64Array(largest);
  const at = new Uint32Array(keys.length);
  rowStart = 0;
  for (const group of groups) {
    const n = group.rows;
    readIntegers(group.chunks.get("step")!, n, 0, steps, false);
    readDoubles(group.chunks.get("value")!, n, 0, values);
    readIntegers(group.chunks.get("timestamp")!, n, 0, times, true);
    for (let i = 0; i < n; i++) {
      const k = keyOf[rowStart + i]!;
      const j = at[k]!++;
      out.steps[k]![j] = steps[i]!;
      out.values[k]![j] = values[i]!;
      out.times[k]![j] = times[i]!;
    }
    rowStart += n;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

function readKeys(
  pages: PageReader,
  rows: number,
  rowStart: number,
  keyOf: Uint32Array,
  keyList: KeyList,
): void {
  const dictionary = pages.next();
  if (dictionary.type !== PAGE.DICTIONARY || dictionary.encoding !== ENCODING.PLAIN) {
    throw new UnsupportedLayout("key dictionary");
  }
  const size = dictionary.count;
  if (!Number.isInteger(size) || size < 0 || size * 4 > dictionary.values.length) {
    throw new UnsupportedLayout("key dictionary size");
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const ids = new Uint32Array(size);
  const body = dictionary.values;
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let at = 0;
  for (let i = 0; i < dictionary.count; i++) {
    if (at + 4 > body.length) throw new UnsupportedLayout("key dictionary");
    const length = view.getUint32(at, true);
    if (at + 4 + length > body.length) throw new UnsupportedLayout("key dictionary");
    let key: string;
    try {
      key = decoder.decode(body.subarray(at + 4, at + 4 + length));
    } catch {
      throw new UnsupportedLayout("key is not UTF-8");
    }
    at += 4 + length;
    ids[i] = keyList.idOf(key);
  }
  let row = 0;
  while (row < rows) {
    const page = pages.next();
    if (page.type !== PAGE.DATA_V2 || page.encoding !== ENCODING.RLE_DICTIONARY) {
      throw new UnsupportedLayout("key page");
    }
    if (page.nulls !== 0 || page.levels.length !== 0 || row + page.count > rows) {
      throw new UnsupportedLayout("key page");
    }
    const indexes = new Uint32Array(page.count);
    const width = page.values[0] ?? 0;
    if (width > 32) throw new UnsupportedLayout("key index width");
    readHybrid(page.values, 1, width, indexes, page.count);
    for (let i = 0; i < page.count; i++) {
      const index = indexes[i]!;
      if (index >= ids.length) throw new UnsupportedLayout("key index");
      keyOf[rowStart + row + i] = ids[index]!;
    }
    row += page.count;
  }
}

function readIntegers(
  pages: PageReader,
  rows: number,
  rowStart: number,
  out: Float64Array,
  optional: boolean,
): void {
  let row = 0;
  while (row < rows) {
    const page = pages.next();
    if (page.type !== PAGE.DATA_V2 || page.encoding !== ENCODING.DELTA_BINARY_PACKED) {
      throw new UnsupportedLayout("integer page");
    }
    if (row + page.count > rows) throw new UnsupportedLayout("integer page");
    const present = page.count - page.nulls;
    const decoded = new Float64Array(present);
    readDeltas(page.values, decoded);
    const target = out.subarray(rowStart + row, rowStart + row + page.count);
    if (page.nulls === 0 && page.levels.length === 0) target.set(decoded);
    else {
      if (!optional) throw new UnsupportedLayout("nulls in a required column");
      const defined = new Uint8Array(page.count);
      readHybrid(page.levels, 0, 1, defined, page.count);
      let next = 0;
      for (let i = 0; i < page.count; i++) {
        if (defined[i] === 1) {
          if (next === present) throw new UnsupportedLayout("definition levels");
          target[i] = decoded[next++]!;
        } else target[i] = NaN;
      }
      if (next !== present) throw new UnsupportedLayout("definition levels");
    }
    row += page.count;
  }
}

function readDoubles(pages: PageReader, rows: number, rowStart: number, out: Float64Array): void {
  let row = 0;
  while (row < rows) {
    const page = pages.next();
    if (page.type !== PAGE.DATA_V2 || page.nulls !== 0 || page.levels.length !== 0) {
      throw new UnsupportedLayout("value page");
    }
    const n = page.count;
    if (row + n > rows || page.values.length < n * 8) throw new UnsupportedLayout("value page");
    const words = new Uint32Array(n * 2);
    if (page.encoding === ENCODING.BYTE_STREAM_SPLIT) {
      // Byte b of value i is at split[b × n + i]: each value's two 32-bit halves, put together.
      const split = page.values;
      for (let i = 0; i < n; i++) {
        words[2 * i] = split[i]! | (split[n + i]! << 8) | (split[2 * n + i]! << 16) |
          (split[3 * n + i]! << 24);
        words[2 * i + 1] = split[4 * n + i]! | (split[5 * n + i]! << 8) |
          (split[6 * n + i]! << 16) | (split[7 * n + i]! << 24);
      }
    } else if (page.encoding === ENCODING.PLAIN) {
      new Uint8Array(words.buffer).set(page.values.subarray(0, n * 8));
    } else {
      throw new UnsupportedLayout("value encoding");
    }
    out.set(new Float64Array(words.buffer), rowStart + row);
    row += n;
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

/** Reads an unsigned LEB128 varint (exact up to 2^53) at `state.at`. */
function varint(bytes: Uint8Array, state: { at: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = bytes[state.at++];
    if (byte === undefined || scale > 2 ** 49) throw new UnsupportedLayout("varint");
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (value > SAFE) throw new UnsupportedLayout("varint past 2^53");
      return value;
    }
    scale *= 128;
  }
}

function zigzag(bytes: Uint8Array, state: { at: number }): number {
  const n = varint(bytes, state);
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}

/** The RLE / bit-packed hybrid of `count` values of `width` bits from `bytes[at]` into `out`. */
function readHybrid(
  bytes: Uint8Array,
  at: number,
  width: number,
  out: Uint32Array | Uint8Array,
  count: number,
): void {
  const state = { at };
  let i = 0;
  const valueBytes = (width + 7) >> 3;
  while (i < count) {
    const header = varint(bytes, state);
    if (header % 2 === 0) {
      const run = header / 2;
      let value = 0;
      for (let b = 0; b < valueBytes; b++) value += (bytes[state.at++] ?? 0) * 2 ** (8 * b);
      if (state.at > bytes.length || run === 0) throw new UnsupportedLayout("RLE run");
      out.fill(value, i, Math.min(count, i + run));
      i += run;
    } else {
      const values = ((header - 1) / 2) * 8;
      if (values === 0) throw new UnsupportedLayout("empty bit-packed run");
      let bit = state.at * 8;
      const end = Math.min(count, i + values);
      for (; i < end; i++, bit += width) out[i] = bitsAt(bytes, bit, width);
      state.at += (values * width) >> 3;
      if (state.at > bytes.length) throw new UnsupportedLayout("bit-packed run");
    }
  }
}

/** `width` (at most 52) bits of `bytes` from bit `bit`, least significant first. */
function bitsAt(bytes: Uint8Array, bit: number, width: number): number {
  let value = 0;
  let got = 0;
  let at = bit >> 3;
  let skip = bit & 7;
  while (got < width) {
    const take = Math.min(8 - skip, width - got);
    const byte = bytes[at++];
    if (byte === undefined) throw new UnsupportedLayout("bits past the page");
    value += ((byte >> skip) & ((1 << take) - 1)) * 2 ** got;
    got += take;
    skip = 0;
  }
  return value;
}

/** `DELTA_BINARY_PACKED` integers into `out` (its length is their count), exactly. */
function readDeltas(bytes: Uint8Array, out: Float64Array): void {
  const state = { at: 0 };
  const blockSize = varint(bytes, state);
  const miniblocks = varint(bytes, state);
  const total = varint(bytes, state);
  if (total !== out.length) throw new UnsupportedLayout("delta count");
  if (total === 0) return;
  const perMiniblock = blockSize / miniblocks;
  if (!Number.isInteger(perMiniblock) || perMiniblock <= 0 || perMiniblock % 8 !== 0) {
    throw new UnsupportedLayout("delta block");
  }
  let value = zigzag(bytes, state);
  out[0] = value;
  let count = 1;
  while (count < total) {
    const minDelta = zigzag(bytes, state);
    const widthsAt = state.at;
    state.at += miniblocks;
    for (let m = 0; m < miniblocks && count < total; m++) {
      const width = bytes[widthsAt + m];
      if (width === undefined || width > 52) throw new UnsupportedLayout("delta width");
      const used = Math.min(perMiniblock, total - count);
      if (width === 0) {
        for (let j = 0; j < used; j++) out[count++] = value += minDelta;
      } else if (width <= 24) {
        // A 32-bit window: at most 23 bits wait in it when a byte comes in.
        const mask = (1 << width) - 1;
        let at = state.at;
        let window = 0;
        let held = 0;
        for (let j = 0; j < used; j++) {
          while (held < width) {
            window |= bytes[at++]! << held;
            held += 8;
          }
          out[count++] = value += minDelta + (window & mask);
          window >>>= width;
          held -= width;
        }
        state.at += (perMiniblock * width) >> 3;
        if (state.at > bytes.length) throw new UnsupportedLayout("bits past the page");
      } else {
        let bit = state.at * 8;
        for (let j = 0; j < used; j++, bit += width) {
          out[count++] = value += minDelta + bitsAt(bytes, bit, width);
        }
        state.at += (perMiniblock * width) >> 3;
      }
      if (!(Math.abs(value) <= SAFE)) throw new UnsupportedLayout("integer past 2^53");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Pages
// ---------------------------------------------------------------------------------------------

interface Page {
  type: number;
  encoding: number;
  /** Values in the page (with nulls). */
  count: number;
  nulls: number;
  /** The definition levels (v2: never compressed). */
  levels: Uint8Array;
  /** The values section, decompressed. */
  values: Uint8Array;
}

/** The pages of one column chunk, from its first page on. */
class PageReader {
  readonly #bytes: Uint8Array;
  readonly #snappy: boolean;
  #at: number;

  constructor(bytes: Uint8Array, start: number, snappy: boolean) {
    this.#bytes = bytes;
    this.#at = start;
    this.#snappy = snappy;
  }

  next(): Page {
    const bytes = this.#bytes;
    const state = { at: this.#at };
    const header = readStruct(bytes, state);
    const type = header.get(1);
    const uncompressedSize = header.get(2);
    const compressedSize = header.get(3);
    if (
      typeof uncompressedSize !== "number" || typeof compressedSize !== "number" ||
      uncompressedSize < 0 || compressedSize < 0
    ) {
      throw new UnsupportedLayout("page header");
    }
    const start = state.at;
    const end = start + compressedSize;
    if (end > bytes.length) throw new UnsupportedLayout("page past the file");
    this.#at = end;
    if (type === PAGE.DICTIONARY) {
      const dictionary = header.get(7);
      if (!(dictionary instanceof Map)) throw new UnsupportedLayout("dictionary header");
      const values = this.#decompress(bytes.subarray(start, end), uncompressedSize, true);
      return {
        type,
        encoding: dictionary.get(2) as number,
        count: dictionary.get(1) as number,
        nulls: 0,
        levels: new Uint8Array(0),
        values,
      };
    }
    if (type !== PAGE.DATA_V2) throw new UnsupportedLayout(`page type ${type}`);
    const v2 = header.get(8);
    if (!(v2 instanceof Map)) throw new UnsupportedLayout("data page v2 header");
    const levelBytes = v2.get(5) ?? 0;
    const repetitionBytes = v2.get(6) ?? 0;
    if (typeof levelBytes !== "number" || repetitionBytes !== 0 || levelBytes > compressedSize) {
      throw new UnsupportedLayout("levels");
    }
    const compressed = v2.get(7) !== false;
    const count = v2.get(1);
    const nulls = v2.get(2) ?? 0;
    // Every data page holds values: a loop over pages always moves on.
    if (
      typeof count !== "number" || typeof nulls !== "number" || count <= 0 || nulls < 0 ||
      nulls > count
    ) {
      throw new UnsupportedLayout("data page counts");
    }
    return {
      type,
      encoding: v2.get(4) as number,
      count,
      nulls,
      levels: bytes.subarray(start, start + levelBytes),
      values: this.#decompress(
        bytes.subarray(start + levelBytes, end),
        uncompressedSize - levelBytes,
        compressed,
      ),
    };
  }

  #decompress(input: Uint8Array, size: number, compressed: boolean): Uint8Array {
    if (!this.#snappy || !compressed) {
      if (input.length !== size) throw new UnsupportedLayout("page size");
      return input;
    }
    const output = new Uint8Array(size);
    try {
      snappyUncompress(input, output);
    } catch {
      throw new UnsupportedLayout("snappy");
    }
    return output;
  }
}

/** A Thrift compact-protocol struct: field id to value (nested structs as maps; lists skipped). */
function readStruct(bytes: Uint8Array, state: { at: number }): Map<number, unknown> {
  const fields = new Map<number, unknown>();
  let id = 0;
  for (;;) {
    const byte = bytes[state.at++];
    if (byte === undefined) throw new UnsupportedLayout("page header");
    const type = byte & 0x0f;
    if (type === 0) return fields;
    const delta = byte >> 4;
    id = delta === 0 ? zigzag(bytes, state) : id + delta;
    fields.set(id, readValue(bytes, state, type));
  }
}

function readValue(bytes: Uint8Array, state: { at: number }, type: number): unknown {
  switch (type) {
    case 1:
      return true;
    case 2:
      return false;
    case 3:
      return bytes[state.at++];
    case 4:
    case 5:
    case 6:
      return zigzag(bytes, state);
    case 7:
      state.at += 8;
      return undefined;
    case 8: {
      const length = varint(bytes, state);
      const value = bytes.subarray(state.at, state.at + length);
      state.at += length;
      return value;
    }
    case 9:
    case 10: {
      const header = bytes[state.at++] ?? 0;
      const size = header >> 4 === 15 ? varint(bytes, state) : header >> 4;
      const element = header & 0x0f;
      for (let i = 0; i < size; i++) {
        if (element === 1 || element === 2) state.at++;
        else readValue(bytes, state, element);
      }
      return undefined;
    }
    case 11: {
      const size = varint(bytes, state);
      if (size === 0) return undefined;
      const kinds = bytes[state.at++] ?? 0;
      for (let i = 0; i < size; i++) {
        readValue(bytes, state, kinds >> 4);
        readValue(bytes, state, kinds & 0x0f);
      }
      return undefined;
    }
    case 12:
      return readStruct(bytes, state);
    default:
      throw new UnsupportedLayout(`thrift type ${type}`);
  }
}
