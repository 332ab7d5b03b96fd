"""``make bench``: the service against its floor, scenario by scenario.

Builds (once) the benchmark database, serves the service and the floor
(bench/floor.py) with gunicorn, checks that both answer every API scenario
with the same document, then drives them in turns with wrk and prints, per
scenario, requests/s, p50 and p99 latency, and the CPU milliseconds the
gunicorn processes and the PostgreSQL backends spent per request, read from
/proc around each run. Those CPU figures hold still on a busy machine,
where requests/s do not; the ratio to the floor is taken within one run.

Only 127.0.0.1 is ever contacted. Environment: BENCH_SECONDS (per run,
default 6), BENCH_REPEATS (default 3), BENCH_DATABASE_URL, and BENCH_ONLY:
comma-separated scenario names to time alone, printed and not written to
bench/results/, without the report command.
"""

import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
RESULTS = ROOT / "bench" / "results"
LOGS = ROOT / "var" / "bench"
WRK_SCRIPTS = ROOT / "bench" / "wrk"
HOST = "127.0.0.1"
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", f"postgres://postgres@{HOST}:5432/trackoffers_bench"
)
SECONDS = int(os.environ.get("BENCH_SECONDS", "6"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "3"))
ONLY = os.environ.get("BENCH_ONLY", "")
# One connection per sync worker, each on its own wrk thread (the write
# scripts keep per-thread state).
CONNECTIONS = 2
WORKERS = 2
WARM_UP_SECONDS = 1
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# Targets of issue 5, checked at the end.
MIN_RATIO = 0.3
CPU_TARGETS_MS = {"list page 1": 4.0, "get one": 2.5}
REPORT_PEAK_MB = 150
# An HTTP answer: status, headers, body.
Answer = tuple[int, dict, bytes]


@dataclass(frozen=True)
class Scenario:
    """One thing to time. ``path`` is formatted with the database's fixtures.

    ``script`` names a Lua script in bench/wrk/ (after ``report.lua``) and
    ``args`` its arguments, also formatted. Admin scenarios have no floor
    and log in with a session cookie instead of a token.
    """

    name: str
    path: str
    script: str = ""
    args: tuple[str, ...] = ()
    admin: bool = False
    method: str = "GET"


SCENARIOS = [
    Scenario("list page 1", "/api/v1/track-offers"),
    Scenario("list filter[offer-id]", "/api/v1/track-offers?filter[offer-id]={offer}"),
    Scenario("list include=track,offer", "/api/v1/track-offers?include=track,offer"),
    Scenario("list page 5,000", "/api/v1/track-offers?page[number]=5000"),
    Scenario(
        "list page[after] at 5,000", "/api/v1/track-offers?page[after]={deep_after}"
    ),
    Scenario(
        "list offer's copy-scan=false",
        "/api/v1/track-offers?filter[offer-id]={offer}&filter[copy-scan]=false",
    ),
    Scenario(
        "tracks copy-scan=false",
        "/api/v1/tracks?filter[offer-id]={offer}&filter[copy-scan]=false",
    ),
    Scenario("get one", "/api/v1/track-offers/{track_offer}"),
    Scenario(
        "PATCH copy_scan",
        "/api/v1/track-offers/{patch_track_offers[0]}",
        script="patch.lua",
        args=("{patch_ids}",),
        method="PATCH",
    ),
    Scenario(
        "create then delete",
        "/api/v1/track-offers",
        script="create_delete.lua",
        args=("{offer}", "{free_track_ids}"),
        method="POST",
    ),
    Scenario("admin track offers", "/admin/trackoffers/trackoffer/", admin=True),
    Scenario(
        "admin ISRC search", "/admin/trackoffers/trackoffer/?q={isrc}", admin=True
    ),
    Scenario("admin index", "/admin/", admin=True),
]


class BenchError(Exception):
    """The benchmark cannot give honest figures: a mismatch, an error."""


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def host(self) -> str:
        return f"{HOST}:{self.port}"


