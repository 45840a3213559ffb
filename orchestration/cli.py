"""`partner-warehouse`: the command-line entry point (product.md "Public interface")."""

from __future__ import annotations

import argparse
import atexit
import os
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from orchestration import settings
from orchestration.calendar import EVALUATION_DAY, EVALUATION_MONTHS
from orchestration.progress import install_printer, say


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _last_complete_month() -> date:
    first_of_this_month = date.today().replace(day=1)
    return (first_of_this_month - timedelta(days=1)).replace(day=1)


def _check_evaluation_date(parser: argparse.ArgumentParser, value: date, flag: str) -> None:
    if value.month not in EVALUATION_MONTHS or value.day != EVALUATION_DAY:
        parser.error(f"{flag} {value} is not an evaluation date: tiers change on 15 January, April, July and October")


# ---------------------------------------------------------------------------------------------
# generate


def cmd_generate(args: argparse.Namespace) -> int:
    from orchestration.generate import generate_landing

    out = Path(args.out)
    started = time.monotonic()
    counts = generate_landing(
        out, scale=args.scale, seed=args.seed, last_month=args.last_month, fmt=args.format, progress=say
    )
    total = sum(counts.values())
    say(f"generated {total:,} rows in {len(counts)} feeds into {out} ({time.monotonic() - started:.1f}s)")
    for feed, n in counts.items():
        print(f"  {feed:32s} {n:>12,}")
    return 0


# ---------------------------------------------------------------------------------------------
# run


def _evaluation_range(parser: argparse.ArgumentParser, args: argparse.Namespace) -> tuple[date | None, date | None]:
    if args.evaluation_date:
        _check_evaluation_date(parser, args.evaluation_date, "--evaluation-date")
        if args.evaluation_date > args.run_date:
            parser.error(
                f"--evaluation-date {args.evaluation_date} is after the run date {args.run_date} (rules.md G3)"
            )
        return args.evaluation_date, args.evaluation_date
    if args.date_from or args.date_to:
        if not (args.date_from and args.date_to):
            parser.error("--from and --to go together")
        if args.date_from > args.date_to:
            parser.error(f"--from {args.date_from} is after --to {args.date_to}")
        return args.date_from, args.date_to
    return None, None


def cmd_run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from orchestration.pipeline import PipelineFailed, run_pipeline

    evaluation_from, evaluation_to = _evaluation_range(parser, args)
    if args.reason is not None and not args.republish:
        # A reason alone makes no version; silently ignoring it would let a user think it did (issue 13 item 7).
        parser.error("--reason is only for --republish (a new version of an already published date)")
    warehouse = Path(args.warehouse)
    try:
        result = run_pipeline(
            Path(args.landing),
            warehouse,
            args.run_date,
            evaluation_from=evaluation_from,
            evaluation_to=evaluation_to,
            publish_dir=Path(args.publish_dir) if args.publish_dir else None,
            dagster_home=Path(args.dagster_home) if args.dagster_home else None,
            force_reload=args.force_reload,
            allow_missing=args.allow_missing,
            republish=args.republish,
            reason=args.reason,
            wait=args.wait,
            engine=args.engine,
        )
    except PipelineFailed as exc:
        print(f"partner-warehouse run: FAILED\n{exc}", file=sys.stderr)
        return 1
    _print_summary(result.warehouse)
    return 0


def _print_summary(warehouse: Path) -> None:
    """What was evaluated: tiers and actions per evaluation date, read from the marts."""
    import duckdb

    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = {
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
            ).fetchall()
        }
        if "fct_technology_tier_evaluations" not in tables:
            say("no technology tier evaluations in the marts yet")
            return
        rows = con.execute(
            """SELECT evaluation_date, tier_after, count(*) FROM marts.fct_technology_tier_evaluations
               GROUP BY ALL ORDER BY 1, 2"""
        ).fetchall()
        if not rows:
            say("no evaluation date is covered by the data and the run date (rules.md A2, G3)")
            return
        by_date: dict[date, list[str]] = {}
        for d, tier, n in rows:
            by_date.setdefault(d, []).append(f"{tier} {n}")
        for d, parts in by_date.items():
            say(f"evaluated {d}: {', '.join(parts)}")
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# publications


