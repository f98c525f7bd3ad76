/**
 * The seeded demo data set: users, workspaces, projects and runs. Deterministic: the same seed
 * and sizes give the same ids, names, values and bytes.
 *
 * @module
 */

import type { DataSource, LoadedData } from "./data_source.ts";
import { LogSource } from "./log_source.ts";
import {
  createRunMetrics,
  CUSTOM_SCALAR_KEYS,
  emptyRunMetrics,
  STEP_MS,
  SYSTEM_SCALAR_KEYS,
} from "./metric_source.ts";
import { Prng } from "./prng.ts";
import { seededMedia } from "./seeded_media.ts";
import type {
  LabelRecord,
  MediaRecord,
  ProfileRecord,
  ProjectRecord,
  RoleName,
  RunRecord,
  Store,
  WorkspaceRecord,
} from "./store.ts";
import { isoMs, toSeconds } from "./time.ts";

/**
 * A seeded user.
 *
 * @example Log in as bob
 * ```ts ignore
 * const bob = server.users.find((u) => u.username === "bob")!;
 * await fetch(`${server.host}/api/login/api_key`, { method: "POST", headers: { authorization: bob.apiKey } });
 * ```
 */
export interface SeedUser {
  /** Username (also the personal workspace). */
  readonly username: string;
  /** Display name. */
  readonly name: string;
  /** API key for `POST /api/login/api_key`. */
  readonly apiKey: string;
  /** Whether the user is the self-hosted root user. */
  readonly root: boolean;
}

/**
 * A seeded run, as tests see it.
 *
 * @example Address a run by slug
 * ```ts ignore
 * const run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
 * await api.get(`/project/${run.projectPath}/runs/${run.slug}`);
 * ```
 */
export interface DatasetRun {
  /** Run cuid (25 chars, starts with `c`). */
  readonly cuid: string;
  /** Short slug (8 chars). */
  readonly slug: string;
  /** Run name. */
  readonly name: string;
  /** `<workspace>/<project>/<slug>`. */
  readonly path: string;
  /** `<workspace>/<project>`. */
  readonly projectPath: string;
  /** Project cuid. */
  readonly projectCuid: string;
  /** State. */
  readonly state: "RUNNING" | "FINISHED" | "CRASHED" | "ABORTED" | "OFFLINE";
  /** ISO creation time (`…000Z`). */
  readonly createdAt: string;
  /** Creation time in Unix seconds (what House calls send as `createdAt`). */
  readonly createdAtSeconds: number;
  /** ISO finish time or null. */
  readonly finishedAt: string | null;
  /** Group (`cluster`). */
  readonly cluster: string;
  /** Job type (`job`). */
  readonly job: string;
  /** Label names. */
  readonly labels: readonly string[];
  /** Whether the run is pinned. */
  readonly pin: boolean;
  /** `profile.config`. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Root project cuid (clones only). */
  readonly rootProId?: string;
  /** Root run cuid (clones only). */
  readonly rootExpId?: string;
}

/**
 * A seeded project.
 *
 * @example The big project
 * ```ts ignore
 * const sweep = server.dataset.projects["vision-lab/resnet-sweep"]!;
 * sweep.runs.length; // 24 by default
 * ```
 */
export interface DatasetProject {
  /** `<workspace>/<name>`. */
  readonly path: string;
  /** Workspace username. */
  readonly username: string;
  /** Project name. */
  readonly name: string;
  /** Project cuid. */
  readonly cuid: string;
  /** Visibility. */
  readonly visibility: "PUBLIC" | "PRIVATE";
  /** Runs, in creation order. */
  readonly runs: readonly DatasetRun[];
}

/**
 * A seeded workspace.
 *
 * @example Members of the team
 * ```ts ignore
 * server.dataset.workspaces.find((w) => w.username === "vision-lab")!.members;
 * ```
 */
export interface DatasetWorkspace {
  /** Workspace username. */
  readonly username: string;
  /** Kind. */
  readonly type: "PERSON" | "TEAM";
  /** Members and roles. */
  readonly members: readonly { readonly username: string; readonly role: RoleName }[];
}

/**
 * Facts about the seeded data set that tests can rely on (a snapshot taken at start-up; writes
 * made later through the API are not reflected here).
 *
 * @example Find the clone
 * ```ts ignore
 * const { run, root } = server.dataset.clone;
 * run.rootExpId === root.cuid; // true
 * ```
 */
