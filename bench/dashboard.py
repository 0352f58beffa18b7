"""The partners' signed-in pages under load: the acceptance point "the dashboard renders for a
100,000-child store; record the median and 95th-percentile time under 20 concurrent clients".

The real web app runs under gunicorn in a subprocess over a synthetic store (built once, then
kept in bench/.cache/ under a key of its size, seed and the code that writes it). Each client
signs in like a browser (the sign-in form, its CSRF token, the session cookie) and keeps its
own keep-alive connection. Each page in PAGES gets one warm-up request (its uncached
computation), then CLIENTS threads make REQUESTS requests each, all at once. A page whose URL
does not exist yet (no such URL name, or a 404) is skipped with a note.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import safeplan


@dataclass(frozen=True)
class Page:
    """A page to measure: its URL name and arguments, a query string, and text that only that
    page holds (as rendered, HTML-escaped), so that a sign-in page or an error page with
    status 200 is not mistaken for it."""

    name: str
    url_name: str
    kwargs: Mapping[str, str] = field(default_factory=dict)
    query: str = ""
    text: str = ""


PLAN, MEASURE, PERIOD = "durham-lscb-2017-2020", "missing_more_than_once", "2025-Q1"
PAGES = (
    Page("dashboard", "partner:dashboard", text=">Dashboard</h1>"),
    Page(
        "scorecard",
        "partner:scorecard",
        {"plan_id": PLAN},
        f"period={PERIOD}",
        "LSCB Priorities Plan on a Page 2017-2020",
    ),
    Page(
        "measure",
        "partner:measure",
        {"plan_id": PLAN, "measure_id": MEASURE},
        f"period={PERIOD}",
        "Children who go missing more than once",
    ),
)
REQUIRED = "dashboard"  # the benchmark fails if this page cannot be measured

YEARS, SEED = 5, 2026
LA_CODE = "E06000047"  # County Durham, the plan's council
CACHE = Path(__file__).with_name(".cache")
STORE_CODE = ("synth", "ingest", "store")  # the packages whose code decides the store's content
USERNAME = "bench-analyst"
TIMEOUT = 300.0  # seconds a client waits for one response
SERVER_TIMEOUT = 120  # gunicorn's --timeout: a page's first computation may be slow


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def bench_dashboard() -> dict[str, object]:
    children = _env_int("SAFEPLAN_BENCH_CHILDREN", 100_000)
    clients = _env_int("SAFEPLAN_BENCH_CLIENTS", 20)
    requests = _env_int("SAFEPLAN_BENCH_REQUESTS", 10)
    workers = _env_int("SAFEPLAN_BENCH_WORKERS", 2)
    threads = _env_int("SAFEPLAN_BENCH_THREADS", 4)
    figures: dict[str, object] = {
        "cores": os.cpu_count() or 1,
        "children": children,
        "years": YEARS,
        "seed": SEED,
    }
    store, built = cached_store(children, YEARS, SEED)
    figures["store"] = {"path": str(store), "mb": round(store.stat().st_size / 2**20, 1), **built}
    figures["load_average_at_start"] = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory(prefix="safeplan-dashboard-") as home:
        server = Server(Path(home), store, workers, threads)
        try:
            server.start()
            figures["server"] = server.config()
            figures["clients"] = clients
            figures["requests_per_client"] = requests
            start = time.perf_counter()
            sessions = [server.signed_in_client() for _ in range(clients)]
            figures["sign_in_seconds_per_client"] = round(
                (time.perf_counter() - start) / clients, 3
            )
            pages: dict[str, object] = {}
            for page in PAGES:
                pages[page.name] = measure_page(server, page, sessions, requests)
            figures["pages"] = pages
            figures["server_peak_rss_mb"] = server.peak_rss_mb()
            for client in sessions:
                client.close()
        finally:
            figures["server_log"] = server.stop()
    figures["load_average_at_end"] = round(os.getloadavg()[0], 2)
    required = figures["pages"]
    assert isinstance(required, dict)
    assert "median_ms" in required[REQUIRED], required[REQUIRED]
    return figures


# -- the store -------------------------------------------------------------------------------


def _code_hash() -> str:
    root = Path(safeplan.__file__).parent
    digest = hashlib.sha256()
    for package in STORE_CODE:
        for path in sorted((root / package).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cached_store(children: int, years: int, seed: int) -> tuple[Path, dict[str, object]]:
    """The synthetic store, from the cache if one was built from the same code, size and seed
    (SAFEPLAN_BENCH_REBUILD=1 builds it again); one store of each size is kept."""
    key = hashlib.sha256(f"{children}/{years}/{seed}/{_code_hash()}".encode()).hexdigest()[:16]
    path = CACHE / f"store-{children}-{years}y-{key}.duckdb"
    if path.is_file() and os.environ.get("SAFEPLAN_BENCH_REBUILD", "") in ("", "0"):
        return path, {"cached": True, "key": key}
    from safeplan.store.db import connect
    from safeplan.store.load import load_files
    from safeplan.synth import generate

    CACHE.mkdir(exist_ok=True)
    for old in CACHE.glob(f"store-{children}-{years}y-*"):
        old.unlink()
    building = path.with_suffix(".building")
    figures: dict[str, object] = {"cached": False, "key": key}
    with tempfile.TemporaryDirectory(prefix="safeplan-bench-") as tmp:
        out = Path(tmp) / "data"
        start = time.perf_counter()
        generate(out, children, years, seed=seed)
        figures["synth_seconds"] = round(time.perf_counter() - start, 2)
        groups: dict[str, list[Path]] = {}
        for file in sorted(p for p in out.rglob("*") if p.suffix in (".xml", ".csv", ".xlsx")):
            if file.parent.name != "reference":  # the synthetic world's lists: not returns
                groups.setdefault(file.relative_to(out).parts[0], []).append(file)
        start = time.perf_counter()
        with connect(str(building)) as store:
            for _source, paths in sorted(groups.items()):
                refused = load_files(store, paths, None, b"bench-key", lambda _p, _o: None)
                assert refused == 0, f"{refused} synthetic files refused"
        figures["load_seconds"] = round(time.perf_counter() - start, 2)
    building.replace(path)
    return path, figures


# -- the server ------------------------------------------------------------------------------

# Run once in the server's environment before it starts: the web app's database, a signed-in
# analyst, and the measured pages' paths (None for a URL name that does not exist yet).
SETUP = """
import json, os, sys
from safeplan.web.server import migrate, setup
setup()
migrate()
from django.urls import NoReverseMatch, reverse
from safeplan.web.accounts.models import Agency, AgencyKind, Role, User
agency = Agency.objects.get_or_create(
    name="Bench County Council", defaults={"kind": AgencyKind.council}
)[0]
user = User(username=os.environ["BENCH_USERNAME"], role=Role.analyst, agency=agency)
user.set_password(os.environ["BENCH_PASSWORD"])
user.save()
paths = {}
for name, url_name, kwargs in json.loads(sys.argv[1]):
    try:
        paths[name] = reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        paths[name] = None
