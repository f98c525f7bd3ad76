/**
 * The media of a seeded run as a {@link RunMedia}: PNG images computed from a seed at the
 * paths of `media_paths.ts`.
 *
 * @module
 */

import type { components } from "../../generated/schema.ts";
import type { MediaObject, RunMedia } from "./data_source.ts";
import { mediaPath, parseMediaPath } from "./media_paths.ts";
import { samplePng } from "./png.ts";
import { hashInts, hashString } from "./prng.ts";
import type { MediaRecord } from "./store.ts";

/**
 * Wraps the description of a seeded run's media.
 *
 * @param record keys, steps, images per step and pixel seed
 * @returns the run's media
 *
 * @example Two images per step
 * ```ts
 * import { seededMedia } from "./seeded_media.ts";
 * const media = seededMedia({ keys: ["samples/image"], steps: [0, 5], perStep: 2, seed: 1 });
 * media.entry("samples/image", 5)?.data; // ["media/samples/image/step5-0.png", "media/samples/image/step5-1.png"]
 * ```
 */
export function seededMedia(record: MediaRecord): RunMedia {
  return {
    keys: record.keys,
    steps: (key: string): readonly number[] => record.keys.includes(key) ? record.steps : [],
    entry: (key: string, step: number): components["schemas"]["MediaEntry"] | null => {
      if (!record.keys.includes(key) || !record.steps.includes(step)) return null;
      const data: string[] = [];
      const more: Record<string, unknown>[] = [];
      for (let i = 0; i < record.perStep; i++) {
        data.push(mediaPath(key, step, i));
        more.push({ caption: `${key} #${i} @ step ${step}` });
      }
      return { key, data, more };
    },
    object: (path: string): MediaObject | undefined => {
      const m = parseMediaPath(record, path);
      if (!m) return undefined;
      return {
        contentType: "image/png",
        bytes: () =>
          Promise.resolve(samplePng(hashInts(record.seed, hashString(m.key), m.step, m.index))),
      };
    },
  };
}
