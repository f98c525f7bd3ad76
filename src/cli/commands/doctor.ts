/**
 * `swanlab-ts doctor`: checks the connection to a server step by step and validates one response
 * of every query endpoint against the spec (the checks live in the library's `diagnose()`).
 *
 * @module
 */

import type { Parser } from "@optique/core";
import type { Diagnosis } from "../../../mod.ts";
import { type CommandContext, loadLibrary } from "../context.ts";
import { type Invocation, leaf, withCommon } from "../options.ts";
import { renderView } from "../output.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

/**
 * The `doctor` command.
 *
 * @returns The command parser.
 *
 * @example Build the doctor command
 * ```ts ignore
 * import { doctorCommand } from "./doctor.ts";
 *
 * const parser = doctorCommand();
 * ```
 */
export function doctorCommand(): Parser<"sync", Invocation, unknown> {
  return leaf("doctor", withCommon({}), runDoctor, {
    brief: GROUP_BRIEFS.doctor,
    description: "Check the connection to a SwanLab server and what it answers: where the API " +
      "key comes from (never the key), the proxy, DNS, TCP and TLS, the login, the clock skew " +
      "against the server's Date header and the latency; then one read-only call per query " +
      "endpoint the key may use, each response validated against the API spec, with a table of " +
      "the fields that drifted. Exit code 0 when everything is fine, 1 otherwise. With --json, " +
      "prints a report to attach to a bug report.",
    examples: [
      "swanlab-ts doctor",
      "swanlab-ts doctor --host https://swanlab.example.com",
      "swanlab-ts doctor --json --save doctor.json",
    ],
  });
}

async function runDoctor(ctx: CommandContext): Promise<number> {
  let report: Diagnosis;
  try {
    const lib = await loadLibrary();
    const apiKey = await ctx.apiKey();
    report = await lib.diagnose({
      ...(ctx.common.host === undefined ? {} : { host: ctx.common.host }),
      ...(apiKey === undefined ? {} : { apiKey }),
      env: ctx.io.env,
      cwd: ctx.io.cwd,
    });
  } catch (error) {
    return await ctx.fail(error);
  }
  const envelope = { ok: report.ok, errmsg: problems(report), data: report };
  if (ctx.format === "json") return await ctx.emit(envelope);
  if (ctx.format === "table") {
    await ctx.write(humanReport(ctx, report));
  } else {
    const rows = report.steps.map((s) => ({ ...s, ms: s.ms ?? null }));
    await ctx.write(
      renderView(ctx.format, { rows, columns: ["name", "status", "ms", "detail"] }, {
        width: ctx.tableWidth,
        style: ctx.out,
      }),
    );
  }
  if (!report.ok) await ctx.error(envelope.errmsg);
  const saveError = await ctx.save(envelope);
  if (saveError !== undefined) {
    await ctx.error(saveError);
    return 1;
  }
  return report.ok ? 0 : 1;
}

// The one-line summary of what is wrong ("" when nothing is).
function problems(report: Diagnosis): string {
  const failed = report.steps.filter((s) => s.status === "fail");
  const parts = failed.filter((s) => !s.detail.includes("drifted field")).map((s) =>
    `${s.name}: ${s.detail}`
  );
  if (report.drifts.length > 0) {
    const operations = new Set(report.drifts.map((d) => d.operation)).size;
    parts.push(
      `${report.drifts.length} response field(s) of ${operations} endpoint(s) drifted from the spec`,
    );
  }
  return parts.join("; ");
}

function humanReport(ctx: CommandContext, report: Diagnosis): string {
  const style = ctx.out;
  const labels = { ok: "ok", warn: "warn", fail: "FAIL", skip: "skip" } as const;
  const paint = { ok: style.green, warn: style.yellow, fail: style.red, skip: style.dim };
  const lines = [
    `${style.bold("swanlab-ts doctor")} ${report.version} on ${report.runtime}`,
    `host: ${report.host}`,
    "",
  ];
  const width = Math.max(...report.steps.map((s) => s.name.length));
  for (const step of report.steps) {
    const ms = step.ms === undefined ? "" : style.dim(` (${step.ms} ms)`);
    const label = labels[step.status];
    const mark = paint[step.status](label) + " ".repeat(4 - label.length);
    lines.push(`${mark} ${step.name.padEnd(width)}  ${step.detail}${ms}`);
  }
  let text = lines.join("\n") + "\n";
  if (report.drifts.length > 0) {
    text += `\n${style.bold("Response drift")} (what the server sent vs openapi/swanlab.yaml):\n`;
    text += renderView("table", {
      rows: report.drifts.map((d) => ({
        endpoint: d.endpoint,
        field: d.field,
        expected: d.expected,
        got: d.got,
      })),
      columns: ["endpoint", "field", "expected", "got"],
    }, { width: ctx.tableWidth, style });
  }
  const fails = report.steps.filter((s) => s.status === "fail").length;
  text += report.ok
    ? `\n${style.green("Everything looks fine.")}\n`
    : `\n${style.red(`${fails} step(s) failed`)}${
      report.drifts.length > 0 ? `, ${report.drifts.length} field(s) drifted` : ""
    }.\n`;
  return text;
}
