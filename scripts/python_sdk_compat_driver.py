#!/usr/bin/env python3
"""Python side of the swanlab-ts <-> official Python SDK compatibility check.

Not run in CI. ``scripts/python_sdk_compat.ts`` copies this file, together with the stub modules
it generates, into a temporary directory and runs it as

    python3 python_sdk_compat_driver.py CONFIG.json RESULT.json

with ``PYTHONPATH=<tmp>/overlay`` so that ``import swanlab.api`` and ``import swanlab.cli.api``
load the SDK sources of an extracted source tree without importing the package's heavy
``__init__`` modules (see the harness for how the overlay is built).

CONFIG.json::

    {"host": "http://127.0.0.1:1234", "apiKey": "...",
     "vars": {"P": "vision-lab/resnet-sweep", ...},   # names visible to the expressions
     "cases": [{"id": "run.json", "kind": "lib", "py": "api.run(R).json()"},
               {"id": "cli.user.info", "kind": "cli", "argv": ["user", "info"]}]}

A ``lib`` case is a Python expression evaluated with ``api`` (a ``swanlab.api.Api`` logged in to the
server), ``RangeQuery``, ``J`` (converts entities, responses and iterators to plain data) and the
``vars``. A ``cli`` case runs the ``swanlab api`` click group in-process (click's ``CliRunner``)
with ``argv + ["--host", host, "--api-key", apiKey]``.

RESULT.json: ``{"python": "...", "sdkVersion": "...", "results": [<one per case>]}``; each result
has ``id``, ``ok`` (no exception), ``value`` (lib), ``exitCode``/``stdout``/``output`` (cli),
``error`` (a traceback), ``console`` (what the SDK printed to its console) and ``http``: every
request of the case whose response had status >= 400, with method, url, request body, status and
response body. Non-finite floats are encoded as the strings ``"__float__:nan"``,
``"__float__:inf"`` and ``"__float__:-inf"`` so that the result stays valid JSON.

This file is our own code: it only calls the SDK's public API.
"""

import contextlib
import io
import json
import math
import sys
import threading
import time
import traceback
import warnings

_HTTP = []
_HTTP_LOCK = threading.Lock()


def _install_http_recorder():
    """Wraps ``requests.Session.send`` to record every exchange (library-level, not SDK code)."""
    import requests

    original = requests.Session.send

    def send(self, request, **kwargs):
        response = original(self, request, **kwargs)
        body = request.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        entry = {
            "method": request.method,
            "url": request.url,
            "status": response.status_code,
            "requestBody": body,
        }
        if response.status_code >= 400:
            entry["responseBody"] = response.text[:2000]
        with _HTTP_LOCK:
            _HTTP.append(entry)
        return response

    requests.Session.send = send


def _plain(value, depth=0):
    """Converts SDK results to JSON-compatible data (non-finite floats become tagged strings)."""
    if depth > 64:
        raise ValueError("value nested too deeply")
    if isinstance(value, float):
        if math.isnan(value):
            return "__float__:nan"
        if math.isinf(value):
            return "__float__:inf" if value > 0 else "__float__:-inf"
        return value
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v, depth + 1) for v in value]
    if hasattr(value, "json") and callable(value.json):
        return _plain(value.json(), depth + 1)
    if hasattr(value, "__iter__"):
        return [_plain(v, depth + 1) for v in value]
    return repr(value)


class _Tee(io.TextIOBase):
    """Collects console output per case (the SDK's console writes to sys.stderr via the stub)."""

    def __init__(self):
        self.parts = []

    def write(self, s):
        self.parts.append(s)
        return len(s)

    def text(self):
        return "".join(self.parts)


def _run_lib(case, namespace):
    result = {"id": case["id"], "kind": "lib"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = eval(case["py"], namespace)  # noqa: S307 - expressions come from our harness
            result["value"] = _plain(value)
        result["ok"] = True
    except BaseException:  # noqa: BLE001 - every failure is data for the report
        result["ok"] = False
        result["error"] = traceback.format_exc()
    return result


def _run_cli(case, cfg, runner, group):
    result = {"id": case["id"], "kind": "cli"}
    argv = list(case["argv"]) + ["--host", cfg["host"], "--api-key", cfg["apiKey"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = runner.invoke(group, argv, catch_exceptions=True)
    result["exitCode"] = res.exit_code
    stdout = res.stdout
    result["stdout"] = stdout[:4000]
    stderr = getattr(res, "stderr", "") or ""
    if stderr:
        result["console"] = stderr[-4000:]
    try:
        result["output"] = _plain(json.loads(stdout)) if stdout.strip() else None
    except ValueError:
        result["output"] = None
    result["ok"] = res.exception is None or isinstance(res.exception, SystemExit)
    if res.exception is not None and not isinstance(res.exception, SystemExit):
        result["error"] = "".join(traceback.format_exception(*res.exc_info))
    return result


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: python_sdk_compat_driver.py CONFIG.json RESULT.json\n")
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        cfg = json.load(f)

    _install_http_recorder()
    from click.testing import CliRunner

    from swanlab.api import Api
    from swanlab.api.typings.common import RangeQuery
    from swanlab.cli.api import api_cli

    sdk_version = ""
    try:
        from swanlab.sdk.internal.pkg import helper

        sdk_version = helper.get_swanlab_version()
    except Exception:  # noqa: BLE001 - informational only
        pass

    results = []
    console = _Tee()
    with contextlib.redirect_stderr(console):
        started = time.time()
        api = Api(api_key=cfg["apiKey"], host=cfg["host"])
        login_ms = int((time.time() - started) * 1000)
    namespace = {"api": api, "RangeQuery": RangeQuery, "J": _plain}
    namespace.update(cfg.get("vars", {}))
    runner = CliRunner()

    for case in cfg["cases"]:
        with _HTTP_LOCK:
            first = len(_HTTP)
        console = _Tee()
        started = time.time()
        if case["kind"] == "lib":
            with contextlib.redirect_stderr(console):
                result = _run_lib(case, namespace)
            if console.text():
                result["console"] = console.text()[-4000:]
        else:
            result = _run_cli(case, cfg, runner, api_cli)
        result["ms"] = int((time.time() - started) * 1000)
        with _HTTP_LOCK:
            exchanges = _HTTP[first:]
        result["requests"] = len(exchanges)
        result["http"] = [e for e in exchanges if e["status"] >= 400]
        results.append(result)

    out = {
        "python": sys.version.split()[0],
        "sdkVersion": sdk_version,
        "loginMs": login_ms,
        "results": results,
    }
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
