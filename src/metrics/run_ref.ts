/**
 * The identifiers every House (metrics, media, logs) request of one run needs.
 *
 * @module
 */

/**
 * What a run's metric, media and log queries send: its project and run cuids, its creation time
 * (a lower bound on ingestion time that the server requires), and for cloned runs the ids of the
 * run they were cloned from.
 *
 * @example
 * ```ts
 * import type { RunRef } from "./run_ref.ts";
 *
 * const ref: RunRef = {
 *   projectId: "cproject000000000000000001",
 *   runId: "crun00000000000000000000001",
 *   createdAt: 1722470400,
 *   name: "resnet50-lr0.1",
 * };
 * ```
 */
export interface RunRef {
  /** The project's cuid (`projectId` in House bodies). */
  projectId: string;
  /** The run's cuid (`experimentId` in House bodies). */
  runId: string;
  /** The run's creation time in Unix seconds (10 digits). */
  createdAt: number;
  /** The run's display name, used in CSV export headers. */
  name: string;
  /** For a cloned run, the cuid of the project it was cloned from. */
  rootProId?: string;
  /** For a cloned run, the cuid of the run it was cloned from. */
  rootExpId?: string;
}
