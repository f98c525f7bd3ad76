/**
 * What a workload process reports about itself: wall time, CPU time and peak resident memory.
 *
 * @module
 */

import process from "node:process";

/** One measured run of a workload. */
export interface Measurement {
  /** Wall-clock milliseconds of the measured section. */
  wallMs: number;
  /** CPU milliseconds (user + system) of the whole process during the section. */
  cpuMs: number;
  /** Peak resident set size of the process in MiB (Linux `VmHWM`), or -1 when unknown. */
  peakRssMb: number;
  /** Workload-specific count (items, points, lines). */
  count: number;
  /** Resident set size in MiB when the measured section started (Linux `VmRSS`), or -1. */
  rssBeforeMb?: number;
}

/**
 * Runs a section and measures it.
 *
 * @param section The work; returns its item count.
 * @returns The measurement.
 */
export async function measure(section: () => Promise<number>): Promise<Measurement> {
  const rssBeforeMb = statusMb("VmRSS");
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const count = await section();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: peakRssMb(),
    count,
    rssBeforeMb,
  };
}

/**
 * The process's peak resident set size in MiB, from `/proc/self/status`.
 *
 * @returns MiB, or -1 when not on Linux.
 */
export function peakRssMb(): number {
  return statusMb("VmHWM");
}

/** A memory figure of `/proc/self/status` in MiB, or -1 when not on Linux. */
function statusMb(field: "VmHWM" | "VmRSS"): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = Number(new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : -1;
  } catch {
    return -1;
  }
}