export interface DatasetInfo {
  /** Seed used. */
  readonly seed: number;
  /** Steps per run (steps are `0 … steps-1`). */
  readonly steps: number;
  /** Console log lines per run. */
  readonly logLines: number;
  /** Custom scalar keys of every run (built-in then `extra/metric_NNN`). */
  readonly scalarKeys: readonly string[];
  /** System scalar keys of every run. */
  readonly systemKeys: readonly string[];
  /** Step interval of each scalar key (1 for train keys and `lr`, 10 for val keys, 5 for system keys). */
  readonly keyEvery: Readonly<Record<string, number>>;
  /** Media keys of every run. */
  readonly mediaKeys: readonly string[];
  /** Steps that have media. */
  readonly mediaSteps: readonly number[];
  /** Images per media step. */
  readonly imagesPerStep: number;
  /** Workspaces. */
  readonly workspaces: readonly DatasetWorkspace[];
  /** Projects keyed by path (`alice/mnist-baseline`, `alice/scratch`, `vision-lab/resnet-sweep`, `vision-lab/diffusion`). */
  readonly projects: Readonly<Record<string, DatasetProject>>;
  /** The cloned run (in `alice/mnist-baseline`) and its root run (first run of `vision-lab/resnet-sweep`). */
  readonly clone: { readonly run: DatasetRun; readonly root: DatasetRun };
  /** The pinned run of `vision-lab/resnet-sweep`. */
  readonly pinned: DatasetRun;
}

/**
 * Sizes of the data set.
 *
 * @example Small data set
 * ```ts
 * import type { DatasetOptions } from "./dataset.ts";
 * const o: DatasetOptions = { seed: 1, runs: 4, steps: 100, extraKeys: 0, logLines: 1500 };
 * ```
 */
export interface DatasetOptions {
  /** Seed. */
  seed: number;
  /** Runs in `vision-lab/resnet-sweep`. */
  runs: number;
  /** Steps per run. */
  steps: number;
  /** Additional scalar keys per run. */
  extraKeys: number;
  /** Log lines per run. */
  logLines: number;
}

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const KEY_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE_MS = Date.parse("2024-08-01T00:00:00.000Z");
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const STATES = [
  "FINISHED",
  "FINISHED",
  "RUNNING",
  "FINISHED",
  "CRASHED",
  "FINISHED",
  "ABORTED",
  "OFFLINE",
] as const;

function profile(email: string | null, bio = ""): ProfileRecord {
  return { bio, url: "", institution: "", school: null, email, location: "" };
}

/**
 * Seeds `store` and returns the facts tests rely on.
 *
 * @param store an empty store
 * @param options seed and sizes
 * @returns data set facts and the seeded users
 *
 * @example Seed a store
 * ```ts
 * import { Store } from "./store.ts";
 * import { seedDataset } from "./dataset.ts";
 * const store = new Store();
 * const { info } = seedDataset(store, { seed: 42, runs: 24, steps: 1000, extraKeys: 0, logLines: 2500 });
 * info.projects["vision-lab/resnet-sweep"]!.runs.length; // 24
 * ```
 */
