/**
 * In-memory state of the local server: users, sessions, workspaces, projects, runs and export
 * jobs. Metric values, logs and media are not stored: runs hold formula-backed sources.
 *
 * @module
 */

import type { components } from "../../generated/schema.ts";
import type { CsvColumn } from "./csv_export.ts";
import type { RunLogs, RunMedia } from "./data_source.ts";
import type { RunMetrics } from "./metric_source.ts";

/**
 * Role of a user in a workspace.
 *
 * @example A role
 * ```ts
 * import type { RoleName } from "./store.ts";
 * const r: RoleName = "OWNER";
 * ```
 */
export type RoleName = "VISITOR" | "VIEWER" | "MEMBER" | "OWNER";

/**
 * Public profile fields of users and workspaces.
 *
 * @example A profile
 * ```ts
 * import type { ProfileRecord } from "./store.ts";
 * const p: ProfileRecord = { bio: "", url: "", institution: "", school: null, email: "a@x", location: "" };
 * ```
 */
export interface ProfileRecord {
  /** Short bio. */
  bio: string | null;
  /** Personal site. */
  url: string | null;
  /** Institution. */
  institution: string | null;
  /** School. */
  school: string | null;
  /** E-mail. */
  email: string | null;
  /** Location. */
  location: string | null;
}

/**
 * A user account.
 *
 * @example A user
 * ```ts ignore
 * const u: UserRecord = { username: "alice", name: "Alice", apiKey: "k", root: true, … };
 * ```
 */
export interface UserRecord {
  /** Username (also the personal workspace). */
  username: string;
  /** Display name. */
  name: string;
  /** API key accepted by the login endpoint. */
  apiKey: string;
  /** Whether the user is the self-hosted root user. */
  root: boolean;
  /** Password (self-hosted created users only). */
  password?: string;
  /** Profile. */
  profile: ProfileRecord;
  /** ISO creation time. */
  createdAt: string;
}

/**
 * A workspace (personal or team).
 *
 * @example A team
 * ```ts ignore
 * const w: WorkspaceRecord = { username: "vision-lab", type: "TEAM", … };
 * ```
 */
export interface WorkspaceRecord {
  /** Workspace username. */
  username: string;
  /** Display name. */
  name: string;
  /** Kind. */
  type: "PERSON" | "TEAM";
  /** Comment. */
  comment: string;
  /** Profile. */
  profile: ProfileRecord;
  /** Members and their roles. */
  members: Map<string, RoleName>;
  /** ISO creation time. */
  createdAt: string;
  /** ISO update time. */
  updatedAt: string;
}

/**
 * A project label.
 *
 * @example A label
 * ```ts
 * import type { LabelRecord } from "./store.ts";
 * const l: LabelRecord = { name: "baseline", colors: ["#528d59"] };
 * ```
 */
export interface LabelRecord {
  /** Label name. */
  name: string;
  /** Colours. */
  colors: string[];
  /** Label cuid (project labels only). */
  cuid?: string;
}

/**
 * A project.
 *
 * @example A project
 * ```ts ignore
 * const p: ProjectRecord = { cuid: "c…", name: "mnist-baseline", workspace: "alice", … };
 * ```
 */
export interface ProjectRecord {
  /** Project cuid. */
  cuid: string;
  /** Name. */
  name: string;
  /** Owning workspace username. */
  workspace: string;
  /** Visibility. */
  visibility: "PUBLIC" | "PRIVATE";
  /** Description. */
  description: string;
  /** Labels. */
  labels: LabelRecord[];
  /** Username of the creator. */
  creator: string;
  /** ISO creation time. */
  createdAt: string;
  /** ISO update time. */
  updatedAt: string;
  /** Counts as stored (a mirror); absent: counted from the store. */
  count?: { experiments: number; contributors: number; collaborators: number; clones: number };
  /** Whether it was deleted. */
  deleted: boolean;
}

/**
 * The media logged by a run: `keys` at `steps`, `perStep` images each.
 *
 * @example Media of a run
 * ```ts
 * import type { MediaRecord } from "./store.ts";
 * const m: MediaRecord = { keys: ["samples/image"], steps: [0, 10], perStep: 2, seed: 1 };
 * ```
 */
