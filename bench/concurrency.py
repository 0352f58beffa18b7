"""Writes while people read (issue 13): 20 clients read the dashboard and a measure page of the
real web app (gunicorn, the documented worker count) while a CLI load of a 5,000-child
partnership, 10 web uploads and 100 children's survey answers run. What must hold: no write
refused, no answer lost (counted in the store), no server error; on DuckDB and PostgreSQL.

`python -m bench.concurrency` (or `make bench-concurrency`) writes
bench/results/concurrency.json. Settings: SAFEPLAN_BENCH_SECONDS (reading time, default 60),
SAFEPLAN_BENCH_CHILDREN (the CLI load's partnership, default 5,000),
SAFEPLAN_BENCH_POSTGRES (a server's URL, e.g. postgresql://postgres@127.0.0.1/postgres; a
database is made on it for the run and dropped after; unset: DuckDB only),
SAFEPLAN_BENCH_STORES (default "duckdb,postgresql"; a store left out keeps its last figures).

Each figure is recorded beside the machine's load average and the CPU seconds of the bench,
its children (the CLI load) and the server, as bench/dashboard.py does: wall times on a
shared machine say little alone.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from bench.dashboard import PAGES, Client, Server, _problem
from bench.timing import cpu_seconds

RESULTS = Path(__file__).with_name("results")
READERS = 20
STORES = ("duckdb", "postgresql")
UPLOADS = 10
ANSWERS = 100
CHILDREN = 4  # answering at once, each from its own phone
WORKERS = 3  # docs/deploy.md: gunicorn --workers 3
SERVER_TIMEOUT = 120  # docs/deploy.md: --timeout 120 (an upload may wait its turn)
READ_PAGES = [p for p in PAGES if p.name in ("dashboard", "measure")]
SURVEY_QUESTION = "confident_to_contact_adult"  # the measure's question

# In the server's environment, before it starts: two survey settings (the rate limit is per
# setting and address: 100 an hour), their links.
SURVEY_SETUP = """
import json
from safeplan.web.server import setup
setup()
from safeplan.web.survey.models import Setting
made = [
    Setting.objects.get_or_create(name=n, defaults={"kind": "school", "plan_id": p})[0]
    for n, p in (("Bench School A", "durham-priorities-2020"),
                 ("Bench School B", "durham-priorities-2020"))
]
print(json.dumps([s.token for s in made]))
"""

# After the run: what the web app's database says of the writes.
AFTERWARDS = """
import json
from safeplan.web.server import setup
setup()
from safeplan.web.survey.models import PendingAnswer
from safeplan.web.uploads.models import Upload
from safeplan.web.uploads.service import BUSY
outcomes = [o for u in Upload.objects.all() for o in u.outcomes]
print(json.dumps({
    "uploads": Upload.objects.count(),
    "upload_files": {s: sum(1 for o in outcomes if o["status"] == s)
                     for s in ("loaded", "unchanged", "refused")},
    "upload_files_refused_busy": sum(1 for o in outcomes if o["message"] == BUSY),
    "answers_waiting": PendingAnswer.objects.count(),
}))
"""


def _machine() -> dict[str, float]:
    return {"load_average": round(os.getloadavg()[0], 2), "cpu_seconds": round(cpu_seconds(), 2)}


def _proc_cpu(pids: list[int]) -> float:
    """CPU seconds of running processes (utime + stime, from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return round(total, 2)


@contextmanager
def _postgres(base: str) -> Iterator[str]:
    import psycopg

    name = f"safeplan_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).with_name("safeplan"))
    return subprocess.run(  # noqa: S603 - our own command and arguments
        [exe, *args], env=env, capture_output=True, text=True, check=False
    )


def _multipart(fields: dict[str, str], name: str, path: Path) -> tuple[bytes, str]:
    boundary = secrets.token_hex(12)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
        f'filename="{path.name}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    body = b"".join(parts) + head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _csrf(client: Client, path: str) -> tuple[int, str]:
    status, _, body = client.request("GET", path)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    return status, found.group(1).decode() if found else ""


def run_backend(kind: str, store_url: str, children: int, seconds: float) -> dict[str, object]:
    figures: dict[str, object] = {"store": kind, "at_start": _machine()}
    with tempfile.TemporaryDirectory(prefix="safeplan-concurrency-") as tmp:
        home = Path(tmp) / "home"
        data = Path(tmp) / "data"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPLAN_")}
        env.update(SAFEPLAN_HOME=str(home), SAFEPLAN_STORE=store_url)
        # What the pages read from the start, then the partnership the CLI loads meanwhile,
        # and the files the web uploads send (another partnership's partner files and returns).
        for out, n, seed in ((data / "first", 500, 7), (data / "cli", children, 1)):
            done = _cli(env, "synth", "--children", str(n), "--seed", str(seed), "--out", str(out))
            assert done.returncode == 0, done.stderr
        done = _cli(env, "synth", "--children", "300", "--seed", "3", "--out", str(data / "web"))
        assert done.returncode == 0, done.stderr
        first = _cli(env, "load", str(data / "first"))
        assert first.returncode in (0, 1), first.stderr  # a synthetic file may be refused
        web_files = sorted(p for p in (data / "web").rglob("*") if p.suffix in (".csv", ".xml"))
        web_files = web_files[:UPLOADS]

        server = Server(home, Path(store_url), WORKERS, 1)
        server.env["SAFEPLAN_STORE"] = store_url
        server.args = [  # docs/deploy.md's command, on a free port
            "safeplan.web.wsgi:application",
            f"--bind=127.0.0.1:{server.port}",
            f"--workers={WORKERS}",
            f"--timeout={SERVER_TIMEOUT}",
            "--log-level=warning",
        ]
        try:
            server.start()
            tokens = json.loads(
                subprocess.run(  # noqa: S603 - this interpreter, our own code
                    [sys.executable, "-c", SURVEY_SETUP],
                    env=server.env,
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.strip()
            )
            figures["server"] = {"command": "gunicorn " + " ".join(server.args)}
            figures |= _traffic(server, env, data / "cli", web_files, tokens, seconds)
            figures["server_cpu_seconds"] = _proc_cpu([server.proc.pid, *server.worker_pids()])  # type: ignore[union-attr]
        finally:
            figures["server_log"] = server.stop()
        after = subprocess.run(  # noqa: S603 - this interpreter, our own code
            [sys.executable, "-c", AFTERWARDS],
            env=server.env,
            capture_output=True,
            text=True,
            check=True,
        )
        figures["web_database"] = json.loads(after.stdout.strip().splitlines()[-1])
        # The answers still waiting when the traffic stopped: fed by the management command.
        fed = subprocess.run(
            [sys.executable, "-m", "safeplan.web", "feed_answers"],
            env=server.env,
            capture_output=True,
            text=True,
            check=False,
        )
        figures["feed_answers_after"] = fed.stdout.strip() or fed.stderr.strip()[-300:]
        figures["answers_in_store"] = _answers_in_store(store_url)
    figures["at_end"] = _machine()
    return figures


def _answers_in_store(url: str) -> int:
    from safeplan.store.db import open_read_only

    with open_read_only(url) as store:
        return int(store.query("SELECT count(*) FROM sp_survey_answers")[0][0])


def _traffic(
    server: Server,
    env: dict[str, str],
    cli_data: Path,
    web_files: list[Path],
    tokens: list[str],
    seconds: float,
) -> dict[str, object]:
    readers = [server.signed_in_client() for _ in range(READERS)]
    uploader = server.signed_in_client()
    stop = threading.Event()
    lock = threading.Lock()
    statuses: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    notes = Counter[str]()
    times: list[float] = []

    def read(client: Client, offset: int) -> None:
        n = offset
        while not stop.is_set():
            page = READ_PAGES[n % len(READ_PAGES)]
            n += 1
            path = server.paths[page.name]
            url = f"{path}?{page.query}" if page.query else str(path)
            t = time.perf_counter()
            try:
                status, headers, body = client.request("GET", url)
            except OSError as e:
                with lock:
                    problems[type(e).__name__] += 1
                continue
            with lock:
                times.append(time.perf_counter() - t)
                statuses[str(status)] += 1
                problem = _problem(server, page, status, headers, body)
                if problem:
                    problems[problem] += 1
                if b"at the moment. Please try again later" in body:
                    notes["store unavailable note"] += 1

    cli: dict[str, object] = {}

    def load() -> None:
        time.sleep(2)
        began = time.perf_counter()
        done = _cli(env, "load", str(cli_data))
        cli.update(
            exit_code=done.returncode,
            wall_seconds=round(time.perf_counter() - began, 2),
            files_reported=sum(1 for line in done.stdout.splitlines() if ": load " in line),
            refused_files=done.stdout.count("REFUSED"),
            waited=done.stderr.count("waiting up to"),
            busy=done.stderr.count("still being written"),
            tracebacks=done.stderr.count("Traceback"),
        )

    uploads: Counter[str] = Counter()

    def upload() -> None:
        gap = seconds / (len(web_files) + 1)
        for path in web_files:
            if stop.wait(gap):
                break
            status, token = _csrf(uploader, "/uploads/")
            body, kind = _multipart({"csrfmiddlewaretoken": token}, "files", path)
            origin = f"http://127.0.0.1:{server.port}"
            try:
                status, _headers, _ = uploader.request(
                    "POST", "/uploads/", body, {"Content-Type": kind, "Origin": origin}
                )
            except OSError as e:
                uploads[type(e).__name__] += 1
                continue
            uploads[str(status)] += 1

    answers: Counter[str] = Counter()

    def answer(first: int) -> None:  # one of CHILDREN children's phones answering in turn
        gap = seconds * CHILDREN / (ANSWERS + 5)
        for i in range(first, ANSWERS, CHILDREN):
            if stop.wait(gap):
                break
            child = Client(server.port)  # a new browser for each child
            path = f"/survey/s/{tokens[i % len(tokens)]}/"
            try:
                _, token = _csrf(child, path)
                form = urlencode(
                    {"csrfmiddlewaretoken": token, SURVEY_QUESTION: "yes", "age": "10_to_15"}
                ).encode()
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"http://127.0.0.1:{server.port}",
                }
                status, _, _ = child.request("POST", path, form, headers)
            except OSError as e:
                answers[type(e).__name__] += 1
                continue
            finally:
                child.close()
            answers[str(status)] += 1

    loading = threading.Thread(target=load)
    writers = [threading.Thread(target=upload)]
    writers += [threading.Thread(target=answer, args=(i,)) for i in range(CHILDREN)]
    pool = [threading.Thread(target=read, args=(c, i)) for i, c in enumerate(readers)]
    began = time.perf_counter()
    for thread in [*pool, loading, *writers]:
        thread.start()
    time.sleep(seconds)
    for thread in writers:  # the uploads and answers still to send, read all the while
        thread.join()
    stop.set()
    for thread in pool:
        thread.join()
    loading.join()  # the CLI load, if it is still running
    wall = time.perf_counter() - began
    ms = sorted(1000 * t for t in times)
    for client in [*readers, uploader]:
        client.close()
    return {
        "reading": {
            "clients": READERS,
            "pages": [p.name for p in READ_PAGES],
            "seconds": round(wall, 1),
            "requests": len(times),
            "statuses": dict(statuses),
            "server_errors": sum(n for s, n in statuses.items() if s.startswith("5")),
            "problems": dict(problems),
            "notes": dict(notes),
            "median_ms": round(ms[len(ms) // 2], 1) if ms else None,
            "p95_ms": round(ms[int(len(ms) * 0.95)], 1) if ms else None,
        },
        "cli_load": cli,
        "uploads": {"sent": len(web_files), "statuses": dict(uploads)},
        "survey": {"sent": ANSWERS, "statuses": dict(answers)},
    }


def verdict(found: dict[str, object]) -> dict[str, int]:
    """The three counts that must be 0."""
    reading = found["reading"]
    cli = found["cli_load"]
    web = found["web_database"]
    survey = found["survey"]
    assert isinstance(reading, dict) and isinstance(cli, dict) and isinstance(web, dict)
    assert isinstance(survey, dict)
    refused = int(web["upload_files_refused_busy"]) + int(cli.get("busy", 1))
    refused += int(cli.get("exit_code", 1) not in (0, 1))  # 1: a file refused for its content
    statuses = survey["statuses"]
    refused += sum(n for s, n in statuses.items() if s != "302")
    log = found["server_log"]
    assert isinstance(log, dict)
    errors = int(reading["server_errors"]) + int(log["tracebacks"]) + int(log["worker_timeouts"])
    thanked = int(statuses.get("302", 0))
    lost = thanked - int(str(found["answers_in_store"]))
    return {"writes_refused": refused, "answers_lost": lost, "server_errors": errors}


def main() -> None:
    seconds = float(os.environ.get("SAFEPLAN_BENCH_SECONDS", "60"))
    children = int(os.environ.get("SAFEPLAN_BENCH_CHILDREN", "5000"))
    results: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count() or 1,
        "python": sys.version.split()[0],
        "seconds": seconds,
        "children": children,
        "readers": READERS,
        "uploads": UPLOADS,
        "answers": ANSWERS,
        "gunicorn_workers": WORKERS,
    }
    stores = os.environ.get("SAFEPLAN_BENCH_STORES", "duckdb,postgresql").split(",")
    out = RESULTS / "concurrency.json"
    if out.is_file():  # a store not run this time keeps its last figures
        results |= {k: v for k, v in json.loads(out.read_text()).items() if k in STORES}
    if "duckdb" in stores:
        with tempfile.TemporaryDirectory(prefix="safeplan-concurrency-store-") as tmp:
            found = run_backend("duckdb", str(Path(tmp) / "store.duckdb"), children, seconds)
            found["verdict"] = verdict(found)
            results["duckdb"] = found
            print(json.dumps({"duckdb": found["verdict"]}), flush=True)
    base = os.environ.get("SAFEPLAN_BENCH_POSTGRES", "")
    if "postgresql" not in stores:
        pass
    elif base:
        with _postgres(base) as url:
            found = run_backend("postgresql", url, children, seconds)
            found["verdict"] = verdict(found)
            results["postgresql"] = found
            print(json.dumps({"postgresql": found["verdict"]}), flush=True)
    else:
        results["postgresql"] = {"skipped": "SAFEPLAN_BENCH_POSTGRES is not set"}
    RESULTS.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
