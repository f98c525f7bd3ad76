/**
 * Recursive copy for the cross-runtime scripts (no std/fs: JSR is not reachable here).
 *
 * @module
 */

/**
 * Copies a file or a directory tree; a missing source is skipped.
 *
 * @param from The source file or directory.
 * @param to The destination path.
 */
export async function copy(from: URL | string, to: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(from);
  } catch {
    return;
  }
  if (info.isFile) {
    await Deno.copyFile(from, to);
    return;
  }
  await Deno.mkdir(to, { recursive: true });
  const base = typeof from === "string" ? from : from.pathname;
  for await (const entry of Deno.readDir(from)) {
    await copy(`${base}/${entry.name}`, `${to}/${entry.name}`);
  }
}
