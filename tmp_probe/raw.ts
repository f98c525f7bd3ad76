import { runPath, startTestServer } from "../tests/cli/_helpers.ts";
const server = await startTestServer();
const login = await fetch(server.host + "/api/login/api_key", {
  method: "POST",
  headers: { authorization: server.apiKey },
});
const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
await login.body?.cancel();
const path = runPath(server).split("/");
const r = await fetch(`${server.host}/api/project/${path[0]}/${path[1]}/runs/${path[2]}`, {
  headers: { cookie },
});
console.log(r.status, [...r.headers], (await r.text()).slice(0, 1500));
await server.close();