@dataclass
class Run:
    """One wrk run of one scenario against one server."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    app_cpu_ms: float
    db_cpu_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


@dataclass
class Figures:
    runs: list[Run] = field(default_factory=list)

    def summary(self) -> dict:
        def median(attribute: str) -> float:
            return round(statistics.median(getattr(r, attribute) for r in self.runs), 2)

        return {
            "rps": median("rps"),
            "p50_ms": median("p50_ms"),
            "p99_ms": median("p99_ms"),
            "app_cpu_ms": median("app_cpu_ms"),
            "db_cpu_ms": median("db_cpu_ms"),
            "runs": [round(run.rps, 1) for run in self.runs],
        }


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    LOGS.mkdir(parents=True, exist_ok=True)
    env = bench_environment()
    ensure_database()
    print("Building or reusing the benchmark database...", flush=True)
    fixtures = prepare(env)
    with ExitStack() as stack:
        app = stack.enter_context(serve_app(env))
        floor = stack.enter_context(serve_floor(env))
        with psycopg.connect(DATABASE_URL, autocommit=True) as monitor:
            try:
                results = benchmark(app, floor, fixtures, monitor)
            except BenchError as error:
                print(f"FAILED: {error}", file=sys.stderr)
                return 1
    if ONLY:
        print(json.dumps(results["scenarios"], indent=2))
        return 0
    results["report_command"] = time_report(env, fixtures["offer"])
    results["report_memory"] = [
        time_report(env, fixtures["huge_offer"], output_format)
        for output_format in ("csv", "json")
    ]
    write_results(results)
    return 0


def bench_environment(database_url: str = DATABASE_URL) -> dict[str, str]:
    """Production settings, served on plain HTTP on the loopback."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="bench-only-secret-never-used-outside-the-loopback",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS=HOST,
        WEB_CONCURRENCY=str(WORKERS),
        # A worker replaced mid-run would take its CPU time with it.
        GUNICORN_MAX_REQUESTS="0",
        FLOOR_DATABASE_URL=database_url,
    )
    return env


def ensure_database() -> None:
    url = urlsplit(DATABASE_URL)
    name = url.path.lstrip("/")
    admin_url = url._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL is not reachable at {admin_url}: {error}"
        ) from None


