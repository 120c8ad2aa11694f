"""The `renkei` console script: demo, production serving, the worker, and registry commands."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence

# The access log masks portal links and tokens in the paths it logs (core/logmask.py).
GUNICORN_LOGGER = "renkei.core.logmask.MaskedGunicornLogger"

COMMANDS = {
    "demo": "install the demo data set (SQLite) and serve it on http://127.0.0.1:8000 with a worker",
    "serve": "run the production web server (gunicorn) with N worker processes",
    "worker": "run the background task worker (reminders, recomputations, imports)",
    "manage": "run a Django management command (migrate, createsuperuser, …)",
    "import": "import organisations, relationships and contacts from CSV or Excel",
    "export": "export organisations, relationships and contacts to CSV or Excel",
    "blast-radius": "what of ours is exposed if a party is breached, and whom to tell",
    "osv": "vulnerability database: `renkei osv import PATH...` (directories, all.zip, JSON/YAML files)",
    "nvd": "enrichment: `renkei nvd import PATH...` NVD CVE JSON 2.0 feeds (CVSS, CWE) downloaded beforehand",
    "jvn": "enrichment: `renkei jvn import PATH...` JVN iPedia / MyJVN XML (Japanese titles and summaries)",
    "kev": "`renkei kev import FILE`: load the CISA KEV catalogue (known_exploited_vulnerabilities.json or .csv)",
    "epss": "`renkei epss import FILE`: load FIRST EPSS scores (epss_scores-YYYY-MM-DD.csv or .csv.gz)",
    "sbom": "`renkei sbom scan FILE --osv PATH` offline check for pipelines; `renkei sbom search NAME`",
    "leak": "`renkei leak trace FILE [--json]`: whose copy of our data a leaked file is, or that it is not ours",
    "backup": "`renkei backup DEST [--no-compress]`: database, uploaded files and keys in one archive",
    "restore": "`renkei restore SRC [--force]`: restore a backup into an empty database and data directory",
}


def _django(argv: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "renkei.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["renkei", *argv])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="renkei",
        description="Renkei (連携): supply-chain security management.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help=COMMANDS["demo"])
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--no-serve", action="store_true", help="load the demo data and print the logins only")
    serve = sub.add_parser("serve", help=COMMANDS["serve"])
    serve.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2 + 1))
    serve.add_argument("--bind", default=os.environ.get("RENKEI_BIND", "127.0.0.1:8000"))
    sub.add_parser("worker", help=COMMANDS["worker"])
    manage = sub.add_parser("manage", help=COMMANDS["manage"], add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    imp = sub.add_parser("import", help=COMMANDS["import"], add_help=False)
    imp.add_argument("args", nargs=argparse.REMAINDER)
    exp = sub.add_parser("export", help=COMMANDS["export"], add_help=False)
    exp.add_argument("args", nargs=argparse.REMAINDER)
    blast = sub.add_parser("blast-radius", help=COMMANDS["blast-radius"], add_help=False)
    blast.add_argument("args", nargs=argparse.REMAINDER)
    for name in ("osv", "nvd", "jvn", "kev", "epss", "sbom", "leak", "backup", "restore"):
        sub.add_parser(name, help=COMMANDS[name], add_help=False).add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv:
        parser.print_help()
        return 0
    args = parser.parse_args(argv)
    if args.command == "manage":
        return _django(args.args or ["help"])
    if args.command == "import":
        return _django(["import_registry", *args.args])
    if args.command == "export":
        return _django(["export_registry", *args.args])
    if args.command == "blast-radius":
        return _django(["blast_radius", *args.args])
    if args.command == "osv":
        if not args.args or args.args[0] != "import":
            print("usage: renkei osv import PATH [PATH ...]", file=sys.stderr)
            return 2
        return _django(["osv_import", *args.args[1:]])
    if args.command in ("nvd", "jvn"):
        if not args.args or args.args[0] != "import":
            print(f"usage: renkei {args.command} import PATH [PATH ...]", file=sys.stderr)
            return 2
        return _django(["nvd_jvn_import", args.command, *args.args[1:]])
    if args.command in ("kev", "epss"):
        if len(args.args) != 2 or args.args[0] != "import":
            print(f"usage: renkei {args.command} import FILE", file=sys.stderr)
            return 2
        return _django(["enrichment_import", args.command, args.args[1]])
    if args.command == "sbom":
        if args.args and args.args[0] == "scan":
            # The pipeline check needs no server and no database: it never loads Django.
            from renkei.software.sbom.scan import main as scan_main

            return scan_main(args.args[1:])
        if args.args and args.args[0] == "search":
            return _django(["sbom_search", *args.args[1:]])
        print("usage: renkei sbom scan FILE --osv PATH | renkei sbom search NAME", file=sys.stderr)
        return 2
    if args.command == "leak":
        if not args.args or args.args[0] != "trace":
            print("usage: renkei leak trace FILE [--json]", file=sys.stderr)
            return 2
        return _django(["leak_trace", *args.args[1:]])
    if args.command in ("backup", "restore"):
        if not args.args:
            print(f"usage: renkei {args.command} {'DEST' if args.command == 'backup' else 'SRC'}", file=sys.stderr)
            return 2
        return _django([args.command, *args.args])
    if args.command == "worker":
        return _django(["run_worker"])
    if args.command == "serve":
        # Migrations are a separate deployment step (`renkei manage migrate`): several web hosts
        # starting at once must not race to migrate the same database.
        _django(["collectstatic", "--noinput", "-v", "0"])
        cmd = [
            sys.executable, "-m", "gunicorn", "renkei.wsgi:application",
            "--workers", str(args.workers), "--bind", args.bind, "--access-logfile", "-",
            "--logger-class", GUNICORN_LOGGER,
        ]
        return subprocess.call(cmd)
    if args.command == "demo":
        return run_demo(port=args.port, serve=not args.no_serve)
    parser.print_help()
    return 2


def run_demo(*, port: int, serve: bool) -> int:
    """Migrate, load the demo data when the database is empty, print the logins, serve with a worker."""
    # Portal links in the demo's e-mails and printed links point to the port the demo serves on.
    os.environ.setdefault("RENKEI_BASE_URL", f"http://127.0.0.1:{port}")
    _django(["migrate", "--noinput", "-v", "0"])
    _django(["load_demo", "--url", f"http://127.0.0.1:{port}/"])
    if not serve:
        return 0
    worker = subprocess.Popen([sys.executable, "-m", "renkei.cli", "worker"])
    try:
        print(f"\n  Renkei: http://127.0.0.1:{port}/   (Ctrl+C to stop)\n", flush=True)
        cmd = [
            sys.executable, "-m", "gunicorn", "renkei.wsgi:application",
            "--workers", "2", "--bind", f"127.0.0.1:{port}", "--logger-class", GUNICORN_LOGGER,
        ]
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 0
    finally:
        worker.terminate()


if __name__ == "__main__":
    sys.exit(main())
