/**
 * A tiny deterministic PNG encoder (8-bit RGB, no filtering) for seeded media files.
 *
 * @module
 */

import { deflateSync } from "node:zlib";
import { hashInts } from "./prng.ts";

const CRC_TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Encodes RGB pixels (`width * height * 3` bytes, row-major) as a PNG file.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param rgb pixel bytes
 * @returns the PNG bytes
 *
 * @example A 1x1 red pixel
 * ```ts
 * import { encodePng } from "./png.ts";
 * const png = encodePng(1, 1, new Uint8Array([255, 0, 0]));
 * png[1]; // 0x50 ("P")
 * ```
 */
export function encodePng(
  width: number,
  height: number,
  rgb: Uint8Array,
): Uint8Array<ArrayBuffer> {
  if (rgb.length !== width * height * 3) {
    throw new RangeError(
      `Cannot encode PNG of ${width}x${height}: expected ${
        width * height * 3
      } bytes, got ${rgb.length}`,
    );
  }
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const raw = new Uint8Array((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (width * 3 + 1) + 1);
  }
  const idat = new Uint8Array(deflateSync(raw, { level: 6 }));
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/**
 * Renders a deterministic 32x32 gradient image whose colours depend on `seed`.
 *
 * @param seed any integer (e.g. a hash of run, step and index)
 * @returns PNG bytes
 *
 * @example A sample image
 * ```ts
 * import { samplePng } from "./png.ts";
 * const png = samplePng(7);
 * ```
 */
export function samplePng(seed: number): Uint8Array<ArrayBuffer> {
  const size = 32;
  const h = hashInts(seed);
  const r0 = h & 0xff;
  const g0 = (h >>> 8) & 0xff;
  const b0 = (h >>> 16) & 0xff;
  const rgb = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      rgb[o] = (r0 + x * 8) & 0xff;
      rgb[o + 1] = (g0 + y * 8) & 0xff;
      rgb[o + 2] = (b0 + ((x ^ y) << 3)) & 0xff;
    }
  }
  return encodePng(size, size, rgb);
}
