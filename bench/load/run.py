"""A load test on loopback: the demo data set served by gunicorn, several logged-in clients at once.

Run from the project root::

    .venv/bin/python -m bench.load.run                      # 60 s, 4 clients, 2 gunicorn workers
    .venv/bin/python -m bench.load.run --seconds 20 --clients 8 --workers 4

Steps: a fresh data directory (SQLite) with the demo loaded (`renkei demo --no-serve`), gunicorn
on a free loopback port, then each client logs in as a demo user (through the login form, with its
CSRF token) and requests the main pages and API lists round-robin until the time is up. An error is
a status other than 200 or a failed connection. Prints one line per page (requests, errors, p50 and
p95 latency in ms), the totals, and as the last line one JSON object. Standard library only.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

USERS = {
    "demo-admin": "demo-admin-2026",
    "demo-analyst": "demo-analyst-2026",
    "demo-viewer": "demo-viewer-2026",
    "demo-card-analyst": "demo-card-2026",
}
# (label, path); "{party}" is the first party the user may see.
PAGES = [
    ("dashboard", "/"),
    ("parties list", "/registry/organisations/"),
    ("party page", "/registry/organisations/{party}/"),
    ("relationships", "/registry/relationships/"),
    ("assessments", "/assessments/assignments/"),
    ("campaigns", "/assessments/campaigns/"),
    ("software findings", "/software/findings/"),
    ("incidents", "/incidents/"),
    ("chain map data", "/chain/map/data/"),
    ("API organisations", "/api/v1/registry/organisations?limit=50"),
    ("API relationships", "/api/v1/registry/relationships?limit=50"),
    ("API assignments", "/api/v1/assessments/assignments?limit=50"),
    ("API findings", "/api/v1/software/findings?limit=50"),
    ("API incidents", "/api/v1/incidents?limit=50"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz in time")


class Client:
    """One browser: a cookie jar, logged in through the form."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(f"{base}/accounts/login/", timeout=30).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise SystemExit("no CSRF token on the login page")
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"})
        final = self.opener.open(request, timeout=30)
        if "/accounts/login/" in final.geturl():
            raise SystemExit(f"{username} could not log in")
        items = json.loads(self.get_body("/api/v1/registry/organisations?limit=1"))["items"]
        self.party = items[0]["id"] if items else 0

    def get_body(self, path: str) -> bytes:
        return self.opener.open(self.base + path, timeout=60).read()  # type: ignore[no-any-return]

    def timed(self, path: str) -> tuple[bool, float]:
        start = time.perf_counter()
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                response.read()
                ok = response.status == 200
        except (urllib.error.URLError, OSError):
            ok = False
        return ok, (time.perf_counter() - start) * 1000


def run_clients(base: str, clients: int, seconds: float) -> tuple[dict[str, list[tuple[bool, float]]], float]:
    names = list(USERS)
    logged_in = [Client(base, names[i % len(names)], USERS[names[i % len(names)]]) for i in range(clients)]
    results: dict[str, list[tuple[bool, float]]] = defaultdict(list)
    lock = threading.Lock()
    started = time.monotonic()
    stop_at = started + seconds

    def work(index: int, client: Client) -> None:
        i = index  # start each client at a different page
        mine: list[tuple[str, bool, float]] = []
        while time.monotonic() < stop_at:
            label, path = PAGES[i % len(PAGES)]
            ok, ms = client.timed(path.format(party=client.party))
            mine.append((label, ok, ms))
            i += 1
        with lock:
            for label, ok, ms in mine:
                results[label].append((ok, ms))

    threads = [threading.Thread(target=work, args=(n, c)) for n, c in enumerate(logged_in)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="renkei-load-"))
    env = {**os.environ, "RENKEI_DATA_DIR": str(data_dir), "RENKEI_SECRET_KEY": "load-test", "DATABASE_URL": ""}
    env.pop("DATABASE_URL")
    subprocess.run([sys.executable, "-m", "renkei.cli", "demo", "--no-serve"], env=env, check=True, capture_output=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "renkei.wsgi:application", "--workers", str(args.workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env=env,
    )
    try:
        wait_until_up(base, time.monotonic() + 60)
        results, elapsed = run_clients(base, args.clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)

    summary = {"seconds": round(elapsed, 1), "clients": args.clients, "workers": args.workers, "pages": {}}
    print(f"{'page':<22}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}")
    for label, _path in PAGES:
        rows = results.get(label, [])
        times = [ms for _ok, ms in rows]
        errors = sum(1 for ok, _ms in rows if not ok)
        p50 = statistics.median(times) if times else 0.0
        p95 = percentile(times, 0.95) if times else 0.0
        summary["pages"][label] = {"requests": len(rows), "errors": errors, "p50_ms": round(p50), "p95_ms": round(p95)}
        print(f"{label:<22}{len(rows):>9}{errors:>8}{p50:>9.0f}{p95:>9.0f}")
    all_times = [ms for rows in results.values() for _ok, ms in rows]
    total_errors = sum(1 for rows in results.values() for ok, _ms in rows if not ok)
    summary.update(
        requests=len(all_times),
        errors=total_errors,
        requests_per_second=round(len(all_times) / elapsed, 1),
        p50_ms=round(statistics.median(all_times)) if all_times else 0,
        p95_ms=round(percentile(all_times, 0.95)) if all_times else 0,
    )
    print(f"{'all':<22}{len(all_times):>9}{total_errors:>8}{summary['p50_ms']:>9}{summary['p95_ms']:>9}"
          f"   ({summary['requests_per_second']} requests/s)")
    print(json.dumps(summary, ensure_ascii=False))
    return 1 if total_errors else 0


if __name__ == "__main__":
    sys.exit(main())
