/**
 * Defers the cost of `Intl.Segmenter` while Optique's modules load.
 *
 * Why: `@optique/core` (1.3.x, `dist/displaywidth.js`) builds a grapheme `Intl.Segmenter` when
 * its module is evaluated. Constructing the first segmenter loads ICU's break-iterator data:
 * about 13 ms of CPU in Deno 2.9, a tenth of `swanlab-ts user info`'s whole start-up, paid by
 * every command although only help pages and error messages measure text widths. Evaluating
 * this module (imported by `main.ts` before any Optique module) puts a stand-in class in
 * `Intl.Segmenter` whose instances build the real segmenter on their first use;
 * {@linkcode restoreSegmenter} (called by `main.ts` once its imports are evaluated) puts the
 * real class back, so no code outside Optique's module initialisation ever sees the stand-in.
 *
 * Help pages are ASCII text almost everywhere, and in ASCII every character is a grapheme of its
 * own except a CR LF pair (Unicode's extended grapheme cluster rules GB3-GB5, GB999): a grapheme
 * stand-in segments such text itself, so that `--help` and usage errors do not load ICU's data
 * either (about 13 ms of a 150 ms `--help`). Any other text goes to the real segmenter.
 *
 * Private to `src/cli/`.
 *
 * @module
 */

const NativeSegmenter = Intl.Segmenter;

/**
 * A segmenter that constructs the real one on first use, with the same arguments (so invalid
 * arguments throw then, not at construction; Optique's are fixed and valid).
 *
 * @example Same segments as the runtime's segmenter
 * ```ts ignore
 * const segmenter = new DeferredSegmenter(undefined, { granularity: "grapheme" });
 * [...segmenter.segment("a👍🏽b")].length; // 3
 * ```
 */
export class DeferredSegmenter {
  readonly #locales: string | readonly string[] | undefined;
  readonly #options: Intl.SegmenterOptions | undefined;
  #real: Intl.Segmenter | undefined;

  constructor(locales?: string | readonly string[], options?: Intl.SegmenterOptions) {
    this.#locales = locales;
    this.#options = options;
  }

  #segmenter(): Intl.Segmenter {
    this.#real ??= new NativeSegmenter(
      this.#locales as string | string[] | undefined,
      this.#options,
    );
    return this.#real;
  }

  segment(input: string): Intl.Segments {
    const text = String(input);
    const graphemes = (this.#options?.granularity ?? "grapheme") === "grapheme";
    return graphemes && !NON_ASCII.test(text)
      ? new AsciiGraphemes(text)
      : this.#segmenter().segment(text);
  }

  resolvedOptions(): Intl.ResolvedSegmenterOptions {
    return this.#segmenter().resolvedOptions();
  }
}

/** Any code unit past ASCII (surrogates included). */
const NON_ASCII = /[\u0080-\uffff]/;
const CR = 13;
const LF = 10;

/** The graphemes of an ASCII string: one per character, a CR LF pair as one. */
class AsciiGraphemes implements Intl.Segments {
  readonly #input: string;

  constructor(input: string) {
    this.#input = input;
  }

  containing(codeUnitIndex = 0): Intl.SegmentData | undefined {
    const input = this.#input;
    const at = Math.trunc(Number(codeUnitIndex)) || 0;
    if (at < 0 || at >= input.length) return undefined;
    const start = at > 0 && input.charCodeAt(at) === LF && input.charCodeAt(at - 1) === CR
      ? at - 1
      : at;
    return this.#segmentAt(start);
  }

  [Symbol.iterator](): Intl.SegmentIterator<Intl.SegmentData> {
    // A generator object is an iterator of the runtime's own (with the iterator helpers where
    // the runtime has them), as a segment iterator is.
    return this.#segments() as unknown as Intl.SegmentIterator<Intl.SegmentData>;
  }

  *#segments(): Generator<Intl.SegmentData, undefined, undefined> {
    for (let index = 0; index < this.#input.length;) {
      const data = this.#segmentAt(index);
      index += data.segment.length;
      yield data;
    }
  }

  #segmentAt(index: number): Intl.SegmentData {
    const input = this.#input;
    const pair = input.charCodeAt(index) === CR && input.charCodeAt(index + 1) === LF;
    return { segment: input.slice(index, index + (pair ? 2 : 1)), index, input };
  }
}

Object.defineProperty(Intl, "Segmenter", {
  value: DeferredSegmenter,
  writable: true,
  configurable: true,
  enumerable: false,
});

/**
 * Puts the runtime's own `Intl.Segmenter` back (idempotent). Segmenters built while the
 * stand-in was installed keep working: they create a real one on their first `segment()`.
 *
 * @example Restore once the modules that build segmenters at load time are evaluated
 * ```ts ignore
 * import { restoreSegmenter } from "./_deferred_segmenter.ts";
 * import { getDisplayWidth } from "@optique/core/displaywidth"; // built its segmenter lazily
 *
 * restoreSegmenter();
 * ```
 */
export function restoreSegmenter(): void {
  Object.defineProperty(Intl, "Segmenter", {
    value: NativeSegmenter,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}