def cmd_publications(args: argparse.Namespace) -> int:
    from orchestration.defs.publication.store import PublicationStore

    root = Path(args.publish_dir or settings.publish_dir()).resolve()
    store = PublicationStore(root)
    if args.gate:
        latest = root / "gate" / "latest.md"
        if not latest.exists():
            print(f"no gate report yet under {root / 'gate'}")
            return 1
        print(latest.read_text(encoding="utf-8"))
        return 0
    dates = store.evaluation_dates()
    print(f"publications in {root}")
    if not dates:
        print("  none yet")
    problems: list[str] = []
    pending: list[str] = []
    checked = 0
    for e in dates:
        current = store.current(e)
        for v in store.versions(e):
            m = v.manifest
            checks = m.get("checks") or {}
            gate = "gate passed" if not checks.get("blocked") else "gate BLOCKED"
            if checks.get("warnings"):
                gate += f", {checks['warnings']} warning(s)"
            mark = "current" if current and current.version == v.version else "       "
            kind = "final" if m.get("final") else "POC window open"
            print(
                f"  {e}  v{v.version}  {mark}  {kind:15s}  run {m.get('run_date')}  {gate}  "
                f"{m.get('row_counts', {}).get('tier_extract', '?')} partners  — {m.get('reason')}"
            )
        if args.verify:
            checked += _check_uncommitted(store, e, problems, pending)
    statements, statement_checked = _list_statements(root, args.verify, problems, pending)
    if args.verify:
        # issue 13 item 3: a mismatch is an exit code, not a line in a listing
        problems = store.verify_all() + statements.verify_all() + problems
        checked += statement_checked
        for line in pending:
            print(f"NOTICE: {line}")
        for line in problems:
            print(f"INTEGRITY: {line}")
        if problems:
            print(f"verify FAILED: {len(problems)} problem(s) in {root}", file=sys.stderr)
            return 1
        print(
            f"verify OK: {checked} version(s) of {len(dates)} date(s) and"
            f" {len(statements.evaluation_dates())} statement quarter(s), every file matches its manifest"
        )
    latest = root / "gate" / "latest.json"
    if latest.exists():
        import json

        summary = json.loads(latest.read_text())
        state = "BLOCKED" if summary.get("blocked") else "passed"
        print(f"last gate: {state} ({root / 'gate' / 'latest.md'}); show it with --gate")
    return 0


def _list_statements(root: Path, verify: bool, problems: list[str], pending: list[str]):
    """The solutions statements (issue 15 item 3), listed like the tier versions; with `verify`, their
    uncommitted folders are added to `problems`/`pending`. Returns the store and the versions checked."""
    from orchestration.defs.publication.statements import quarter_label, statement_store

    store = statement_store(root)
    quarters = store.evaluation_dates()
    print("solutions commission statements")
    if not quarters:
        print("  none yet")
    checked = 0
    for q in quarters:
        current = store.current(q)
        for v in store.versions(q):
            m = v.manifest
            checks = m.get("checks") or {}
            gate = "gate passed" if not checks.get("blocked") else "gate BLOCKED"
            mark = "current" if current and current.version == v.version else "       "
            totals = m.get("totals") or {}
            print(
                f"  {quarter_label(q)}  v{v.version}  {mark}  run {m.get('run_date')}  {gate}  "
                f"{totals.get('partners', '?')} partners, payout ${totals.get('payout_usd', '?')}  — {m.get('reason')}"
            )
        if verify:
            checked += _check_uncommitted(store, q, problems, pending)
    return store, checked


def _check_uncommitted(store, key: date, problems: list[str], pending: list[str]) -> int:
    """Version folders after the current one: incomplete ones are problems, complete ones pending
    adoption. Returns how many committed versions `verify_all` checks for the key."""
    for path, found in store.uncommitted(key):
        if found:
            problems.append(f"{path}: an incomplete version (a run died while publishing): {'; '.join(found)}")
        else:
            pending.append(f"{path}: complete and verified but not current; the next run adopts it")
    return len(store.committed(key))


# ---------------------------------------------------------------------------------------------
# demo and ui


