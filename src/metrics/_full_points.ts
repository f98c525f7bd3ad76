/**
 * The full-resolution points of `run.metrics({ all | rangeQuery })` and `key.metrics({ all })`
 * (`{ step, value, timestamp? }` per point, per key), built straight from the parser's blocks.
 *
 * Why this way (memory is the limit of full-resolution reads): the point objects are the result,
 * so they are made once, as the rows arrive, and nothing else per point is kept: no intermediate
 * `{ key, step, value, timestamp }` object and no typed-array copy of the columns (collecting
 * columns first and building the objects afterwards held both at the peak: 119 bytes per point
 * on the bench export, against about 90 this way). A step is stored as a small integer where it
 * fits one: read from a `Float64Array` it would otherwise take a 16-byte box in every point. The
 * objects and their JSON are the same either way.
 *
 * The lists are sized ahead: when the download declares its length, each key's list is allocated
 * once at the size its first sixteenth predicts (its points per byte, times the bytes to come),
 * and trimmed to its points at the end. Left to `push`, a list grows by half again each time
 * and every outgrown copy stays in memory until a full collection: on the bench export (4 keys,
 * 3.1 M points) that was about 20 bytes per point of peak memory.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import type { FullPointJson } from "./scalar_metrics.ts";
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "./scan_metrics.ts";

/**
 * One point object: the step as a small integer where it is one, no `timestamp` when it is
 * unknown (`NaN`) or left out.
 */
function pointOf(raw: number, value: number, timestamp: number, withTime: boolean): FullPointJson {
  const step = (raw | 0) === raw ? raw | 0 : raw;
  return timestamp === timestamp && withTime ? { step, value, timestamp } : { step, value };
}

/** A download must declare at least this many bytes for its lists to be sized ahead. */
const SIZING_MIN_BYTES = 8 << 20;
/**
 * The sample of points per byte: a download's lists are sized once this many bytes of it, or a
 * sixteenth of it if more, were read (a declared length far above the body, which then fails as
 * cut, sizes nothing, or little).
 */
const SIZING_SAMPLE_BYTES = 1 << 20;
const SIZING_SAMPLE_SHARE = 1 / 16;
/** Slack of a predicted size: rows later in an export are a little longer (wider steps). */
const SIZING_SLACK = 1.02;
const SIZING_EXTRA = 1024;
/** A list is sized to at most this many times its points (plus 64 Ki slots) at once. */
const SIZING_MAX_GROWTH = 32;
/** No list is sized ahead past 16 Mi slots (V8 makes `new Array(n)` past 32 Mi a dictionary). */
const SIZING_MAX = 1 << 24;

/** The points of one key; `fill` of the list's slots are points (the rest were sized ahead). */
interface KeyPoints {
  list: FullPointJson[];
  fill: number;
  /** Whether the list was sized ahead (its length is a capacity until `take` trims it). */
  sized: boolean;
}

/**
 * Collects a scan's rows (or range-filtered points) as the point objects of each key.
 *
 * @example
 * ```ts ignore
 * const collector = new PointCollector(["loss"], false);
 * await scanMetricRows(transport, ref, ["loss"], {}, options, collector);
 * const points = collector.take("loss");
 * ```
 */
export class PointCollector implements MetricRowSink {
  readonly #points = new Map<string, KeyPoints>();
  readonly #withTime: boolean;
  /** The declared length of the download being read, when its lists are sized ahead. */
  #expectedBytes: number | undefined;
  /** Whether the lists wait for the sample of the download to be sized, and its end. */
  #sampling = false;
  #sampleBytes = 0;

  /**
   * @param keys The keys, each getting a (possibly empty) list.
   * @param ignoreTimestamp Leave `timestamp` out of every point.
   */
  constructor(keys: readonly string[], ignoreTimestamp: boolean) {
    this.#withTime = !ignoreTimestamp;
    for (const key of keys) this.#entry(key);
  }