urls = {"sign_in": reverse("accounts:sign-in"), "sign_out": reverse("accounts:sign-out")}
print(json.dumps({"paths": paths, **urls}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The web app under gunicorn, with its own SAFEPLAN_HOME (database, secret key, log)."""

    def __init__(self, home: Path, store: Path, workers: int, threads: int) -> None:
        self.home, self.store, self.workers, self.threads = home, store, workers, threads
        self.port = _free_port()
        self.password = secrets.token_urlsafe(15)
        self.log = home / "server.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.paths: dict[str, str | None] = {}
        self.sign_in_path = self.sign_out_path = ""
        self.args = [
            "safeplan.web.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            "--worker-class=gthread",
            f"--workers={workers}",
            f"--threads={threads}",
            f"--timeout={SERVER_TIMEOUT}",
            "--log-level=warning",
        ]
        # Nothing from the caller's SAFEPLAN_* settings (a database URL, DEBUG) leaks in.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPLAN_")}
        self.env.update(
            SAFEPLAN_HOME=str(home),
            SAFEPLAN_STORE=str(store),
            SAFEPLAN_SECRET_KEY=secrets.token_urlsafe(50),
            SAFEPLAN_LA_CODE=LA_CODE,
            DJANGO_SETTINGS_MODULE="safeplan.web.settings",
        )

    def config(self) -> dict[str, object]:
        return {
            "command": " ".join(["gunicorn", *self.args]),
            "worker_class": "gthread",
            "workers": self.workers,
            "threads": self.threads,
            "database": "SQLite in a temporary SAFEPLAN_HOME",
        }

    def start(self) -> None:
        pages = [(p.name, p.url_name, dict(p.kwargs)) for p in PAGES]
        setup = subprocess.run(  # noqa: S603 - this interpreter, our own arguments
            [sys.executable, "-c", SETUP, json.dumps(pages)],
            env={**self.env, "BENCH_USERNAME": USERNAME, "BENCH_PASSWORD": self.password},
            capture_output=True,
            text=True,
            check=False,
        )
        if setup.returncode != 0:
            raise RuntimeError(f"web app setup failed:\n{setup.stderr[-3000:]}")
        found = json.loads(setup.stdout.strip().splitlines()[-1])
        self.paths, self.sign_in_path = found["paths"], found["sign_in"]
        self.sign_out_path = found["sign_out"]
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
                [sys.executable, "-m", "gunicorn", *self.args],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                status, _, _ = Client(self.port).request("GET", self.sign_in_path)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in 60 s:\n{self.log_tail()}")
            time.sleep(0.25)

    def signed_in_client(self) -> Client:
        """A client signed in through the form, as a browser does."""
        client = Client(self.port)
        status, _, body = client.request("GET", self.sign_in_path)
        assert status == 200, f"GET {self.sign_in_path}: {status}"
        form = body.decode("utf-8", "replace")
        tag = re.search(r'<input[^>]*name="csrfmiddlewaretoken"[^>]*>', form)
        value = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
        assert value is not None, "no CSRF token in the sign-in form"
        assert any(n.endswith("csrftoken") for n in client.cookies), "no CSRF cookie"
        fields = {
            "csrfmiddlewaretoken": value.group(1),
            "username": USERNAME,
            "password": self.password,
        }
        status, _, _ = client.request(
            "POST",
            self.sign_in_path,
            urlencode(fields).encode(),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://127.0.0.1:{self.port}",
            },
        )
        assert status == 302, f"sign-in answered {status}, not a redirect"
        assert any(n.endswith("sessionid") for n in client.cookies), "no session cookie"
        return client

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def peak_rss_mb(self) -> dict[str, object]:
        """Each gunicorn process's peak resident memory (VmHWM), where /proc has it."""

        def hwm(pid: int) -> float | None:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return None
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            return round(int(found.group(1)) / 1024, 1) if found else None

        assert self.proc is not None
        return {"master": hwm(self.proc.pid), "workers": [hwm(p) for p in self.worker_pids()]}

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> dict[str, object]:
        """Stop gunicorn gracefully (SIGTERM; SIGKILL after 30 s); what its log says."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return {
            "exit_code": None if self.proc is None else self.proc.returncode,
            "tracebacks": text.count("Traceback"),
            "worker_timeouts": text.count("WORKER TIMEOUT"),
            "tail": self.log_tail(10).splitlines() if "Traceback" in text else [],
        }


# -- the clients -----------------------------------------------------------------------------


class Client:
    """One browser: a keep-alive connection and its cookies. The server's cookies are Secure
    (`__Host-`); a browser sends them to http://127.0.0.1 as a secure context, and so does
    this (http.cookiejar would not)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.con: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, Message, bytes]:
        sent = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        while True:
            reused = self.con is not None
            if self.con is None:
                self.con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
            try:
                self.con.request(method, path, body, sent)
                response = self.con.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if not reused:
                    raise
                self.reconnects += 1  # the server closed an idle keep-alive connection
                continue
            break
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return response.status, response.headers, data


def _problem(server: Server, page: Page, status: int, headers: Message, body: bytes) -> str:
    """Why this response is not the page ("" when it is)."""
    if status != 200:
        where = headers.get("Location")
        return f"status {status}" + (f" to {where.split('?')[0]}" if where else "")
    html = body.decode("utf-8", "replace")
    if f'href="{server.sign_out_path}"' not in html:
        return "200 but not signed in"
    if page.text not in html:
        return "200 without the page's text"
    return ""


def measure_page(
    server: Server, page: Page, clients: list[Client], requests: int
) -> dict[str, object]:
    path = server.paths.get(page.name)
    if path is None:
        return {"skipped": f"no URL named {page.url_name} yet"}
    url = f"{path}?{page.query}" if page.query else path
    figures: dict[str, object] = {"url": url}
    start = time.perf_counter()
    status, headers, body = clients[0].request("GET", url)
    figures["first_request_seconds"] = round(time.perf_counter() - start, 3)
    if status == 404:
        return {**figures, "skipped": "404: the page does not exist yet"}
    problem = _problem(server, page, status, headers, body)
    if problem:
        return {**figures, "failed": f"warm-up request: {problem}"}
    figures["page_kb"] = round(len(body) / 1024, 1)

    times: list[float] = []
    errors: Counter[str] = Counter()
    spans: list[tuple[float, float]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients))

    def run(client: Client) -> None:
        barrier.wait()
        began = time.perf_counter()
        for _ in range(requests):
            t = time.perf_counter()
            try:
                status, headers, body = client.request("GET", url)
            except OSError as e:
                with lock:
                    errors[type(e).__name__] += 1
                continue
            elapsed = time.perf_counter() - t
            problem = _problem(server, page, status, headers, body)
            with lock:
                if problem:
                    errors[problem] += 1
                else:
                    times.append(elapsed)
        with lock:
            spans.append((began, time.perf_counter()))

    reconnects = sum(c.reconnects for c in clients)
    pool = [threading.Thread(target=run, args=(c,)) for c in clients]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    wall = max(end for _, end in spans) - min(began for began, _ in spans)
    total = len(times) + sum(errors.values())
    figures["requests"] = total
    figures["errors"] = sum(errors.values())
    if errors:
        figures["error_kinds"] = dict(errors)
    if times:
        ms = sorted(1000 * t for t in times)
        figures["median_ms"] = round(statistics.median(ms), 1)
        p95 = statistics.quantiles(ms, n=20, method="inclusive")[18] if len(ms) > 1 else ms[0]
        figures["p95_ms"] = round(p95, 1)
        figures["max_ms"] = round(ms[-1], 1)
        figures["min_ms"] = round(ms[0], 1)
    figures["wall_seconds"] = round(wall, 2)
    figures["requests_per_second"] = round(total / wall, 1)
    figures["reconnects"] = sum(c.reconnects for c in clients) - reconnects
    return figures