export interface MediaRecord {
  /** Media keys. */
  keys: string[];
  /** Steps with media (ascending). */
  steps: number[];
  /** Images per step and key. */
  perStep: number;
  /** Seed of the image pixels. */
  seed: number;
}

/**
 * A run (experiment).
 *
 * @example A run
 * ```ts ignore
 * const r: RunRecord = { cuid: "c…", slug: "a1b2c3d4", name: "resnet-00", … };
 * ```
 */
export interface RunRecord {
  /** Run cuid. */
  cuid: string;
  /** Short slug. */
  slug: string;
  /** Name. */
  name: string;
  /** Description. */
  description: string;
  /** Owning project cuid. */
  projectCuid: string;
  /** State. */
  state: "RUNNING" | "FINISHED" | "CRASHED" | "ABORTED" | "OFFLINE";
  /** Record type. */
  type: "CHAPTER" | "SUMMARY";
  /** Labels. */
  labels: LabelRecord[];
  /** Shown in comparison views. */
  show: boolean;
  /** Pinned. */
  pin: boolean;
  /** ISO pin time or null. */
  pinnedAt: string | null;
  /** Baseline flag. */
  baseline: boolean;
  /** Chart colours. */
  colors: string[];
  /** Group name. */
  cluster: string;
  /** Job type. */
  job: string;
  /** Creator. */
  user: { name: string; username: string };
  /** Profile. */
  profile: {
    config: Record<string, unknown>;
    metadata: Record<string, unknown>;
    requirements: string;
    conda: string;
  };
  /** Root project cuid (clones). */
  rootProId?: string;
  /** Root run cuid (clones). */
  rootExpId?: string;
  /** ISO creation time (`…000Z`). */
  createdAt: string;
  /** ISO update time. */
  updatedAt: string;
  /** ISO finish time or null. */
  finishedAt: string | null;
  /** Scalar metrics stored under this run's own id (none for clones: see `root`). */
  metrics: RunMetrics;
  /** Media stored under this run's own id (none for clones). */
  media: RunMedia;
  /** Console log stored under this run's own id (empty for clones). */
  logs: RunLogs;
  /** Metric columns as stored (a mirror); absent: derived from the metric and media keys. */
  columns?: components["schemas"]["Column"][];
  /** The full run record as stored (a mirror), answered verbatim by `GET …/runs/{run}`. */
  wire?: Record<string, unknown>;
  /** The root run of a clone, whose data the clone shares (read through the root ids). */
  root?: RunRecord;
  /** Whether it was deleted. */
  deleted: boolean;
}

/**
 * The run whose metric-store data `run` shows: the root run for clones, else `run` itself.
 *
 * @example Columns of a clone
 * ```ts ignore
 * const keys = dataOf(cloneRun).metrics.keys; // the root run's keys
 * ```
 */
export function dataOf(run: RunRecord): RunRecord {
  return run.root ?? run;
}

/**
 * A stored export job, served from the storage origin.
 *
 * @example A log export job
 * ```ts ignore
 * const job: ExportJob = { kind: "log", logs, start: 0, rows: 100 };
 * ```
 */
export type ExportJob =
  | { kind: "csv"; columns: CsvColumn[]; fingerprint: string }
  | { kind: "log"; logs: RunLogs; start: number; rows: number };

/**
 * A login session.
 *
 * @example A session
 * ```ts
 * import type { SessionRecord } from "./store.ts";
 * const s: SessionRecord = { sid: "abc", username: "alice", expiresAt: Date.now() + 1000 };
 * ```
 */
export interface SessionRecord {
  /** Session id. */
  sid: string;
  /** User. */
  username: string;
  /** Epoch ms of expiry. */
  expiresAt: number;
}

/**
 * The whole in-memory state and its lookups.
 *
 * @example Look up a project
 * ```ts ignore
 * const p = store.project("alice", "mnist-baseline");
 * ```
 */
