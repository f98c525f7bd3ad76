/**
 * Object paths of seeded media: `media/<key>/step<step>-<i>.png`, presigned under the prefix
 * `<projectCuid>/<runCuid>`.
 *
 * @module
 */

import type { MediaRecord } from "./store.ts";

/**
 * Path of image `i` of `key` at `step`.
 *
 * @example A path
 * ```ts
 * import { mediaPath } from "./media_paths.ts";
 * mediaPath("samples/image", 5, 0); // "media/samples/image/step5-0.png"
 * ```
 */
export function mediaPath(key: string, step: number, i: number): string {
  return `media/${key}/step${step}-${i}.png`;
}

/**
 * Parses a media path of `media`; returns `undefined` when the run has no such object.
 *
 * @example Parse
 * ```ts
 * import { parseMediaPath } from "./media_paths.ts";
 * const media = { keys: ["samples/image"], steps: [0, 5], perStep: 2, seed: 1 };
 * parseMediaPath(media, "media/samples/image/step5-1.png"); // { key: "samples/image", step: 5, index: 1 }
 * ```
 */
export function parseMediaPath(
  media: MediaRecord,
  path: string,
): { key: string; step: number; index: number } | undefined {
  const m = /^media\/(.+)\/step(\d+)-(\d+)\.png$/.exec(path);
  if (!m) return undefined;
  const key = m[1]!;
  const step = Number(m[2]);
  const index = Number(m[3]);
  if (!media.keys.includes(key) || !media.steps.includes(step) || index >= media.perStep) {
    return undefined;
  }
  return { key, step, index };
}
