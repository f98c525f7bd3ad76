import { runCli, runPath, serverEnv, startTestServer } from "../tests/cli/_helpers.ts";
const server = await startTestServer();
const env = serverEnv(server);
const path = runPath(server);
for (
  const argv of [
    ["run", "info", path],
    ["project", "list", "--workspace", "vision-lab"],
    ["run", "logs", path],
    ["user", "info"],
    ["run", "info", "a/b/zzzz"],
  ]
) {
  const r = await runCli(argv, { env });
  console.log(argv.join(" "), r.code, r.stdout.slice(0, 900), r.stderr.slice(0, 300));
}
const r = await runCli(["run", "metrics", path, "--keys", "train/loss", "--format", "csv"], {
  env,
  tty: { stdout: true },
});
console.log(r.stdout.slice(0, 200));
await server.close();
