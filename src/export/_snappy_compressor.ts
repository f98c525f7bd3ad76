/**
 * Private: a Snappy block compressor for Parquet pages that writes into a reused buffer.
 *
 * Why not hyparquet-writer's `snappyCompress`: on a page of doubles (the `value` column: 8 bytes
 * per point, where the upper bytes of neighbouring values often repeat) it emits a literal and a
 * copy every few bytes, and each literal costs a `subarray` object and each byte a bounds-checked
 * `ByteWriter` append into a buffer that starts at 1 KB and doubles. That made Snappy about 1.5 s
 * of the 7 s of CPU of bench (h) (20 M points). This one works on plain indexes into a
 * preallocated output of Snappy's worst-case size, reads 4-byte words with a `DataView`, copies
 * short literals byte by byte, and keeps its hash table and output between pages: on a 100,000-value
 * page of the bench's values (800 KB) it took about 3 ms against 8 ms.
 *
 * The format is Snappy's block format (a varint of the uncompressed length, then literal and copy
 * elements), with the reference compressor's match finding: a 4-byte hash of up to 2¹⁴ entries,
 * copies within 65 535 bytes, and the skip that speeds up over incompressible stretches. It
 * chooses the same elements as hyparquet-writer's compressor, so it writes the same bytes (files
 * written before it keep their content hashes), and it is deterministic, which the mirror's
 * content hashes rely on. `tests/export/snappy_compressor_test.ts` holds both to each other.
 *
 * @module
 */

const MAX_TABLE_BITS = 14;
const MAX_OFFSET = 65535;
/** Bytes at the end of the input never started as a match (the reference's margin). */
const INPUT_MARGIN = 15;

/** Compresses pages; each result is a view into the compressor's buffer, valid until the next call. */
export class SnappyCompressor {
  #out = new Uint8Array(1 << 16);
  readonly #table = new Int32Array(1 << MAX_TABLE_BITS);

  /**
   * Compresses `input` into Snappy's block format.
   *
   * @param input The uncompressed bytes.
   * @returns The compressed bytes: a view overwritten by the next call.
   */
  compress(input: Uint8Array): Uint8Array {
    const n = input.length;
    const worst = 32 + n + Math.floor(n / 6);
    if (this.#out.length < worst) this.#out = new Uint8Array(worst);
    const out = this.#out;
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    let op = 0;
    // The uncompressed length, as a varint.
    let length = n;
    while (length >= 0x80) {
      out[op++] = (length & 0x7f) | 0x80;
      length >>>= 7;
    }
    out[op++] = length;
    if (n < INPUT_MARGIN) return out.subarray(0, emitLiteral(out, op, input, 0, n));

    let bits = 1;
    while (1 << bits <= n && bits <= MAX_TABLE_BITS) bits++;
    bits--;
    const shift = 32 - bits;
    const table = this.#table;
    table.fill(0, 0, 1 << bits);

    const limit = n - INPUT_MARGIN;
    let nextEmit = 0;
    let ip = 1;
    let word: number;
    for (;;) {
      // Find a 4-byte match, stepping further the longer nothing matches.
      let skip = 32;
      let candidate: number;
      for (;;) {
        if (ip > limit) return out.subarray(0, emitLiteral(out, op, input, nextEmit, n - nextEmit));
        word = view.getInt32(ip, true);
        const hash = Math.imul(word, 0x1e35a7bd) >>> shift;
        candidate = table[hash] as number;
        table[hash] = ip;
        if (ip - candidate <= MAX_OFFSET && view.getInt32(candidate, true) === word) break;
        ip += skip++ >>> 5;
      }
      op = emitLiteral(out, op, input, nextEmit, ip - nextEmit);
      // Emit copies while the next position matches too.
      for (;;) {
        let matched = 4;
        while (ip + matched < n && input[ip + matched] === input[candidate + matched]) matched++;
        op = emitCopy(out, op, ip - candidate, matched);
        ip += matched;
        nextEmit = ip;
        if (ip >= limit) {
          return out.subarray(
            0,
            nextEmit < n ? emitLiteral(out, op, input, nextEmit, n - nextEmit) : op,
          );
        }
        table[Math.imul(view.getInt32(ip - 1, true), 0x1e35a7bd) >>> shift] = ip - 1;
        word = view.getInt32(ip, true);
        const hash = Math.imul(word, 0x1e35a7bd) >>> shift;
        candidate = table[hash] as number;
        table[hash] = ip;
        if (!(ip - candidate <= MAX_OFFSET && view.getInt32(candidate, true) === word)) break;
      }
      ip++;
    }
  }
}

/** Writes a literal element; returns the new output position. */
function emitLiteral(
  out: Uint8Array,
  op: number,
  input: Uint8Array,
  from: number,
  len: number,
): number {
  if (len === 0) return op;
  const value = len - 1;
  if (value < 60) out[op++] = value << 2;
  else if (value < 0x100) {
    out[op++] = 60 << 2;
    out[op++] = value;
  } else if (value < 0x10000) {
    out[op++] = 61 << 2;
    out[op++] = value & 0xff;
    out[op++] = value >>> 8;
  } else if (value < 0x1000000) {
    out[op++] = 62 << 2;
    out[op++] = value & 0xff;
    out[op++] = (value >>> 8) & 0xff;
    out[op++] = value >>> 16;
  } else {
    out[op++] = 63 << 2;
    out[op++] = value & 0xff;
    out[op++] = (value >>> 8) & 0xff;
    out[op++] = (value >>> 16) & 0xff;
    out[op++] = value >>> 24;
  }
  if (len < 32) {
    for (let i = 0; i < len; i++) out[op + i] = input[from + i] as number;
  } else out.set(input.subarray(from, from + len), op);
  return op + len;
}

/** Writes copy elements for `len` bytes at `offset` back; returns the new output position. */
function emitCopy(out: Uint8Array, op: number, offset: number, len: number): number {
  while (len >= 68) {
    out[op++] = 2 | (63 << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    len -= 64;
  }
  if (len > 64) {
    out[op++] = 2 | (59 << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    out[op++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    out[op++] = offset & 0xff;
  } else {
    out[op++] = 2 | ((len - 1) << 2);
    out[op++] = offset & 0xff;
    out[op++] = offset >>> 8;
  }
  return op;
}