  /**
   * A download of these keys starts: its lists are sized once it is read far enough, if its
   * length is known and large, and it is the first (a download read again after a cut adds to
   * points already collected, so its sample would mislead).
   */
  begin(keys: readonly string[], expectedBytes: number | undefined): void {
    const fresh = keys.every((key) => this.#entry(key).fill === 0);
    this.#expectedBytes = fresh && expectedBytes !== undefined && expectedBytes >= SIZING_MIN_BYTES
      ? expectedBytes
      : undefined;
    this.#sampling = this.#expectedBytes !== undefined;
    this.#sampleBytes = Math.max(SIZING_SAMPLE_BYTES, (expectedBytes ?? 0) * SIZING_SAMPLE_SHARE);
  }

  /** Appends rows `[from, to)` of a block, key by key. */
  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    const { steps, values, hasValue, timestamps } = block;
    const withTime = this.#withTime;
    const count = keys.length;
    for (let k = 0; k < count; k++) {
      const entry = this.#entry(keys[k] as string);
      if (entry.sized && entry.list.length - entry.fill < to - from) {
        // Near the end of its room: count the block's points of the key (a sparse key's list
        // sized right is not to be copied for rows it has no value in).
        let room = 0;
        for (let cell = from * count + k; cell < to * count; cell += count) {
          room += hasValue[cell] as number;
        }
        if (entry.list.length - entry.fill < room) this.#resize(entry, room, block.bytesParsed);
      }
      const points = entry.list;
      let fill = entry.fill;
      for (let row = from, cell = from * count + k; row < to; row++, cell += count) {
        if (hasValue[cell] === 0) continue;
        points[fill++] = pointOf(
          steps[row] as number,
          values[cell] as number,
          timestamps[cell] as number,
          withTime,
        );
      }
      entry.fill = fill;
    }
    if (this.#sampling && (block.bytesParsed ?? 0) >= this.#sampleBytes) {
      this.#sampling = false;
      for (const key of keys) this.#resize(this.#entry(key), 0, block.bytesParsed);
    }
  }

  /** Appends one point that passed a range query. */
  point(point: MetricPoint): void {
    const entry = this.#entry(point.key);
    entry.list[entry.fill++] = pointOf(
      point.step,
      point.value,
      point.timestamp ?? NaN,
      this.#withTime,
    );
  }

  /** The points of a key, in scan order (empty when it had none). */
  take(key: string): FullPointJson[] {
    const entry = this.#points.get(key);
    if (entry === undefined) return [];
    if (entry.list.length !== entry.fill) entry.list.length = entry.fill;
    entry.sized = false;
    return entry.list;
  }

  /**
   * Gives a key's list room for the points its points per byte so far predict, and at least
   * `room` more slots, when the download's length is known (else the list grows as `push`
   * grows it); nothing changes when it already has that much.
   */
  #resize(entry: KeyPoints, room: number, bytesParsed: number | undefined): void {
    const expected = this.#expectedBytes;
    if (expected === undefined || bytesParsed === undefined || bytesParsed <= 0) return;
    const predicted = Math.ceil(entry.fill * (expected / bytesParsed) * SIZING_SLACK) +
      SIZING_EXTRA;
    const bound = entry.fill * SIZING_MAX_GROWTH + 64 * SIZING_EXTRA;
    // At least an eighth more than the list had: a key whose points start late is predicted short
    // again and again, and each copy must pay for itself.
    const grown = Math.ceil(entry.list.length * 1.125);
    const size = Math.max(entry.fill + room, Math.min(predicted, bound), grown);
    if (size <= entry.list.length || size > SIZING_MAX) return;
    const list = new Array<FullPointJson>(size);
    const old = entry.list;
    for (let i = 0; i < entry.fill; i++) list[i] = old[i] as FullPointJson;
    entry.list = list;
    entry.sized = true;
  }

  #entry(key: string): KeyPoints {
    let entry = this.#points.get(key);
    if (entry === undefined) {
      entry = { list: [], fill: 0, sized: false };
      this.#points.set(key, entry);
    }
    return entry;
  }
}
