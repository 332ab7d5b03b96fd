"""``make loadtest``: mixed reads and writes under load, then a database restart.

Runs its own throwaway PostgreSQL server (initdb in a temporary folder, on a
free loopback port), so that restarting it disturbs no one else's database,
and serves the service on it with gunicorn (2 sync workers, production
settings). Sixteen client threads then read and write for LOADTEST_SECONDS
(default 60):

1. steady load: no answer may be a 5xx, and afterwards every acknowledged
   write (PATCHed usage flags, created and deleted track offers) is in the
   database as the server acknowledged it;
2. the same load while PostgreSQL is stopped for a few seconds and started
   again: requests meanwhile fail fast with a JSON:API 503 and Retry-After,
   the service recovers by itself (same worker processes), and every
   acknowledged write is still there.

Each client owns its own track offers and (track, offer) pairs, so the last
acknowledged write of a row is known. A write that got no acknowledgement
(a 503 during the outage) leaves its row unknown until the client's next
acknowledged write to it. Prints a summary; exits non-zero on any violation.
Only 127.0.0.1 is contacted.
"""

import http.client
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.harness import (
    BIN,
    HOST,
    ROOT,
    Server,
    bench_environment,
    children,
    free_port,
    serve_app,
)

CLIENTS = 16
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))
# The restart run: load, then PostgreSQL stopped for OUTAGE seconds, then
# load until the end.
RESTART_AFTER = 10
OUTAGE = 5
RESTART_RUN_SECONDS = 40
# After PostgreSQL is back, the service must answer again within this.
RECOVERY_LIMIT = 10.0
# "Fail fast": a 503 must come back within this many seconds.
FAIL_FAST_LIMIT = 2.0
ROWS_PER_CLIENT = 20
PAIRS_PER_CLIENT = 100
FLAGS = ("download", "on_demand_stream", "non_interactive_stream", "copy_scan")
MEDIA_TYPE = "application/vnd.api+json"


@dataclass
class Answer:
    phase: str
    operation: str
    started: float
    seconds: float
    status: int
    body: bytes = b""
    content_type: str = ""
    retry_after: str | None = None


@dataclass
class Ledger:
    """What one client was told: the acknowledged state of its rows."""

    # track offer id -> acknowledged usage (every flag), or None once an
    # unacknowledged write made it unknown
    usage: dict[int, dict | None] = field(default_factory=dict)
    # ids of track offers whose creation was acknowledged and not deleted
    created: set[int] = field(default_factory=set)
    deleted: set[int] = field(default_factory=set)
    unknown_pairs: int = 0


