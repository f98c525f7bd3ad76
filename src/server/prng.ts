/**
 * Small deterministic pseudo-random helpers (no global state, no `Math.random`).
 *
 * @module
 */

/**
 * Mixes a 32-bit integer into a well-distributed 32-bit unsigned integer (murmur3 finalizer).
 *
 * @example Hash a step number
 * ```ts
 * import { mix32 } from "./prng.ts";
 * const h = mix32(42);
 * ```
 */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes a list of integers into one unsigned 32-bit integer.
 *
 * @example Hash a (seed, run, key) triple
 * ```ts
 * import { hashInts } from "./prng.ts";
 * const h = hashInts(42, 3, 7);
 * ```
 */
export function hashInts(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) h = mix32(h ^ Math.imul(v | 0, 0x9e3779b1) ^ ((v / 4294967296) | 0));
  return h;
}

/**
 * Hashes a string into an unsigned 32-bit integer (FNV-1a, then mixed).
 *
 * @example Hash a metric key
 * ```ts
 * import { hashString } from "./prng.ts";
 * const h = hashString("train/loss");
 * ```
 */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix32(h);
}

/**
 * Uniform value in `[0, 1)` derived from a 32-bit key and an integer (e.g. a step).
 *
 * @example Noise for one step
 * ```ts
 * import { unitNoise } from "./prng.ts";
 * const u = unitNoise(123, 10); // 0 <= u < 1
 * ```
 */
export function unitNoise(key: number, n: number): number {
  return mix32(key ^ Math.imul(n, 0x9e3779b1) ^ Math.imul((n / 4294967296) | 0, 0x85ebca6b)) /
    4294967296;
}

/**
 * A seeded pseudo-random generator (mulberry32).
 *
 * @example Draw numbers
 * ```ts
 * import { Prng } from "./prng.ts";
 * const rng = new Prng(42);
 * const x = rng.next(); // [0, 1)
 * const i = rng.int(10); // 0..9
 * ```
 */
export class Prng {
  #state: number;

  /** Creates a generator from an integer seed. */
  constructor(seed: number) {
    this.#state = mix32(seed ^ 0x6d2b79f5) | 0;
  }

  /** Returns the next value in `[0, 1)`. */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) | 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Returns an integer in `[0, n)`. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Returns a value in `[min, max)`. */
  range(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Returns one element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError("Cannot pick from an empty array");
    return item;
  }

  /** Returns a string of `length` characters drawn from `alphabet`. */
  chars(length: number, alphabet: string): string {
    let out = "";
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}
