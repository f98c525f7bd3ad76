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
    return this.#segmenter().segment(input);
  }

  resolvedOptions(): Intl.ResolvedSegmenterOptions {
    return this.#segmenter().resolvedOptions();
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
