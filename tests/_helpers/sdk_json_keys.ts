/**
 * The keys of the Python SDK's `.json()` answers (wire reference §4.15), in the SDK's order
 * (alphabetical where it reflects): the reference the entity and CLI tests compare with.
 *
 * @module
 */

/** The Python SDK's `.json()` keys, by entity. */
export const SDK_JSON_KEYS = {
  user: ["bio", "email", "institution", "location", "name", "school", "url", "username"],
  workspace: ["comment", "name", "profile", "role", "username", "workspace_type"],
  project: [
    "count",
    "created_at",
    "description",
    "labels",
    "name",
    "path",
    "project_id",
    "updated_at",
    "url",
    "visibility",
  ],
  run: [
    "created_at",
    "created_at_ts",
    "description",
    "finished_at",
    "group",
    "job_type",
    "labels",
    "name",
    "profile",
    "project_id",
    "root_exp_id",
    "root_pro_id",
    "run_id",
    "show",
    "state",
    "type",
    "url",
    "user",
  ],
  pageInfo: ["page", "size", "total", "pages", "list"],
  metrics: ["keys", "metricType", "projectId", "experimentId", "list"],
  series: ["keys", "metricClass", "metricType", "projectId", "runId"],
  logs: ["count", "key", "logs", "metric_type", "project_id", "run_id"],
  selfHosted: ["enabled", "expired", "plan", "root", "seats"],
  column: ["column_class", "column_type", "created_at", "key", "name", "project_id", "run_id"],
} as const satisfies Record<string, readonly string[]>;