def cmd_demo(args: argparse.Namespace) -> int:
    from orchestration.generate import generate_landing
    from orchestration.pipeline import PipelineFailed, run_pipeline

    data = Path(args.data_dir).resolve()
    landing = data / "landing"
    warehouse = data / "warehouse.duckdb"
    run_date = args.run_date or date.today()
    last_month = args.last_month or _last_complete_month()
    say(f"generating a demo landing zone at scale {args.scale} (seed {args.seed}) ending {last_month:%Y-%m}")
    generate_landing(landing, scale=args.scale, seed=args.seed, last_month=last_month, fmt="parquet", progress=say)
    try:
        run_pipeline(landing, warehouse, run_date)
    except PipelineFailed as exc:
        print(f"partner-warehouse demo: FAILED\n{exc}", file=sys.stderr)
        return 1
    _print_summary(warehouse)
    print(
        "\nDone. Outputs:\n"
        f"  landing zone      {landing}\n"
        f"  warehouse DuckDB  {warehouse}   (schemas raw, staging, intermediate, marts)\n"
        f"  publications      {settings.publish_dir(warehouse)}\n"
        "Next:\n"
        "  make ui        Dagster UI on http://127.0.0.1:3000 (asset graph, checks, runs)\n"
        "  make portal    partner-manager pages on http://127.0.0.1:8000\n"
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{warehouse}', read_only=True)"
        ".sql('from marts.fct_technology_tier_evaluations limit 5'))\"\n"
    )
    return 0


def cmd_ui(args: argparse.Namespace) -> int:
    """Start `dagster dev` on the configured warehouse and its Dagster instance (the one the CLI's runs
    are recorded in, issue 14 item 1), telemetry off, DuckDB writers in one pool (orchestration/dagster.yaml)."""
    from orchestration.instance import prepare_home

    settings.apply_offline_env()
    warehouse = Path(args.warehouse).resolve() if args.warehouse else None
    home = prepare_home(Path(args.dagster_home) if args.dagster_home else settings.dagster_home(warehouse))
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    for key, value in (
        (settings.ENV_LANDING, args.landing),
        (settings.ENV_DB, args.warehouse),
        (settings.ENV_PUBLISH_DIR, args.publish_dir),
    ):
        if value:
            env[key] = str(Path(value).resolve())
    from orchestration.defs.dbt.resources import ensure_manifest

    ensure_manifest()
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster), "dev", "-m", "orchestration.definitions", "-h", args.host, "-p", str(args.port)]
    say(f"starting the Dagster UI on http://{args.host}:{args.port} (DAGSTER_HOME={home})")
    return subprocess.call(cmd, env=env, cwd=settings.PROJECT_ROOT)


# ---------------------------------------------------------------------------------------------
# portal


def cmd_portal(args: argparse.Namespace) -> int:
    """The partner-manager web page: read-only, on localhost unless told otherwise."""
    from orchestration.portal.app import serve

    root = Path(args.publish_dir or settings.publish_dir()).resolve()
    if not root.is_dir():
        say(f"no publication directory at {root} yet: the portal starts empty (run `partner-warehouse run` first)")
    say(f"partner portal on http://{args.host}:{args.port} reading {root} (Ctrl-C to stop)")
    serve(root, host=args.host, port=args.port)
    return 0


# ---------------------------------------------------------------------------------------------
# what-if (issue 17 item 1)


