"""The JSON API's contacts list under load, next to a bare Starlette endpoint on the raw driver.

    .venv/bin/python bench/bench_web.py [--contacts 1000000] [--db-file PATH] [--clients 32]
                                        [--seconds 15] [--warmup 3] [--rounds 2]
                                        [--load wrk|httpx] [--profile]

One run: build (or reuse, with ``--db-file``) a SQLite CRM of N contacts, start two servers
on 127.0.0.1 under the same uvicorn settings (one worker; httptools and uvloop when
installed), check that both answer the same 50 contacts, then load each in turn with
``--clients`` concurrent keep-alive connections:

- **Sampark**: ``sampark serve`` itself, ``GET /api/v1/contacts?limit=50`` with a Bearer
  token (every middleware, the token check, the permission check, the service, the JSON);
- **bare**: a Starlette app with one route that runs the same SQL (the first page by
  ``sort_name`` with emails, phones, addresses and tags) on one raw ``aiosqlite``
  connection and returns the same 50 contacts as JSON.

Prints requests/s, the ratio Sampark/bare (target >= 50%) and p50/p99 latency (target
p99 < 100 ms at 32 clients). The load comes from ``wrk`` (Debian's package) when it is
installed, else from an asyncio pool of httpx clients in this process (slower: on a small
machine the client then shares the CPU with the server). ``--profile`` samples the
Sampark server with py-spy during one more load run and prints where its time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import collections
import contextlib
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

OWNERS = ("asha", "ravi", "meera", "john", "fatima")
API_USER = "bench-api"
PAGE = 50
SECRET = "bench-web-secret-" + "b" * 40

# The SQL of core/services/contacts.py list_contacts and the loaders it calls, verbatim.
PAGE_SQL = (
    "SELECT c.id, c.first_name, c.last_name, c.display_name, c.sort_name, c.language, "
    "c.birthday, c.notes, c.custom, c.created_at, c.updated_at, c.deleted_at, c.version, "
    "u.username AS owner FROM core_contact c LEFT JOIN core_user u ON u.id = c.owner_id "
    "WHERE c.deleted_at IS NULL ORDER BY c.sort_name, c.id LIMIT ?"
)
CHANNELS_SQL = (
    "SELECT 'e' AS kind, contact_id AS owner, position, id, email AS address, "
    "NULL AS original, label, is_primary, NULL AS street, NULL AS city, NULL AS region, "
    "NULL AS postal_code, NULL AS country FROM core_email WHERE contact_id IN ({marks}) "
    "UNION ALL SELECT 'p', contact_id, position, id, e164, original, label, is_primary, "
    "NULL, NULL, NULL, NULL, NULL FROM core_phone WHERE contact_id IN ({marks}) "
    "UNION ALL SELECT 'a', contact_id, position, id, NULL, NULL, label, NULL, street, city, "
    "region, postal_code, country FROM core_address WHERE contact_id IN ({marks}) "
    "ORDER BY owner, kind, position, id"
)
ADDRESS_KEYS = ("label", "street", "city", "region", "postal_code", "country")
TAGS_SQL = (
    "SELECT l.contact_id AS owner, t.name FROM core_contact_tag l "
    "JOIN core_tag t ON t.id = l.tag_id WHERE l.contact_id IN ({marks}) ORDER BY t.key"
)


# ---------------------------------------------------------------------------
# The bare endpoint (runs in its own process: bench_web.py --serve-bare PORT --db-file F)
# ---------------------------------------------------------------------------


def _time(value: str | None) -> str | None:
    return None if value is None else dt.datetime.fromisoformat(value).isoformat()


def _grouped(rows: Iterable[Any]) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = collections.defaultdict(list)
    for row in rows:
        grouped[row["owner"]].append(row)
    return grouped


def bare_app(db_file: Path) -> Any:
    """A Starlette app with one route: the first page of contacts, from a raw connection."""
    import aiosqlite
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    db: dict[str, aiosqlite.Connection] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> Any:
        db["conn"] = await aiosqlite.connect(db_file)
        db["conn"].row_factory = sqlite3.Row
        yield
        await db["conn"].close()

    async def fetch(sql: str, params: list[Any]) -> list[Any]:
        return list(await db["conn"].execute_fetchall(sql, params))

    async def contacts(request: Request) -> Response:
        limit = int(request.query_params.get("limit", PAGE))
        rows = await fetch(PAGE_SQL, [limit + 1])
        more = len(rows) > limit
        rows = rows[:limit]
        ids = [row["id"] for row in rows]
        marks = ", ".join("?" * len(ids))
        channels = await fetch(CHANNELS_SQL.format(marks=marks), ids * 3)
        emails = _grouped(row for row in channels if row["kind"] == "e")
        phones = _grouped(row for row in channels if row["kind"] == "p")
        addresses = _grouped(row for row in channels if row["kind"] == "a")
        tags = _grouped(await fetch(TAGS_SQL.format(marks=marks), ids))
        items = [
            {
                "id": row["id"],
                "display_name": row["display_name"],
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "emails": [
                    {"email": e["address"], "label": e["label"], "primary": bool(e["is_primary"])}
                    for e in emails.get(row["id"], ())
                ],
                "phones": [
                    {
                        "e164": p["address"],
                        "original": p["original"],
                        "label": p["label"],
                        "primary": bool(p["is_primary"]),
                    }
                    for p in phones.get(row["id"], ())
                ],
                "addresses": [
                    {key: a[key] for key in ADDRESS_KEYS} for a in addresses.get(row["id"], ())
                ],
                "tags": [t["name"] for t in tags.get(row["id"], ())],
                "language": row["language"],
                "birthday": row["birthday"],
                "notes": row["notes"],
                "owner": row["owner"],
                "custom": json.loads(row["custom"]) if row["custom"] else {},
                "created_at": _time(row["created_at"]),
                "updated_at": _time(row["updated_at"]),
                "deleted_at": _time(row["deleted_at"]),
                "version": row["version"],
            }
            for row in rows
        ]
        cursor = None
        if more:
            key = json.dumps([rows[-1]["sort_name"], rows[-1]["id"]], ensure_ascii=False)
            cursor = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
        body = orjson.dumps({"items": items, "next_cursor": cursor})
        return Response(body, media_type="application/json")

    return Starlette(routes=[Route("/contacts", contacts)], lifespan=lifespan)


def bare_app_from_env() -> Any:
    """The bare app for a worker process (several workers import it by name)."""
    return bare_app(Path(os.environ["BENCH_BARE_DB"]))


def serve_bare(db_file: Path, port: int, workers: int) -> None:
    """Serve the bare app with the uvicorn settings ``sampark serve`` uses."""
    import uvicorn

    os.environ["BENCH_BARE_DB"] = str(db_file)
    uvicorn.run(
        "bench_web:bare_app_from_env",
        factory=True,
        host="127.0.0.1",
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        log_level="info",
    )


# ---------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------


async def prepare_database(db_file: Path, build: bool, contacts: int, seed: int) -> tuple[int, str]:
    """Build the CRM (or open the one there); return its live contacts and a fresh API token."""
    from sampark.core.kernel import Sampark
    from sampark.core.services import auth, bulk, users
    from sampark.core.settings import Settings

    kernel = Sampark(Settings(database_url=f"sqlite://{db_file}"))
    await kernel.start(migrate=build)
    try:
        with kernel.activate():
            if build:
                from contact_data import bench_rows

                print(f"building {db_file} with {contacts:,} contacts …", flush=True)
                start = time.perf_counter()
                for username in OWNERS:
                    await users.create_user(kernel, username, username.title())
                written = await bulk.insert_contacts(
                    kernel,
                    (contact for _, contact in bench_rows(contacts, seed=seed, owners=OWNERS)),
                    progress=_progress,
                )
                print(f"\n  {written:,} contacts in {time.perf_counter() - start:.0f} s")
            _, rows = await kernel.connection.execute_query(
                "SELECT count(*) FROM core_contact WHERE deleted_at IS NULL"
            )
            live = rows[0][0]
            if await users.find_user(kernel.connection, API_USER, "id") is None:
                await auth.add_user(kernel, API_USER, roles=("admin",))
            token, _ = await auth.create_token(kernel, API_USER, f"bench {time.time():.0f}")
    finally:
        await kernel.close()
    return live, token


def _progress(done: int, total: int | None) -> None:
    if done % 100_000 == 0:
        print(f"  {done:,}", end="", flush=True)


# ---------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running(command: list[str], probe: str, log: Path, env: dict[str, str]) -> Iterator[int]:
    """A server process until the block ends; yields its pid once ``probe`` answers."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 120
        while True:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(probe, timeout=2)
                break  # it answers (whether rightly is checked next)
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{command[2:]} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def same_rows(api_url: str, bare_url: str, token: str) -> tuple[int, int]:
    """Both endpoints answer the same contacts, field for field; returns the body sizes."""
    api = httpx.get(api_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    bare = httpx.get(bare_url, timeout=30)
    assert api.status_code == 200, (api.status_code, api.text[:500])
    assert bare.status_code == 200, (bare.status_code, bare.text[:500])
    api_items, bare_items = api.json()["items"], bare.json()["items"]
    assert len(api_items) == PAGE, len(api_items)
    for ours, theirs in zip(api_items, bare_items, strict=True):
        assert ours == theirs, (ours, theirs)
    return len(api.content), len(bare.content)


# ---------------------------------------------------------------------------
# Load
# ---------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms: float = 0.0  # the server process's CPU time (all threads) per request

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def cpu_seconds(pid: int) -> float:
    """CPU time a server has used so far: the process, its threads and its worker processes."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return own + sum(cpu_seconds(int(child)) for child in children)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load_wrk(name: str, url: str, headers: dict[str, str], clients: int, seconds: int) -> Result:
    """``wrk`` on one thread (the server has the other core), keep-alive connections."""
    command = ["wrk", "-t1", f"-c{clients}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    total = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out)
    assert total, out
    elapsed = float(total.group(2)) * (0.001 if total.group(3) == "ms" else 1)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", out, re.MULTILINE))
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return Result(
        name, int(total.group(1)), elapsed, _ms(latency["50"]), _ms(latency["99"]), errors
    )


def load_httpx(name: str, url: str, headers: dict[str, str], clients: int, seconds: int) -> Result:
    """``clients`` asyncio tasks, each sending one request after another on keep-alive."""

    async def run() -> Result:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
        async with httpx.AsyncClient(headers=headers, limits=limits, timeout=10) as client:
            start = time.perf_counter()
            deadline = start + seconds

            async def worker() -> None:
                nonlocal errors
                while (sent := time.perf_counter()) < deadline:
                    response = await client.get(url)
                    latencies.append(time.perf_counter() - sent)
                    errors += response.status_code != 200

            await asyncio.gather(*(worker() for _ in range(clients)))
            elapsed = time.perf_counter() - start
        cuts = statistics.quantiles(latencies, n=100)
        return Result(name, len(latencies), elapsed, cuts[49] * 1000, cuts[98] * 1000, errors)

    return asyncio.run(run())


# ---------------------------------------------------------------------------
# Profile
# ---------------------------------------------------------------------------


def profile(pid: int, seconds: int, run_load: Any) -> None:
    """Sample the server with py-spy while loading it; print where each thread spends it."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        print("\n(--profile needs py-spy: pip install py-spy)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "stacks.txt"
        sampler = subprocess.Popen(
            [
                *(py_spy, "record", "--pid", str(pid), "--duration", str(seconds), "--threads"),
                "--full-filenames",
                *("--rate", "250", "--format", "raw", "--output", str(out), "--nonblocking"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        run_load()
        sampler.wait(timeout=seconds + 60)
        stacks = out.read_text().splitlines() if out.exists() else []
    import sampark

    ours = f"({Path(sampark.__file__).parent}/"  # frames look like "func (/path/file.py:12)"
    threads: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    within: collections.Counter[str] = collections.Counter()
    for line in stacks:
        frames_text, _, count_text = line.rpartition(" ")
        thread, *frames = frames_text.split(";")
        count = int(count_text)
        kind = "event loop" if "MainThread" in thread else "SQLite thread"
        threads[kind] += count
        if kind == "event loop" and frames:
            own[_frame(frames[-1])] += count
            for frame in {_frame(frame) for frame in frames if ours in frame}:
                within[frame] += count
    total = sum(threads.values())
    if not total:
        print("\n(py-spy recorded nothing: is ptrace allowed here?)")
        return
    loop = threads["event loop"]
    shares = ", ".join(f"{kind} {n / total:.0%}" for kind, n in threads.most_common())
    print(f"\nWhere the Sampark server's busy time goes ({total:,} samples: {shares})")
    print("  event loop, own time (the function itself):")
    for frame, count in own.most_common(15):
        print(f"    {count / loop:6.1%}  {frame}")
    print("  event loop, inclusive time of Sampark's own functions:")
    for frame, count in within.most_common(25):
        print(f"    {count / loop:6.1%}  {frame}")


def _frame(text: str) -> str:
    """``func (/path/to/pkg/file.py:12)`` shortened to ``func (pkg/file.py)``."""
    match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", text.strip())
    if not match:
        return text.strip()
    func, path = match.groups()
    return f"{func} ({'/'.join(Path(path).parts[-2:])})"


# ---------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def server_stack(workers: int) -> str:
    import importlib.util

    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    noun = "worker" if workers == 1 else "workers"
    return f"uvicorn, {workers} {noun} each, {http}, {loop}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--db-file", type=Path, help="reuse this CRM (built there if missing)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sampark-bench-web"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=2, help="alternate the servers this often")
    parser.add_argument("--load", choices=("wrk", "httpx"), default=None)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers, both servers")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.profile and args.workers != 1:
        parser.error("--profile samples one worker: drop --workers")
    if args.serve_bare:
        serve_bare(args.db_file, args.serve_bare, args.workers)
        return

    args.workdir.mkdir(parents=True, exist_ok=True)
    db_file = args.db_file or args.workdir / f"web-{args.contacts}.db"
    if args.db_file is None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    load_name = args.load or ("wrk" if shutil.which("wrk") else "httpx")
    load = load_wrk if load_name == "wrk" else load_httpx
    print("Sampark web benchmark: the contacts list API against a bare Starlette endpoint")
    print(f"  {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; {machine()}")
    versions = f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    print(f"  {versions}; {server_stack(args.workers)}")
    print(f"  load: {load_name}, {args.clients} connections; {' '.join(sys.argv)}\n", flush=True)

    live, token = asyncio.run(
        prepare_database(db_file, not db_file.exists(), args.contacts, args.seed)
    )
    print(f"database: {db_file} ({live:,} live contacts)")
    config = args.workdir / "sampark.toml"
    config.write_text(
        f'database = "sqlite://{db_file}"\n\n[web]\nsecret_key = "{SECRET}"\n', encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMPARK_")}
    api_port, bare_port = free_port(), free_port()
    api_url = f"http://127.0.0.1:{api_port}/api/v1/contacts?limit={PAGE}"
    bare_url = f"http://127.0.0.1:{bare_port}/contacts?limit={PAGE}"
    workers = ["--workers", str(args.workers)]
    serve = [sys.executable, "-m", "sampark", "--config", str(config), "serve", *workers]
    bare = [
        *(sys.executable, __file__, "--serve-bare", str(bare_port)),
        *("--db-file", str(db_file), *workers),
    ]
    with (
        running(
            [*serve, "--port", str(api_port)],
            f"http://127.0.0.1:{api_port}/health",
            args.workdir / "serve.log",
            env,
        ) as api_pid,
        running(bare, bare_url, args.workdir / "bare.log", env) as bare_pid,
    ):
        api_size, bare_size = same_rows(api_url, bare_url, token)
        print(f"same 50 contacts from both: {api_size:,} / {bare_size:,} bytes of JSON\n")
        targets = [
            ("bare Starlette + aiosqlite", bare_url, {}, bare_pid),
            ("Sampark /api/v1/contacts", api_url, {"Authorization": f"Bearer {token}"}, api_pid),
        ]
        results: list[Result] = []
        for round_ in range(1, args.rounds + 1):
            for name, url, headers, pid in targets:
                load(name, url, headers, args.clients, args.warmup)
                cpu_before = cpu_seconds(pid)
                result = load(name, url, headers, args.clients, args.seconds)
                result.cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / max(result.requests, 1)
                results.append(result)
                print(
                    f"round {round_}: {name:<28} {result.rate:8,.0f} req/s  "
                    f"p50 {result.p50_ms:6.1f} ms  p99 {result.p99_ms:6.1f} ms  "
                    f"server CPU {result.cpu_ms:5.2f} ms/req  errors {result.errors}",
                    flush=True,
                )
        if args.profile:
            name, url, headers, _ = targets[1]
            profile(
                api_pid, args.seconds, lambda: load(name, url, headers, args.clients, args.seconds)
            )

    report(results, args.clients)


def report(results: list[Result], clients: int) -> None:
    bare = [r for r in results if r.name.startswith("bare")]
    ours = [r for r in results if r.name.startswith("Sampark")]
    ratios = [o.rate / b.rate for o, b in zip(ours, bare, strict=True)]
    p99 = max(r.p99_ms for r in ours)
    print(f"\nSummary ({clients} clients, {len(ours)} rounds)")
    for label, runs in (("bare:   ", bare), ("Sampark:", ours)):
        print(
            f"  {label} {statistics.median(r.rate for r in runs):8,.0f} req/s (median), "
            f"server CPU {statistics.median(r.cpu_ms for r in runs):.2f} ms a request"
        )
    print(
        f"  Sampark / bare: {statistics.median(ratios):.0%} (rounds: "
        f"{', '.join(f'{r:.0%}' for r in ratios)}); target >= 50%: "
        f"{'met' if statistics.median(ratios) >= 0.5 else 'MISSED'}"
    )
    cpu_ratio = statistics.median(r.cpu_ms for r in bare) / statistics.median(
        r.cpu_ms for r in ours
    )
    print(f"  bare / Sampark CPU per request: {cpu_ratio:.0%} (the ratio on an idle core)")
    print(
        f"  Sampark p50 {statistics.median(r.p50_ms for r in ours):.1f} ms, worst p99 {p99:.1f} ms;"
        f" target p99 < 100 ms: {'met' if p99 < 100 else 'MISSED'}"
    )
    if any(r.errors for r in results):
        raise SystemExit("some requests failed: the figures above do not count")


if __name__ == "__main__":
    main()
