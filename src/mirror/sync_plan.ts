/**
 * The sync plan: the remote state of each selected run against what the mirror holds, as one
 * step per run (keep it, or fetch it and why).
 *
 * @module
 */

import type { ManifestRun } from "./mirror_format.ts";

/**
 * What the source says about a run now (from the run list and its summary).
 *
 * @example A remote run
 * ```ts
 * import type { RemoteRun } from "./sync_plan.ts";
 * const r: RemoteRun = {
 *   cuid: "c1", path: "alice/p/abc", state: "FINISHED", updatedAt: "2024-08-01T00:00:00.000Z",
 *   summarySha256: "0f…",
 * };
 * ```
 */
export interface RemoteRun {
  /** Run cuid. */
  cuid: string;
  /** `<workspace>/<project>/<slug>`. */
  path: string;
  /** State. */
  state: string;
  /** Update time. */
  updatedAt: string;
  /** SHA-256 of its summary (moves when points are added). */
  summarySha256: string;
}

/**
 * One step of a plan.
 *
 * @example A new run
 * ```ts
 * import type { SyncStep } from "./sync_plan.ts";
 * const step: SyncStep = { cuid: "c1", path: "alice/p/abc", action: "fetch", reason: "new" };
 * ```
 */
export interface SyncStep {
  /** Run cuid. */
  cuid: string;
  /** `<workspace>/<project>/<slug>`. */
  path: string;
  /** `keep`: the mirror holds it as it is; `fetch`: download it. */
  action: "keep" | "fetch";
  /** Why: `unchanged`, `resumed` (completed by an interrupted attempt), `new`, `state`, `updated`, `points`, `media`. */
  reason: "unchanged" | "resumed" | "new" | "state" | "updated" | "points" | "media";
  /** The entry kept (for `keep`). */
  entry?: ManifestRun;
}

function same(remote: RemoteRun, entry: ManifestRun, media: boolean): SyncStep["reason"] | null {
  if (entry.state !== remote.state) return "state";
  if (entry.updatedAt !== remote.updatedAt) return "updated";
  if (entry.summarySha256 !== remote.summarySha256) return "points";
  if (entry.media !== media) return "media";
  return null;
}

/**
 * Plans a sync.
 *
 * @param remote The selected runs, in listing order.
 * @param committed Runs of the current manifest, by cuid.
 * @param journal Runs completed by an interrupted attempt since, by cuid.
 * @param media Whether media are mirrored this time.
 * @returns One step per remote run.
 *
 * @example Nothing changed
 * ```ts
 * import { planSync } from "./sync_plan.ts";
 * const steps = planSync([], new Map(), new Map(), true); // []
 * ```
 */
export function planSync(
  remote: readonly RemoteRun[],
  committed: ReadonlyMap<string, ManifestRun>,
  journal: ReadonlyMap<string, ManifestRun>,
  media: boolean,
): SyncStep[] {
  return remote.map((r): SyncStep => {
    const resumed = journal.get(r.cuid);
    if (resumed && same(r, resumed, media) === null && resumed.path === r.path) {
      return { cuid: r.cuid, path: r.path, action: "keep", reason: "resumed", entry: resumed };
    }
    const entry = committed.get(r.cuid);
    if (!entry) return { cuid: r.cuid, path: r.path, action: "fetch", reason: "new" };
    const changed = same(r, entry, media) ?? (entry.path === r.path ? null : "updated");
    if (changed === null) {
      return { cuid: r.cuid, path: r.path, action: "keep", reason: "unchanged", entry };
    }
    return { cuid: r.cuid, path: r.path, action: "fetch", reason: changed };
  });
}