def cmd_what_if(args: argparse.Namespace) -> int:
    from orchestration import whatif

    try:
        changes = [whatif.parse_change(text) for text in args.set]
        con = whatif.connect(Path(args.warehouse))
        try:
            print(whatif.report(con, args.partner, args.date, changes))
        finally:
            con.close()
    except whatif.WhatIfError as exc:
        print(f"partner-warehouse what-if: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_forecast_backtest(args: argparse.Namespace) -> int:
    """issue 17 item 2: score the forecasts whose target date was decided; optionally rewrite the doc."""
    import duckdb

    from orchestration import forecast, whatif

    try:
        con = whatif.connect(Path(args.warehouse))
    except whatif.WhatIfError as exc:
        print(f"partner-warehouse forecast-backtest: {exc}", file=sys.stderr)
        return 2
    try:
        section = forecast.report(con, source=args.source or Path(args.warehouse).name)
    except duckdb.CatalogException as exc:
        print(
            f"partner-warehouse forecast-backtest: {exc} (run `partner-warehouse run` to build the forecast mart)",
            file=sys.stderr,
        )
        return 2
    finally:
        con.close()
    print(section)
    if args.write:
        forecast.write_doc(Path(args.write), section)
        say(f"backtest section of {args.write} rewritten")
    return 0


# ---------------------------------------------------------------------------------------------
# docs


def cmd_docs(args: argparse.Namespace) -> int:
    """dbt docs of the read-only analytics snapshot (issue 16 item 3), never the working warehouse."""
    from orchestration.docs import docs

    root = Path(args.publish_dir or settings.publish_dir())
    return docs(root, serve=not args.no_serve, host=args.host, port=args.port)


# ---------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="partner-warehouse",
        description="Partner-program analytics warehouse: feeds -> DuckDB -> dbt marts -> tier publications.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="generate a synthetic landing zone (every feed of feeds.md)")
    g.add_argument("--scale", type=float, default=0.01, help="scale factor; 1 = HubSpot's order of magnitude")
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--out", required=True, help="landing directory to write (one folder per feed)")
    g.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    g.add_argument("--last-month", type=_date, default=None, help="last month covered (default: last complete month)")

    r = sub.add_parser("run", help="load the landing zone, build every model and check, evaluate and publish")
    r.add_argument("--landing", default=None, help=f"landing directory (env {settings.ENV_LANDING})")
    r.add_argument("--warehouse", default=None, help=f"warehouse DuckDB file (env {settings.ENV_DB})")
    r.add_argument(
        "--run-date", type=_date, default=None, help=f"run date, default today (env {settings.ENV_RUN_DATE})"
    )
    r.add_argument("--publish-dir", default=None, help="where publications go (default beside the warehouse)")
    r.add_argument(
        "--dagster-home",
        default=None,
        help=f"the Dagster instance the run is recorded in (env {settings.ENV_DAGSTER_HOME}; default"
        " <warehouse>.dagster beside the warehouse, which `partner-warehouse ui` shows)",
    )
    which = r.add_mutually_exclusive_group(required=True)
    which.add_argument("--evaluation-date", type=_date, help="one evaluation date (15 Jan/Apr/Jul/Oct)")
    which.add_argument("--from", dest="date_from", type=_date, help="first evaluation date of a range (with --to)")
    which.add_argument("--all", action="store_true", help="every evaluation date the data covers")
    r.add_argument("--to", dest="date_to", type=_date, help="last evaluation date of a range (with --from)")
    r.add_argument("--force-reload", action="store_true", help="reload feeds even if their files are unchanged")
    r.add_argument(
        "--allow-missing",
        action="append",
        default=[],
        metavar="FEED",
        help="an optional feed whose folder vanished since the last load may stay missing (repeatable)",
    )
    r.add_argument("--republish", action="store_true", help="make a new version of already published dates")
    r.add_argument("--reason", default=None, help="why a new version is made (required with --republish)")
    r.add_argument(
        "--wait",
        action="store_true",
        help="if another run holds the warehouse, wait for it to finish instead of failing at once",
    )

    r.add_argument(
        "--engine",
        choices=settings.ENGINES,
        default=None,
        help=f"where dbt builds the models: duckdb (default) or spark (docs/spark.md; env {settings.ENV_ENGINE})",
    )

    p = sub.add_parser(
        "publications",
        help="every evaluation date and statement quarter, its versions, which is current, the gate result",
    )
    p.add_argument("--publish-dir", default=None, help=f"publication directory (env {settings.ENV_PUBLISH_DIR})")
    p.add_argument("--gate", action="store_true", help="print the last gate report")
    p.add_argument("--verify", action="store_true", help="check every file against its manifest's sha256")

    d = sub.add_parser("demo", help="generate a demo landing zone and run the whole pipeline on it")
    d.add_argument("--scale", type=float, default=0.01)
    d.add_argument("--seed", type=int, default=42)
    d.add_argument("--data-dir", default=str(settings.PROJECT_ROOT / "data"))
    d.add_argument("--run-date", type=_date, default=None)
    d.add_argument("--last-month", type=_date, default=None)

    u = sub.add_parser("ui", help="start the Dagster UI (dagster dev) on the configured warehouse")
    u.add_argument("--landing", default=None)
    u.add_argument("--warehouse", default=None)
    u.add_argument("--publish-dir", default=None)
    u.add_argument("--dagster-home", default=None, help=f"env {settings.ENV_DAGSTER_HOME}; default <warehouse>.dagster")
    u.add_argument("--host", default="127.0.0.1")
    u.add_argument("--port", type=int, default=3000)

    w = sub.add_parser("portal", help="start the partner-manager web page (read-only, published files only)")
    w.add_argument("--publish-dir", default=None, help=f"publication directory (env {settings.ENV_PUBLISH_DIR})")
    w.add_argument("--host", default="127.0.0.1", help="address to bind (default localhost only)")
    w.add_argument("--port", type=int, default=8000)
    wi = sub.add_parser(
        "what-if",
        help="a technology partner's tier decision with changed inputs (read-only; no --set reproduces it)",
    )
    wi.add_argument("--warehouse", default=None, help=f"warehouse or analytics snapshot DuckDB (env {settings.ENV_DB})")
    wi.add_argument("--partner", required=True, help="technology partner id")
    wi.add_argument("--date", required=True, type=_date, help="evaluation date YYYY-MM-DD")
    wi.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE|NAME=+DELTA",
        help="change one input (repeatable): attached_mrr, influenced_mrr, install_90d_mrr, review_count, "
        "avg_rating, certified_app, live_listing, technical_contact, partnership_manager, executive_sponsor, "
        "data_sharing, good_standing, poc_form (yes/no for the last eight)",
    )
    fb = sub.add_parser(
        "forecast-backtest",
        help="score the tier forecast against the decisions actually computed (docs/forecast.md)",
    )
    fb.add_argument("--warehouse", default=None, help=f"warehouse or analytics snapshot DuckDB (env {settings.ENV_DB})")
    fb.add_argument("--source", default=None, help="how to name the data in the report (default: the file name)")
    fb.add_argument(
        "--write", default=None, metavar="DOC", help="rewrite the backtest section of DOC (docs/forecast.md)"
    )

    o = sub.add_parser("docs", help="generate and serve the dbt docs of the read-only analytics snapshot")
    o.add_argument("--publish-dir", default=None, help=f"publication directory (env {settings.ENV_PUBLISH_DIR})")
    o.add_argument("--host", default="127.0.0.1", help="address to bind (default localhost only)")
    o.add_argument("--port", type=int, default=8080)
    o.add_argument("--no-serve", action="store_true", help="only generate (open dbt_docs/static_index.html as a file)")
    return parser


