#!/usr/bin/env python3
"""The official Python SDK's side of ``deno task bench --python-sdk DIR`` (not run in CI).

Usage (``bench/run.ts`` runs it with ``PYTHONPATH`` set to the import overlay that
``scripts/python_sdk_compat.ts`` also uses, so that the SDK's sources load without its heavy
package ``__init__`` modules)::

    python3 python_workload.py <list-runs|full-json|sampled-metrics> HOST API_KEY

Prints one JSON line shaped like ``bench/_measure.ts``'s ``Measurement``: wall and CPU
milliseconds of the measured section, the peak RSS of the process in MiB, the RSS before the
section, and an item count. The calls mirror the swanlab-ts workloads of ``bench/workload.ts``;
this file is our own code and only calls the SDK's public API.
"""

import json
import resource
from datetime import datetime
import sys
import time

PROJECT = "vision-lab/resnet-sweep"
FULL_KEYS = ["train/loss", "val/loss", "train/acc", "lr"]


def rss_mb(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return -1


def measure(section):
    rss_before = rss_mb("VmRSS")
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    count = section()
    wall = (time.perf_counter() - started) * 1000
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime + cpu_after.ru_stime - cpu_before.ru_stime) * 1000
    return {
        "wallMs": wall,
        "cpuMs": cpu,
        "peakRssMb": rss_mb("VmHWM"),
        "count": count,
        "rssBeforeMb": rss_before,
    }


def as_dict(result):
    """``run.metrics()`` returns a dict in the newest SDK and an object with ``.json()`` before."""
    return result.json() if hasattr(result, "json") else result


def wire(host, api_key):
    """The first run's cuid and its first 64 scalar keys, read with plain HTTP (as the floors of
    bench/workload.ts do), so that both clients are handed the same run and keys."""
    import requests

    session = requests.Session()
    login = session.post(f"{host}/api/login/api_key", headers={"authorization": api_key}).json()
    session.headers["cookie"] = f"sid={login['sid']}"
    page = session.get(f"{host}/api/project/{PROJECT}/runs", params={"page": 1, "size": 10}).json()
    cuid = page["list"][0]["cuid"]
    run = session.get(f"{host}/api/project/{PROJECT}/runs/{cuid}").json()
    created = int(datetime.fromisoformat(run["createdAt"].replace("Z", "+00:00")).timestamp())
    body = {
        "experiments": [{"projectId": run["project_id"], "experimentId": cuid, "createdAt": created}],
        "limit": 2000,
        "cursor": "",
    }
    keys = session.post(f"{host}/api/house/metrics/scalar/keys", json=body).json()["keys"]
    return cuid, [key for key in keys if not key.startswith("__swanlab__")][:64]


def main():
    workload, host, api_key = sys.argv[1:4]
    from swanlab.api import Api

    api = Api(api_key=api_key, host=host)
    if workload == "list-runs":

        def section():
            return sum(1 for _ in api.runs_get(path=PROJECT, size=100, all=True))

    elif workload == "full-json":
        cuid, _ = wire(host, api_key)
        run = api.run(path=f"{PROJECT}/{cuid}")

        def section():
            data = as_dict(run.metrics(keys=FULL_KEYS, all=True))
            return sum(len(entry["metrics"]) for entry in data["list"])

    elif workload == "sampled-metrics":
        cuid, keys = wire(host, api_key)
        run = api.run(path=f"{PROJECT}/{cuid}")

        def section():
            data = as_dict(run.metrics(keys=keys))
            return sum(len(entry["metrics"]) for entry in data["list"])

    else:
        raise SystemExit(f"unknown workload {workload}")
    print(json.dumps(measure(section)))


if __name__ == "__main__":
    main()