export function seedDataset(
  store: Store,
  options: DatasetOptions,
): { info: DatasetInfo; users: SeedUser[] } {
  const { seed, steps, extraKeys, logLines } = options;
  const rng = new Prng(seed);
  const cuid = (): string => "c" + rng.chars(24, ALNUM);
  const slug = (): string => rng.chars(8, ALNUM);

  // Users and personal workspaces.
  const users: SeedUser[] = [
    { username: "alice", name: "Alice Zhang", apiKey: rng.chars(21, KEY_CHARS), root: true },
    { username: "bob", name: "Bob Li", apiKey: rng.chars(21, KEY_CHARS), root: false },
    { username: "carol", name: "Carol Wu", apiKey: rng.chars(21, KEY_CHARS), root: false },
  ];
  users.forEach((u, i) => {
    const createdAt = isoMs(BASE_MS - 200 * DAY + i * DAY);
    const prof = profile(`${u.username}@example.org`, `${u.name} builds models.`);
    store.users.set(u.username, {
      username: u.username,
      name: u.name,
      apiKey: u.apiKey,
      root: u.root,
      profile: { ...prof, institution: "Example University", location: "Hangzhou" },
      createdAt,
    });
    store.workspaces.set(u.username, {
      username: u.username,
      name: u.name,
      type: "PERSON",
      comment: "",
      profile: prof,
      members: new Map([[u.username, "OWNER"]]),
      createdAt,
      updatedAt: createdAt,
    });
  });
  const team: WorkspaceRecord = {
    username: "vision-lab",
    name: "Vision Lab",
    type: "TEAM",
    comment: "Computer vision research team",
    profile: profile("lab@example.org", "Image models and diffusion."),
    members: new Map<string, RoleName>([["alice", "OWNER"], ["bob", "MEMBER"]]),
    createdAt: isoMs(BASE_MS - 150 * DAY),
    updatedAt: isoMs(BASE_MS - 10 * DAY),
  };
  store.workspaces.set(team.username, team);

  const projects: Record<string, DatasetProject> = {};
  let runSeed = 0;
  const addProject = (
    workspace: string,
    name: string,
    visibility: "PUBLIC" | "PRIVATE",
    description: string,
    creator: string,
    labels: string[],
    dayOffset: number,
  ): ProjectRecord => {
    const p: ProjectRecord = {
      cuid: cuid(),
      name,
      workspace,
      visibility,
      description,
      labels: labels.map((l, i): LabelRecord => ({
        name: l,
        colors: [["#528d59", "#587ad2", "#c24d46"][i % 3]!],
        cuid: cuid(),
      })),
      creator,
      createdAt: isoMs(BASE_MS + dayOffset * DAY),
      updatedAt: isoMs(BASE_MS + (dayOffset + 30) * DAY),
      deleted: false,
    };
    store.projects.set(p.cuid, p);
    projects[`${workspace}/${name}`] = {
      path: `${workspace}/${name}`,
      username: workspace,
      name,
      cuid: p.cuid,
      visibility,
      runs: [],
    };
    return p;
  };

  const mediaSteps = [
    ...new Set([0, 1, 2, 3, 4].map((k) => Math.floor((k * Math.max(0, steps - 1)) / 4))),
  ];
  const toInfo = (r: RunRecord, project: ProjectRecord): DatasetRun => {
    const info: DatasetRun = {
      cuid: r.cuid,
      slug: r.slug,
      name: r.name,
      path: `${project.workspace}/${project.name}/${r.slug}`,
      projectPath: `${project.workspace}/${project.name}`,
      projectCuid: project.cuid,
      state: r.state,
      createdAt: r.createdAt,
      createdAtSeconds: toSeconds(Date.parse(r.createdAt)),
      finishedAt: r.finishedAt,
      cluster: r.cluster,
      job: r.job,
      labels: r.labels.map((l) => l.name),
      pin: r.pin,
      config: r.profile.config,
      ...(r.rootProId ? { rootProId: r.rootProId } : {}),
      ...(r.rootExpId ? { rootExpId: r.rootExpId } : {}),
    };
    (projects[info.projectPath]!.runs as DatasetRun[]).push(info);
    return info;
  };

  interface RunSpec {
    name: string;
    state: RunRecord["state"];
    createdMs: number;
    cluster: string;
    job: string;
    labels: string[];
    config: Record<string, unknown>;
    user: string;
    pin?: boolean;
    description?: string;
    cloneOf?: RunRecord;
  }
  const addRun = (
    project: ProjectRecord,
    spec: RunSpec,
  ): { record: RunRecord; info: DatasetRun } => {
    runSeed++;
    const lr = typeof spec.config.lr === "number" ? spec.config.lr : 0.01;
    const id = cuid();
    const root = spec.cloneOf;
    // A clone stores nothing under its own id: its data is the root run's (see `root`).
    const metrics = root
      ? emptyRunMetrics(steps)
      : createRunMetrics({ seed, runSeed, steps, startMs: spec.createdMs, lr, extraKeys });
    const media: MediaRecord = root ? { keys: [], steps: [], perStep: 0, seed: 0 } : {
      keys: ["samples/image"],
      steps: mediaSteps,
      perStep: 2,
      seed: (seed * 7919 + runSeed) | 0,
    };
    const logs = new LogSource(seed, runSeed, root ? 0 : logLines, spec.createdMs + 500);
    const finished = spec.state === "RUNNING" || spec.state === "OFFLINE"
      ? null
      : isoMs(Math.ceil((spec.createdMs + 2000 + steps * STEP_MS) / 1000) * 1000);
    const owner = store.users.get(spec.user)!;
    const record: RunRecord = {
      cuid: id,
      slug: slug(),
      name: spec.name,
      description: spec.description ?? "",
      projectCuid: project.cuid,
      state: spec.state,
      type: "CHAPTER",
      labels: spec.labels.map((l) => ({ name: l, colors: ["#528d59", "#587ad2"] })),
      show: true,
      pin: spec.pin ?? false,
      pinnedAt: spec.pin ? isoMs(spec.createdMs + DAY) : null,
      baseline: false,
      colors: [["#528d59", "#587ad2", "#c24d46", "#e8a33d"][runSeed % 4]!, "#ffffff"],
      cluster: spec.cluster,
      job: spec.job,
      user: { name: owner.name, username: owner.username },
      profile: {
        config: spec.config,
        metadata: {
          hostname: `gpu-node-${String(runSeed % 8).padStart(2, "0")}`,
          os: "Linux-5.15.0-105-generic-x86_64-with-glibc2.35",
          python: "3.11.7",
          executable: "/opt/conda/bin/python",
          command: `python train.py --lr ${lr}`,
          gpu: { nvidia: { type: ["NVIDIA A100-SXM4-80GB"], count: 1, driver: "550.54.15" } },
          cpu: { count: 32 },
          memory: 512,
        },
        requirements: "numpy==1.26.4\nswanlab==0.8.0\ntorch==2.3.1\ntorchvision==0.18.1\n",
        conda: "",
      },
      ...(root ? { rootProId: root.projectCuid, rootExpId: root.cuid, root } : {}),
      createdAt: isoMs(spec.createdMs),
      updatedAt: finished ?? isoMs(spec.createdMs + steps * STEP_MS),
      finishedAt: finished,
      metrics,
      media: seededMedia(media),
      logs,
      deleted: false,
    };
    store.runs.set(record.cuid, record);
    return { record, info: toInfo(record, project) };
  };

  // Projects.
  const mnist = addProject("alice", "mnist-baseline", "PUBLIC", "MNIST baselines", "alice", [
    "baseline",
  ], 0);
  const scratch = addProject("alice", "scratch", "PRIVATE", "Private experiments", "alice", [], 5);
  const sweep = addProject(
    "vision-lab",
    "resnet-sweep",
    "PUBLIC",
    "ResNet hyper-parameter sweep on CIFAR-10",
    "alice",
    ["sweep", "cifar10"],
    10,
  );
  const diffusion = addProject(
    "vision-lab",
    "diffusion",
    "PRIVATE",
    "Diffusion models (internal)",
    "bob",
    ["ddpm"],
    20,
  );

  // The big sweep.
  const lrs = [0.1, 0.03, 0.01, 0.003, 0.001];
  const batches = [32, 64, 128, 256];
  const optimizers = ["sgd", "adam", "adamw"];
  const sweepRuns: { record: RunRecord; info: DatasetRun }[] = [];
  const nRuns = Math.max(1, options.runs);
  const pinIndex = Math.min(5, nRuns - 1);
  for (let i = 0; i < nRuns; i++) {
    const model = i % 2 === 0 ? "resnet50" : "resnet18";
    sweepRuns.push(addRun(sweep, {
      name: `resnet-sweep-${String(i).padStart(2, "0")}`,
      state: STATES[i % STATES.length]!,
      createdMs: BASE_MS + 12 * DAY + i * 2 * HOUR,
      cluster: ["sweep-a", "sweep-b", "sweep-c"][i % 3]!,
      job: i % 4 === 3 ? "eval" : "train",
      labels: i % 5 === 0 ? [model, "best"] : [model],
      config: {
        lr: lrs[i % lrs.length]!,
        batch_size: batches[i % batches.length]!,
        optimizer: optimizers[i % optimizers.length]!,
        epochs: 10 + 10 * (i % 3),
        model,
        dataset: "cifar10",
        momentum: 0.9,
        weight_decay: 0.0005,
        augment: i % 2 === 0,
      },
      user: i % 3 === 2 ? "bob" : "alice",
      pin: i === pinIndex,
      description: `Sweep trial ${i}`,
    }));
  }

  // alice/mnist-baseline, including a clone of the first sweep run.
  addRun(mnist, {
    name: "mnist-mlp",
    state: "FINISHED",
    createdMs: BASE_MS + 1 * DAY,
    cluster: "mlp",
    job: "train",
    labels: ["mlp"],
    config: { lr: 0.01, batch_size: 64, optimizer: "sgd", epochs: 10, hidden: 256 },
    user: "alice",
  });
  addRun(mnist, {
    name: "mnist-cnn",
    state: "FINISHED",
    createdMs: BASE_MS + 2 * DAY,
    cluster: "cnn",
    job: "train",
    labels: ["cnn", "baseline"],
    config: { lr: 0.003, batch_size: 128, optimizer: "adam", epochs: 20, channels: 32 },
    user: "alice",
  });
  const root = sweepRuns[0]!;
  const clone = addRun(mnist, {
    name: "resnet-clone",
    state: "FINISHED",
    createdMs: BASE_MS + 40 * DAY,
    cluster: "clones",
    job: "train",
    labels: ["clone"],
    config: { ...root.record.profile.config },
    user: "alice",
    cloneOf: root.record,
    description: `Clone of ${root.record.name}`,
  });

  addRun(scratch, {
    name: "debug-run",
    state: "RUNNING",
    createdMs: BASE_MS + 6 * DAY,
    cluster: "",
    job: "debug",
    labels: [],
    config: { lr: 0.05, batch_size: 8, optimizer: "sgd", epochs: 1 },
    user: "alice",
  });

  addRun(diffusion, {
    name: "ddpm-base",
    state: "FINISHED",
    createdMs: BASE_MS + 21 * DAY,
    cluster: "ddpm",
    job: "train",
    labels: ["ddpm"],
    config: { lr: 0.0002, batch_size: 64, optimizer: "adamw", epochs: 100, timesteps: 1000 },
    user: "bob",
  });
  addRun(diffusion, {
    name: "ddpm-large",
    state: "RUNNING",
    createdMs: BASE_MS + 22 * DAY,
    cluster: "ddpm",
    job: "train",
    labels: ["ddpm", "large"],
    config: { lr: 0.0001, batch_size: 32, optimizer: "adamw", epochs: 200, timesteps: 1000 },
    user: "bob",
  });

  const extras = Array.from(
    { length: extraKeys },
    (_, e) => `extra/metric_${String(e).padStart(3, "0")}`,
  );
  const keyEvery: Record<string, number> = {};
  for (const k of [...CUSTOM_SCALAR_KEYS, ...extras, ...SYSTEM_SCALAR_KEYS]) {
    keyEvery[k] = root.record.metrics.series(k)?.every ?? 1;
  }
  const info: DatasetInfo = {
    seed,
    steps,
    logLines,
    scalarKeys: [...CUSTOM_SCALAR_KEYS, ...extras],
    systemKeys: [...SYSTEM_SCALAR_KEYS],
    keyEvery,
    mediaKeys: ["samples/image"],
    mediaSteps,
    imagesPerStep: 2,
    workspaces: [...store.workspaces.values()].map((w) => ({
      username: w.username,
      type: w.type,
      members: [...w.members].map(([username, role]) => ({ username, role })),
    })),
    projects,
    clone: { run: clone.info, root: root.info },
    pinned: sweepRuns[pinIndex]!.info,
  };
  return { info, users };
}

/**
 * The seeded data set as a {@link DataSource} (writable: create and delete work).
 *
 * @param options seed and sizes
 * @returns the source
 *
 * @example Fill a store
 * ```ts
 * import { Store } from "./store.ts";
 * import { seededSource } from "./dataset.ts";
 * const store = new Store();
 * const { users } = await seededSource({ seed: 42, runs: 4, steps: 100, extraKeys: 0, logLines: 10 }).load(store);
 * ```
 */
export function seededSource(options: DatasetOptions): DataSource {
  return {
    load: (store: Store): Promise<LoadedData> => {
      const { info, users } = seedDataset(store, options);
      return Promise.resolve({ info, users, readOnly: undefined });
    },
  };
}