def _exit_without_teardown(code: int) -> int:
    """End the program now, without the interpreter's teardown; returns only if that is not safe.

    After a run, Python's finalization frees the objects of every module a run loads (Dagster,
    dagster-dbt and dbt, Great Expectations, SQLAlchemy, pandas) one by one: 2.3-3 s on a 0.01 scale
    run, for nothing a finished run needs. The atexit handlers still run (logging, multiprocessing's
    semaphore cleanup, dbt's DuckDB connections; not gx_duckdb's, which only quiets the teardown
    skipped here), the output is flushed, then the process ends. With a non-daemon thread still
    running, the normal exit (which waits for it) is kept.
    """
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        return code
    gx_duckdb = sys.modules.get("orchestration.defs.quality.gx_duckdb")
    if gx_duckdb is not None:
        atexit.unregister(gx_duckdb._release_duckdb_engine_at_exit)
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    """The program (argv None: sys.argv) or, from tests, one command in-process (argv given)."""
    settings.apply_offline_env()
    parser = build_parser()
    args = parser.parse_args(argv)
    install_printer(lambda line: print(line, flush=True))
    # As the program, a run or demo ends without the interpreter's teardown; in-process, it returns.
    finish = _exit_without_teardown if argv is None else int
    if args.command == "generate":
        return cmd_generate(args)
    if args.command == "run":
        args.landing = args.landing or str(settings.landing_dir())
        args.warehouse = args.warehouse or str(settings.warehouse_path())
        args.run_date = args.run_date or settings.run_date()
        args.engine = args.engine or settings.engine()
        if args.date_to and not args.date_from:
            parser.error("--to goes with --from")
        if args.republish and not (args.reason and args.reason.strip()):
            parser.error("--republish needs --reason TEXT (product.md: a new version needs an explicit reason)")
        return finish(cmd_run(args, parser))
    if args.command == "publications":
        return cmd_publications(args)
    if args.command == "demo":
        return finish(cmd_demo(args))
    if args.command == "ui":
        return cmd_ui(args)
    if args.command == "portal":
        return cmd_portal(args)
    if args.command == "forecast-backtest":
        args.warehouse = args.warehouse or str(settings.warehouse_path())
        return cmd_forecast_backtest(args)
    if args.command == "what-if":
        args.warehouse = args.warehouse or str(settings.warehouse_path())
        return cmd_what_if(args)
    if args.command == "docs":
        return cmd_docs(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