class Client(threading.Thread):
    """One of the sixteen: reads and writes until its deadline."""

    def __init__(
        self, number: int, server: Server, token: str, work: dict, deadline: float
    ) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.server = server
        self.token = token
        self.rows: list[int] = work["rows"]
        self.pairs: list[tuple[int, int]] = work["pairs"]
        self.offers: list[int] = work["offers"]
        self.ledger: Ledger = work["ledger"]
        self.deadline = deadline
        self.phase = ""
        self.answers: list[Answer] = []
        self.random = random.Random(number)

    def run(self) -> None:
        operations = [
            (self.list_page, 30),
            (self.get_one, 25),
            (self.patch, 30),
            (self.create, 10),
            (self.delete, 5),
        ]
        functions, weights = zip(*operations, strict=True)
        while time.monotonic() < self.deadline:
            self.random.choices(functions, weights)[0]()

    def call(self, operation: str, method: str, path: str, body=None) -> Answer:
        headers = {"Authorization": f"Bearer {self.token}", "Host": self.server.host}
        if body is not None:
            headers["Content-Type"] = MEDIA_TYPE
        started = time.monotonic()
        answer = Answer(self.phase, operation, started, 0.0, 0)
        connection = http.client.HTTPConnection(HOST, self.server.port, timeout=30)
        try:
            connection.request(
                method, path, None if body is None else json.dumps(body), headers
            )
            response = connection.getresponse()
            answer.body = response.read()
            answer.status = response.status
            answer.content_type = response.getheader("Content-Type", "")
            answer.retry_after = response.getheader("Retry-After")
        except OSError as error:
            answer.body = repr(error).encode()
        finally:
            connection.close()
        answer.seconds = time.monotonic() - started
        self.answers.append(answer)
        return answer

    def list_page(self) -> None:
        offer = self.random.choice(self.offers)
        self.call("list", "GET", f"/api/v1/track-offers?filter[offer-id]={offer}")

    def get_one(self) -> None:
        self.call("get", "GET", f"/api/v1/track-offers/{self.random.choice(self.rows)}")

    def patch(self) -> None:
        pk = self.random.choice(self.rows)
        usage = {flag: self.random.choice([True, False, None]) for flag in FLAGS}
        body = {
            "data": {
                "type": "track-offers",
                "id": str(pk),
                "attributes": {"usage": usage},
            }
        }
        answer = self.call("patch", "PATCH", f"/api/v1/track-offers/{pk}", body)
        if answer.status == 200:
            acknowledged = json.loads(answer.body)["data"]["attributes"]["usage"]
            self.ledger.usage[pk] = {flag: acknowledged.get(flag) for flag in FLAGS}
        else:
            self.ledger.usage[pk] = None

    def create(self) -> None:
        if not self.pairs:
            return
        track, offer = self.pairs.pop()
        body = {
            "data": {
                "type": "track-offers",
                "attributes": {"usage": {"copy_scan": False}},
                "relationships": {
                    "track": {"data": {"type": "tracks", "id": str(track)}},
                    "offer": {"data": {"type": "offers", "id": str(offer)}},
                },
            }
        }
        answer = self.call("create", "POST", "/api/v1/track-offers", body)
        if answer.status == 201:
            self.ledger.created.add(int(json.loads(answer.body)["data"]["id"]))
        else:
            self.ledger.unknown_pairs += 1

    def delete(self) -> None:
        if not self.ledger.created:
            return
        pk = self.random.choice(sorted(self.ledger.created))
        self.ledger.created.discard(pk)
        answer = self.call("delete", "DELETE", f"/api/v1/track-offers/{pk}")
        if answer.status == 204:
            self.ledger.deleted.add(pk)


# A private PostgreSQL server