export class Store {
  /** Users by username. */
  readonly users: Map<string, UserRecord> = new Map();
  /** Workspaces by username. */
  readonly workspaces: Map<string, WorkspaceRecord> = new Map();
  /** Projects by cuid (including deleted ones). */
  readonly projects: Map<string, ProjectRecord> = new Map();
  /** Runs by cuid (including deleted ones). */
  readonly runs: Map<string, RunRecord> = new Map();
  /** Sessions by sid. */
  readonly sessions: Map<string, SessionRecord> = new Map();
  /** Export jobs by object key. */
  readonly exports: Map<string, ExportJob> = new Map();
  /** Why create and delete requests are refused (a read-only mirror), or `undefined`. */
  readOnly: string | undefined;
  /**
   * Self-hosted instance facts as stored (a mirror; `null`: the source had none); `undefined`:
   * the seeded answer.
   */
  selfHostedInfo:
    | { enabled: boolean; expired: boolean; plan: "commercial" | "free"; seats: number }
    | null
    | undefined;
  #exportCounter = 0;

  /** The user owning `apiKey`, if any. */
  userByApiKey(apiKey: string): UserRecord | undefined {
    for (const u of this.users.values()) if (u.apiKey === apiKey) return u;
    return undefined;
  }

  /** Creates a session for `username` lasting `ttlMs`. */
  createSession(username: string, ttlMs: number): SessionRecord {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    const sid = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    const session = { sid, username, expiresAt: Date.now() + ttlMs };
    this.sessions.set(sid, session);
    return session;
  }

  /** The user of a live session, or `undefined` (expired sessions are removed). */
  sessionUser(sid: string | undefined): UserRecord | undefined {
    if (!sid) return undefined;
    const s = this.sessions.get(sid);
    if (!s) return undefined;
    if (s.expiresAt <= Date.now()) {
      this.sessions.delete(sid);
      return undefined;
    }
    return this.users.get(s.username);
  }

  /** Role of `username` in workspace `ws` (`VISITOR` when not a member). */
  roleOf(username: string, ws: WorkspaceRecord): RoleName {
    return ws.members.get(username) ?? "VISITOR";
  }

  /** Whether `username` may write in (and see private projects of) workspace `ws`. */
  isMember(username: string, ws: WorkspaceRecord): boolean {
    const role = ws.members.get(username);
    return role === "OWNER" || role === "MEMBER" || role === "VIEWER";
  }

  /** Whether `username` may see `project`. */
  canSee(username: string, project: ProjectRecord): boolean {
    if (project.deleted) return false;
    if (project.visibility === "PUBLIC") return true;
    const ws = this.workspaces.get(project.workspace);
    return ws !== undefined && this.isMember(username, ws);
  }

  /** Live project `workspace/name`, whatever its visibility. */
  project(workspace: string, name: string): ProjectRecord | undefined {
    for (const p of this.projects.values()) {
      if (!p.deleted && p.workspace === workspace && p.name === name) return p;
    }
    return undefined;
  }

  /** Live project by cuid. */
  projectByCuid(cuid: string): ProjectRecord | undefined {
    const p = this.projects.get(cuid);
    return p && !p.deleted ? p : undefined;
  }

  /** Live projects of a workspace, in creation order. */
  projectsOf(workspace: string): ProjectRecord[] {
    return [...this.projects.values()].filter((p) => !p.deleted && p.workspace === workspace);
  }

  /** Live runs of a project, in creation order. */
  runsOf(projectCuid: string): RunRecord[] {
    return [...this.runs.values()].filter((r) => !r.deleted && r.projectCuid === projectCuid);
  }

  /** Live run of a project by slug or cuid. */
  run(projectCuid: string, id: string): RunRecord | undefined {
    for (const r of this.runs.values()) {
      if (!r.deleted && r.projectCuid === projectCuid && (r.cuid === id || r.slug === id)) return r;
    }
    return undefined;
  }

  /** Live run by cuid (in a live project). */
  runByCuid(cuid: string): RunRecord | undefined {
    const r = this.runs.get(cuid);
    if (!r || r.deleted || !this.projectByCuid(r.projectCuid)) return undefined;
    return r;
  }

  /** Stores an export job and returns its object key. */
  addExport(job: ExportJob, extension: "csv" | "log"): string {
    this.#exportCounter++;
    const rand = Array.from(
      crypto.getRandomValues(new Uint8Array(6)),
      (b) => b.toString(16).padStart(2, "0"),
    ).join("");
    const key = `exports/${
      extension === "csv" ? "metrics" : "logs"
    }/${this.#exportCounter}-${rand}.${extension}`;
    this.exports.set(key, job);
    return key;
  }
}