def prepare(env: dict[str, str]) -> dict:
    # The admin's pages need the manifest of the collected static files.
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--no-input", "--verbosity=0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    output = subprocess.run(
        [BIN / "python", "-m", "bench.database"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.PIPE,
    ).stdout
    return json.loads(output)


def write_targets(fixtures: dict, server: Server, app: Server) -> dict:
    """Return the rows and tracks a server's write scenarios use.

    The service and the floor get rows of their own: a create the service
    was still finishing when wrk stopped must not clash with the floor's.
    """
    start = 0 if server is app else CONNECTIONS
    rows = fixtures["patch_track_offers"][start : start + CONNECTIONS]
    tracks = fixtures["free_tracks"][start : start + CONNECTIONS]
    return {
        "patch_ids": ",".join(map(str, rows)),
        "free_track_ids": ",".join(map(str, tracks)),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


class serve:
    """Run a gunicorn until the block ends; wait until it accepts requests."""

    def __init__(self, name: str, command: list, env: dict[str, str]) -> None:
        self.name, self.command, self.env = name, command, env

    def __enter__(self) -> Server:
        port = free_port()
        LOGS.mkdir(parents=True, exist_ok=True)
        log = open(LOGS / f"{self.name}.log", "w")
        process = subprocess.Popen(
            [*self.command, f"--bind={HOST}:{port}"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.server = Server(self.name, port, process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(f"{self.name} did not start: see {LOGS}")
            # The master listens before it forks: wait for both workers too.
            if len(children(process.pid)) >= WORKERS and accepts(port):
                return self.server
            time.sleep(0.2)
        process.terminate()
        raise SystemExit(f"{self.name} did not start within 30 s")

    def __exit__(self, *exc_info) -> None:
        self.server.process.terminate()
        self.server.process.wait(timeout=30)


def accepts(port: int) -> bool:
    try:
        socket.create_connection((HOST, port), timeout=1).close()
    except OSError:
        return False
    return True


def serve_app(env: dict[str, str], name: str = "app") -> serve:
    return serve(
        name,
        [
            BIN / "gunicorn",
            "--config=config/gunicorn.py",
            # Several gunicorns run on this machine at once.
            "--no-control-socket",
            "config.wsgi",
        ],
        env,
    )


def serve_floor(env: dict[str, str]) -> serve:
    return serve(
        "floor",
        [
            BIN / "gunicorn",
            f"--workers={WORKERS}",
            "--worker-class=sync",
            "--no-control-socket",
            "bench.floor:application",
        ],
        env,
    )


# Equivalence


def request(
    server: Server, method: str, path: str, headers: dict, body: dict | None = None
) -> Answer:
    connection = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        payload = None if body is None else json.dumps(body)
        connection.request(method, path, payload, headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def api_headers(fixtures: dict, host: str) -> dict:
    return {
        "Authorization": f"Bearer {fixtures['token']}",
        "Content-Type": "application/vnd.api+json",
        # Both answer with the service's host in their links.
        "Host": host,
    }


def check_equivalent(
    app: Server, floor: Server, scenario: Scenario, fixtures: dict
) -> bool:
    """Fail unless the floor answers the scenario as the service does.

    Return whether the two bodies are the same bytes, too.
    """
    headers = api_headers(fixtures, app.host)
    if scenario.method == "GET":
        path = scenario.path.format(**fixtures)
        answers = [request(server, "GET", path, headers) for server in (app, floor)]
        masked: tuple[str, ...] = ()
    elif scenario.method == "PATCH":
        answers = [patch_and_restore(s, headers, fixtures) for s in (app, floor)]
        masked = ("updated-at",)
    else:
        answers = [create_and_delete(s, headers, fixtures) for s in (app, floor)]
        masked = ("created-at", "updated-at")
    (app_status, _, app_body), (floor_status, _, floor_body) = answers
    if app_status != floor_status or app_status >= 300:
        raise BenchError(
            f"{scenario.name}: the service answered {app_status}, "
            f"the floor {floor_status}"
        )
    app_doc = normalized(app_body, masked)
    floor_doc = normalized(floor_body, masked)
    if app_doc != floor_doc:
        raise BenchError(
            f"{scenario.name}: the floor's document differs from the service's:\n"
            f"service: {app_body[:2000]!r}\nfloor:   {floor_body[:2000]!r}"
        )
    return app_body == floor_body


def normalized(body: bytes, masked: tuple[str, ...]) -> dict:
    """Parse a document; blank the members a write sets to its own clock.

    A created resource's id differs too: it is replaced wherever it shows.
    """
    document = json.loads(body)
    if masked and "created-at" in masked:
        resource_id = document["data"]["id"]
        document = json.loads(body.decode().replace(resource_id, "ID"))
    for name in masked:
        document["data"]["attributes"][name] = "*"
    return document


def patch_and_restore(server: Server, headers: dict, fixtures: dict) -> Answer:
    pk = fixtures["patch_track_offers"][0]
    path = f"/api/v1/track-offers/{pk}"
    # The second PATCH puts the row back, so both servers start alike.
    answers = [
        request(server, "PATCH", path, headers, patch_body(pk, value))
        for value in (False, True)
    ]
    return answers[0]


def patch_body(pk: int, copy_scan: bool) -> dict:
    return {
        "data": {
            "type": "track-offers",
            "id": str(pk),
            "attributes": {"usage": {"copy_scan": copy_scan}},
        }
    }


def create_and_delete(server: Server, headers: dict, fixtures: dict) -> Answer:
    body = {
        "data": {
            "type": "track-offers",
            "attributes": {"usage": {"copy_scan": False}},
            "relationships": {
                "track": {
                    "data": {"type": "tracks", "id": str(fixtures["free_tracks"][0])}
                },
                "offer": {"data": {"type": "offers", "id": str(fixtures["offer"])}},
            },
        }
    }
    created = request(server, "POST", "/api/v1/track-offers", headers, body)
    if created[0] == 201:
        pk = json.loads(created[2])["data"]["id"]
        request(server, "DELETE", f"/api/v1/track-offers/{pk}", headers)
    return created


# Timing


def selected(scenarios: list[Scenario], only: str) -> list[Scenario]:
    """The scenarios named in ``only``, in their order; all when it is empty.

    Names are separated by commas, and a name may hold commas of its own
    ("list include=track,offer").
    """
    known = {scenario.name for scenario in scenarios}
    names, name = set(), ""
    for piece in only.split(","):
        name = f"{name},{piece}" if name else piece
        if name.strip() in known:
            names.add(name.strip())
            name = ""
    if name:
        raise BenchError(f"no such scenario: {name.strip()}")
    if not names:
        return scenarios
    return [scenario for scenario in scenarios if scenario.name in names]


def benchmark(
    app: Server, floor: Server, fixtures: dict, monitor: psycopg.Connection
) -> dict:
    active, missing, identical = [], [], {}
    for scenario in selected(SCENARIOS, ONLY):
        if scenario.admin:
            status = admin_status(app, scenario, fixtures)
            if status == 404:
                missing.append(scenario.name)
                continue
            if status != 200:
                raise BenchError(f"{scenario.name}: the admin answered {status}")
        else:
            identical[scenario.name] = check_equivalent(app, floor, scenario, fixtures)
        active.append(scenario)
    print(
        f"Documents equal for {len(identical)} API scenarios "
        f"({sum(identical.values())} byte for byte). Timing {len(active)} "
        f"scenarios, {REPEATS} x {SECONDS} s each, service and floor in turns.",
        flush=True,
    )
    figures = {(s.name, target): Figures() for s in active for target in "af"}
    for scenario in active:
        for server in (app, floor)[: 1 if scenario.admin else 2]:
            drive(server, app, scenario, fixtures, monitor, WARM_UP_SECONDS)
    for repeat in range(REPEATS):
        for scenario in active:
            servers = [(app, "a")] + ([] if scenario.admin else [(floor, "f")])
            for server, target in servers:
                run = drive(server, app, scenario, fixtures, monitor, SECONDS)
                figures[scenario.name, target].runs.append(run)
                print(
                    f"  [{repeat + 1}/{REPEATS}] {scenario.name:<28} {server.name:<5}"
                    f" {run.rps:8.1f} req/s  p50 {run.p50_ms:6.2f} ms"
                    f"  app {run.app_cpu_ms:6.2f} ms  db {run.db_cpu_ms:5.2f} ms",
                    flush=True,
                )
    rows = []
    for scenario in active:
        service = figures[scenario.name, "a"].summary()
        row = {"scenario": scenario.name, "path": scenario.path, "app": service}
        if not scenario.admin:
            base = figures[scenario.name, "f"].summary()
            row["floor"] = base
            row["ratio"] = round(service["rps"] / base["rps"], 3)
            row["identical_bytes"] = identical[scenario.name]
        rows.append(row)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "seconds_per_run": SECONDS,
        "repeats": REPEATS,
        "connections": CONNECTIONS,
        "scenarios": rows,
        "missing": missing,
    }


def admin_status(app: Server, scenario: Scenario, fixtures: dict) -> int:
    headers = {"Cookie": f"sessionid={fixtures['session']}", "Host": app.host}
    path = scenario.path.format(**fixtures)
    return request(app, "GET", path, headers)[0]


def drive(
    server: Server,
    app: Server,
    scenario: Scenario,
    fixtures: dict,
    monitor,
    seconds: int,
) -> Run:
    """Run wrk for ``seconds`` and measure the CPU it made both sides spend."""
    reset_writes(monitor, fixtures)
    if scenario.admin:
        headers = [f"Cookie: sessionid={fixtures['session']}"]
    else:
        headers = [
            f"Authorization: Bearer {fixtures['token']}",
            "Content-Type: application/vnd.api+json",
        ]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write((WRK_SCRIPTS / "report.lua").read_text())
        if scenario.script:
            script.write((WRK_SCRIPTS / scenario.script).read_text())
        script.flush()
        command = [
            "wrk",
            f"--threads={CONNECTIONS}",
            f"--connections={CONNECTIONS}",
            f"--duration={seconds}s",
            "--timeout=10s",
            f"--script={script.name}",
            # Links name the service's host in both answers.
            f"--header=Host: {app.host}",
            *(f"--header={header}" for header in headers),
            f"http://{server.host}{scenario.path.format(**fixtures)}",
        ]
        if scenario.args:
            values = {**fixtures, **write_targets(fixtures, server, app)}
            command += ["--", *(arg.format(**values) for arg in scenario.args)]
        app_before = tree_cpu(server.process.pid)
        db_before = backend_cpu(monitor)
        output = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=True
        ).stdout
        app_spent = tree_cpu(server.process.pid) - app_before
        db_spent = cpu_delta(db_before, backend_cpu(monitor))
    match = re.search(r"^BENCH (.*)$", output, re.MULTILINE)
    if match is None:
        raise BenchError(f"{scenario.name}: wrk printed no totals:\n{output}")
    totals = json.loads(match[1])
    if totals["non_2xx"] or totals["socket_errors"] or not totals["requests"]:
        raise BenchError(f"{scenario.name} on {server.name}: {totals}")
    requests = totals["requests"]
    return Run(
        requests=requests,
        seconds=totals["duration_us"] / 1e6,
        p50_ms=totals["p50_us"] / 1000,
        p99_ms=totals["p99_us"] / 1000,
        app_cpu_ms=app_spent * 1000 / requests,
        db_cpu_ms=db_spent * 1000 / requests,
    )


def reset_writes(monitor: psycopg.Connection, fixtures: dict) -> None:
    # A run may stop between a create and its delete: the next create on
    # the same track would then clash.
    monitor.execute(
        "DELETE FROM trackoffers_trackoffer WHERE offer_id = %s AND track_id = ANY(%s)",
        [fixtures["offer"], fixtures["free_tracks"]],
    )


def process_cpu(pid: int, *, with_children: bool = False) -> float:
    """Return the CPU seconds (user + system) of a process from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            # Fields after the command name, which may contain spaces.
            fields = stat.read().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if with_children:
        # Workers that exited and were reaped are counted by the master.
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def tree_cpu(master: int) -> float:
    """Return the CPU seconds of a gunicorn master and its live workers."""
    total = process_cpu(master, with_children=True)
    return total + sum(process_cpu(pid) for pid in children(master))


def children(parent: int) -> set[int]:
    """Return the ids of the live child processes of ``parent``."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (FileNotFoundError, ProcessLookupError):
            continue
        if ppid == parent:
            found.add(int(entry))
    return found


def backend_cpu(monitor: psycopg.Connection) -> dict[int, float]:
    """Return the CPU seconds of each backend connected to the bench database."""
    pids = monitor.execute(
        "SELECT pid FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    return {pid: process_cpu(pid) for (pid,) in pids}


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    # A backend that appeared during the run spent all of its time in it.
    return sum(spent - before.get(pid, 0.0) for pid, spent in after.items())


# The report command


def time_report(env: dict[str, str], offer: int, output_format: str = "csv") -> dict:
    """Time ``copy_scan report`` on one offer: wall and CPU time, peak RSS."""
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(REPEATS):
            started = time.monotonic()
            process = subprocess.Popen(
                [
                    BIN / "python",
                    "-m",
                    "bench.peak",
                    f"{folder}/peak",
                    "copy_scan",
                    "report",
                    f"--offer={offer}",
                    f"--format={output_format}",
                    f"--output={folder}/report",
                ],
                cwd=ROOT,
                env=env,
            )
            # wait4 gives this child's own CPU time, whatever ran before it.
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode:
                raise SystemExit("copy_scan report failed")
            rows = report_rows(f"{folder}/report", output_format)
            runs.append(
                {
                    "seconds": round(time.monotonic() - started, 2),
                    "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
                    "peak_rss_mb": round(
                        int(Path(f"{folder}/peak").read_text()) / 1024, 1
                    ),
                    "rows": rows,
                }
            )
    return {
        "offer": offer,
        "format": output_format,
        "seconds": statistics.median(run["seconds"] for run in runs),
        "cpu_seconds": statistics.median(run["cpu_seconds"] for run in runs),
        "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
        "rows": runs[0]["rows"],
    }


def report_rows(path: str, output_format: str) -> int:
    with open(path) as report:
        if output_format == "json":
            return len(json.load(report))
        return sum(1 for _ in report) - 1


# Output


def write_results(results: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    (RESULTS / "latest.md").write_text(table)
    print()
    print(table)


def markdown(results: dict) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"`make bench` on {results['date']}, {results['cores']} cores: medians of "
        f"{results['repeats']} runs of {results['seconds_per_run']} s each, wrk "
        f"with {results['connections']} connections, 1,000,000 track offers on "
        "PostgreSQL. CPU is milliseconds per request: *app* the gunicorn "
        "processes, *db* the PostgreSQL backends.",
        "",
        "| scenario | app req/s | floor req/s | ratio | app p50 / p99 ms "
        "| floor p50 / p99 ms | app CPU | app db CPU | floor CPU | floor db CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["scenarios"]:
        app, floor = row["app"], row.get("floor")
        cells = [
            row["scenario"],
            f"{app['rps']:.0f}",
            f"{floor['rps']:.0f}" if floor else "-",
            f"{row['ratio']:.2f}" if floor else "-",
            f"{app['p50_ms']:.1f} / {app['p99_ms']:.1f}",
            f"{floor['p50_ms']:.1f} / {floor['p99_ms']:.1f}" if floor else "-",
            f"{app['app_cpu_ms']:.2f}",
            f"{app['db_cpu_ms']:.2f}",
            f"{floor['app_cpu_ms']:.2f}" if floor else "-",
            f"{floor['db_cpu_ms']:.2f}" if floor else "-",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    for name in results["missing"]:
        lines.append(f"| {name} | not in this branch (404) |" + " |" * 8)
    report = results["report_command"]
    lines += [
        "",
        f"`copy_scan report` on offer {report['offer']} ({report['rows']:,} tracks, "
        f"CSV): {report['seconds']} s wall, {report['cpu_seconds']} s CPU, "
        f"peak RSS {report['peak_rss_mb']} MB.",
        "",
        *(
            f"`copy_scan report` on offer {run['offer']} ({run['rows']:,} tracks, "
            f"{run['format'].upper()}): {run['seconds']} s wall, "
            f"{run['cpu_seconds']} s CPU, peak RSS {run['peak_rss_mb']} MB."
            for run in results["report_memory"]
        ),
        "",
        "Targets (issue 5):",
        "",
        *target_lines(results),
        "",
    ]
    return "\n".join(lines)


def target_lines(results: dict) -> list[str]:
    lines = []
    for row in results["scenarios"]:
        if "ratio" in row:
            met = row["ratio"] >= MIN_RATIO
            lines.append(
                f"- {row['scenario']}: {row['ratio']:.2f}x the floor's "
                f"requests/s (target {MIN_RATIO}x): {'met' if met else 'MISSED'}"
            )
        if row["scenario"] in CPU_TARGETS_MS:
            limit = CPU_TARGETS_MS[row["scenario"]]
            spent = row["app"]["app_cpu_ms"]
            lines.append(
                f"- {row['scenario']}: {spent:.2f} ms of application CPU "
                f"(target {limit} ms): {'met' if spent <= limit else 'MISSED'}"
            )
    for run in results["report_memory"]:
        peak = run["peak_rss_mb"]
        lines.append(
            f"- copy_scan report, {run['rows']:,} tracks, {run['format'].upper()}: "
            f"peak RSS {peak} MB (target {REPORT_PEAK_MB} MB): "
            f"{'met' if peak < REPORT_PEAK_MB else 'MISSED'}"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