@contextmanager
def private_postgres():
    """Yield the URL of a throwaway server's database, and stop and start.

    The server and its folder are removed at the end, whatever happens.
    """
    binaries = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1])
    folder = Path(tempfile.mkdtemp(prefix="trackoffers-loadtest-"))
    # PostgreSQL refuses to run as root.
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_owner:
        shutil.chown(folder, "postgres")
    data, port = folder / "data", free_port()
    options = f"-c listen_addresses={HOST} -p {port} -k {folder}"

    def ctl(*arguments: str) -> None:
        subprocess.run(
            [*as_owner, binaries / "pg_ctl", "--pgdata", data, "--silent", *arguments],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    try:
        initdb = [binaries / "initdb", "--pgdata", data, "--username=postgres"]
        subprocess.run(
            [*as_owner, *initdb, "--auth=trust", "--no-sync"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        ctl("start", "--wait", f"--options={options}", f"--log={folder}/log")
        with psycopg.connect(
            f"postgres://postgres@{HOST}:{port}/postgres", autocommit=True
        ) as connection:
            connection.execute("CREATE DATABASE loadtest")

        def stop() -> None:
            ctl("stop", "--wait", "--mode=fast")

        def start() -> None:
            ctl("start", "--wait", f"--options={options}", f"--log={folder}/log")

        yield f"postgres://postgres@{HOST}:{port}/loadtest", stop, start
    finally:
        subprocess.run(
            [*as_owner, binaries / "pg_ctl", "--pgdata", data, "stop", "--mode=fast"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


# The run


def main() -> int:
    violations: list[str] = []
    with private_postgres() as (database_url, stop, start):
        env = bench_environment(database_url)
        print("Starting a private PostgreSQL and a small catalogue...", flush=True)
        info = json.loads(
            subprocess.run(
                [BIN / "python", "-m", "bench.database", "--small"],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.PIPE,
            ).stdout
        )
        work = assign_work(database_url)
        with serve_app(env, "loadtest-app") as server:
            workers = worker_pids(server)
            answers = run_load(server, info["token"], work, "steady", SECONDS)
            violations += check_steady(answers)
            violations += verify(database_url, work, "steady")

            outage: dict[str, float] = {}

            def restart() -> None:
                time.sleep(RESTART_AFTER)
                outage["stopped"] = time.monotonic()
                stop()
                time.sleep(OUTAGE)
                start()
                outage["started"] = time.monotonic()

            restarter = threading.Thread(target=restart, daemon=True)
            restarter.start()
            answers = run_load(
                server, info["token"], work, "restart", RESTART_RUN_SECONDS
            )
            restarter.join()
            violations += check_restart(answers, outage)
            violations += verify(database_url, work, "restart")
            if worker_pids(server) != workers:
                violations.append("restart: gunicorn replaced a worker")
    print()
    if violations:
        print(f"FAILED: {len(violations)} violation(s)")
        for violation in violations:
            print(f"  - {violation}")
        return 1
    print("PASSED: no violation")
    return 0


def assign_work(database_url: str) -> list[dict]:
    """Give each client its own track offers and free (track, offer) pairs."""
    with psycopg.connect(database_url) as connection:
        rows = [
            pk
            for (pk,) in connection.execute(
                "SELECT id FROM trackoffers_trackoffer ORDER BY id LIMIT %s",
                [CLIENTS * ROWS_PER_CLIENT],
            )
        ]
        pairs = connection.execute(
            "SELECT t.id, o.id FROM tracks_track t"
            " JOIN offers_offer o ON o.product_id = t.product_id"
            " LEFT JOIN trackoffers_trackoffer x"
            " ON x.track_id = t.id AND x.offer_id = o.id"
            " WHERE x.id IS NULL ORDER BY t.id, o.id LIMIT %s",
            [CLIENTS * PAIRS_PER_CLIENT],
        ).fetchall()
        offers = [
            pk
            for (pk,) in connection.execute(
                "SELECT DISTINCT offer_id FROM trackoffers_trackoffer"
                " WHERE id = ANY(%s)",
                [rows],
            )
        ]
    return [
        {
            "rows": rows[n::CLIENTS],
            "pairs": pairs[n::CLIENTS],
            "offers": offers,
            "ledger": Ledger(),
        }
        for n in range(CLIENTS)
    ]


def run_load(
    server: Server, token: str, work: list[dict], phase: str, seconds: int
) -> list[Answer]:
    print(f"{phase}: {CLIENTS} clients for {seconds} s...", flush=True)
    deadline = time.monotonic() + seconds
    clients = [
        Client(number, server, token, work[number], deadline)
        for number in range(CLIENTS)
    ]
    for client in clients:
        client.phase = phase
        client.start()
    for client in clients:
        # Each request has a 30 s timeout, so a client ends soon after the
        # deadline whatever happens.
        client.join(timeout=seconds + 60)
        if client.is_alive():
            raise SystemExit(f"{client.name} did not stop")
    answers = sorted(
        (answer for client in clients for answer in client.answers),
        key=lambda answer: answer.started,
    )
    summarize(phase, answers, seconds)
    return answers


def summarize(phase: str, answers: list[Answer], seconds: int) -> None:
    statuses: dict[int, int] = {}
    for answer in answers:
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
    latencies = sorted(answer.seconds for answer in answers)
    p99 = latencies[int(len(latencies) * 0.99)] if latencies else 0.0
    print(
        f"  {len(answers)} requests ({len(answers) / seconds:.0f}/s), statuses "
        f"{dict(sorted(statuses.items()))}, p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )


EXPECTED = {"list": {200}, "get": {200}, "patch": {200}, "create": {201}}
# A delete may find its row already deleted only if an earlier delete of it
# was applied but not acknowledged; there is no such case without faults.
EXPECTED["delete"] = {204}


def check_steady(answers: list[Answer]) -> list[str]:
    problems = []
    for answer in answers:
        if answer.status not in EXPECTED[answer.operation]:
            problems.append(
                f"steady: {answer.operation} answered {answer.status}: "
                f"{answer.body[:200]!r}"
            )
    return problems[:20]


def check_restart(answers: list[Answer], outage: dict[str, float]) -> list[str]:
    problems = []
    failed = [a for a in answers if a.status not in EXPECTED[a.operation]]
    for answer in failed:
        if answer.status != 503:
            problems.append(
                f"restart: {answer.operation} answered {answer.status} "
                f"(not 503): {answer.body[:200]!r}"
            )
        elif not is_jsonapi_503(answer):
            problems.append(f"restart: a 503 that is not a JSON:API error: {answer}")
        elif answer.seconds > FAIL_FAST_LIMIT:
            problems.append(
                f"restart: a 503 took {answer.seconds:.1f} s "
                f"(limit {FAIL_FAST_LIMIT} s)"
            )
    unavailable = [a for a in failed if a.status == 503]
    if not unavailable:
        problems.append("restart: no 503 seen: the outage went unnoticed")
    last_failure = max((a.started + a.seconds for a in failed), default=0.0)
    back = outage["started"]
    recovered = max(0.0, last_failure - back)
    later = [a for a in answers if a.started > last_failure]
    print(
        f"  outage {back - outage['stopped']:.1f} s; {len(unavailable)} answers "
        f"were 503 (slowest {max((a.seconds for a in unavailable), default=0):.2f}"
        f" s); last failure {recovered:.1f} s after PostgreSQL was back; "
        f"{len(later)} requests after it, all answered"
    )
    if recovered > RECOVERY_LIMIT:
        problems.append(
            f"restart: failures went on {recovered:.1f} s after PostgreSQL was back"
        )
    if len(later) < CLIENTS:
        problems.append("restart: too few requests after the recovery to show it")
    return problems[:20]


def is_jsonapi_503(answer: Answer) -> bool:
    if answer.content_type != MEDIA_TYPE or not answer.retry_after:
        return False
    try:
        errors = json.loads(answer.body)["errors"]
    except (ValueError, KeyError, TypeError):
        return False
    return bool(errors) and all(error.get("status") == "503" for error in errors)


def verify(database_url: str, work: list[dict], phase: str) -> list[str]:
    """Check every acknowledged write against the database."""
    problems, checked, unknown = [], 0, 0
    with psycopg.connect(database_url) as connection:
        for assignment in work:
            ledger: Ledger = assignment["ledger"]
            known = {pk: u for pk, u in ledger.usage.items() if u is not None}
            unknown += len(ledger.usage) - len(known)
            stored = {
                pk: dict(zip(FLAGS, flags, strict=True))
                for pk, *flags in connection.execute(
                    "SELECT id, download, on_demand_stream, non_interactive_stream,"
                    " copy_scan FROM trackoffers_trackoffer WHERE id = ANY(%s)",
                    [list(known) + sorted(ledger.created) + sorted(ledger.deleted)],
                )
            }
            for pk, usage in known.items():
                checked += 1
                if stored.get(pk) != usage:
                    problems.append(
                        f"{phase}: track offer {pk} is {stored.get(pk)}, "
                        f"acknowledged {usage}"
                    )
            for pk in ledger.created:
                checked += 1
                if pk not in stored:
                    problems.append(f"{phase}: created track offer {pk} is missing")
            for pk in ledger.deleted:
                checked += 1
                if pk in stored:
                    problems.append(f"{phase}: deleted track offer {pk} is still there")
    print(
        f"  verified {checked} acknowledged rows against the database "
        f"({unknown} rows left unknown by an unacknowledged last write): "
        f"{len(problems)} mismatches"
    )
    return problems[:20]


def worker_pids(server: Server) -> set[int]:
    return children(server.process.pid)


if __name__ == "__main__":
    sys.exit(main())
