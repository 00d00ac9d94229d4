"""The command line: ``assistant ingest|ask|search|eval|serve|users|audit`` (JSON output where a machine reads it)."""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .documents import printable, text_problem
from .settings import Settings, get_settings

if TYPE_CHECKING:
    from .api import Assistant
    from .audit import AuditLog
    from .web.users import User


def _settings(args: argparse.Namespace) -> Settings:
    return get_settings().with_index(getattr(args, "index", None))


def _assistant(args: argparse.Namespace, load: bool = True) -> Assistant:
    """The assistant for ``--index``; ``load``: the encoder now, so a question's latency is the question's own."""
    from .api import Assistant

    assistant = Assistant(settings=_settings(args))
    return assistant.load() if load else assistant


MAX_K = 100  # passages a search may return
MAX_LIMIT = 100_000  # audit entries listed at once (``--csv`` exports the whole log)


def _count(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (argparse names the option)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range: give a number from {low} to {high}")
        return value

    return parse


def _refused_text(args: argparse.Namespace, action: str, fields: dict[str, str | None]) -> int | None:
    """Exit code 2 (the refusal printed and audited) when a text field cannot be used; else None."""
    for what, text in fields.items():
        problem = text_problem(text, controls=False) if text is not None else None
        if problem:
            print(f"error: the {what} cannot be used: {problem}", file=sys.stderr)
            _audit_refusal(args, action, printable(text)[:200], f"{what}: {problem}")
            return 2
    return None


def _audit_refusal(args: argparse.Namespace, action: str, query: str, reason: str) -> None:
    _audit(
        _settings(args),
        args.clearance,
        lambda log, user: log.record_for(user, f"{action} refused", query, detail={"reason": reason}),
    )


def _audit(settings: Settings, clearance: str, write: Callable[[AuditLog, User], None]) -> None:
    """Record a command-line question or search (or its refusal) in the audit log, as the operating-system user."""
    import getpass

    from .audit import AuditLog
    from .web.users import User

    log = AuditLog.open(settings)
    try:
        write(log, User(getpass.getuser(), "cli", clearance))
    finally:
        log.close()


def cmd_ingest(args: argparse.Namespace) -> int:
    with _assistant(args, load=False) as assistant:  # an unchanged corpus needs no model
        summary = assistant.ingest(
            [Path(p) for p in args.paths], prune=args.prune, progress=not args.no_progress and not args.json
        )
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2))
    else:
        print(summary.render())  # with each report's flags (FLAG lines)
    # Any file not indexed cleanly (failed, or decoded with a fallback) makes the run exit 1.
    return 1 if summary.failed or summary.warnings else 0


def _using(args: argparse.Namespace, shared: Assistant | None) -> contextlib.AbstractContextManager[Assistant]:
    """The server's assistant when the command runs in ``assistant serve``, else one of our own."""
    return contextlib.nullcontext(shared) if shared is not None else _assistant(args)


def cmd_search(args: argparse.Namespace, shared: Assistant | None = None, out: TextIO | None = None) -> int:
    from .answering.language import WELSH_NOTICE, welsh
    from .audit import run_settings
    from .documents import Filters

    out = out or sys.stdout
    refused = _refused_text(args, "search", {"search": args.query, "--report text": args.report})
    if refused is not None:
        return refused
    with _using(args, shared) as assistant:
        started = time.perf_counter()
        passages = assistant.search(
            args.query,
            k=args.k,
            filters=Filters(report=args.report, clearance=args.clearance),
            relevant_only=not args.all,
        )
        latency = (time.perf_counter() - started) * 1000
        _audit(
            assistant.settings,
            args.clearance,
            lambda log, user: log.record_for(
                user,
                "search",
                args.query,
                passages=passages,
                settings=run_settings(assistant.settings),
                detail={"k": args.k, "report": args.report, "all": args.all},
            ),
        )
    rows = [p.citation() for p in passages]
    if args.json:
        print(
            json.dumps(
                {
                    "query": args.query,
                    "results": rows,
                    "relevance_floor": not args.all,
                    "latency_ms": round(latency, 1),
                },
                indent=2,
            ),
            file=out,
        )
    elif args.csv:
        from .audit import csv_safe

        fields = ["rank", "document", "source", "page", "paragraph", "heading", "kind", "text", "score", "chunk_id"]
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for rank, row in enumerate(rows, 1):
            # every cell: a passage or heading starting "=" would run as a formula in a spreadsheet
            writer.writerow({key: csv_safe(value) for key, value in {"rank": rank, **row}.items()})
    else:
        for rank, p in enumerate(passages, 1):
            where = p.location()
            print(f"[{rank}] {p.document} ({p.source}{', ' + where if where else ''}) — {p.heading or ''}", file=out)
            print(f"    {p.text[:500]}", file=out)
        if not passages:
            print(
                "No passages found." if args.all else "No relevant passages (--all lists the best-ranked anyway).",
                file=out,
            )
        if welsh(args.query):
            print(WELSH_NOTICE, file=out)
    return 0


def cmd_ask(args: argparse.Namespace, shared: Assistant | None = None, out: TextIO | None = None) -> int:
    from .documents import Filters

    out = out or sys.stdout
    refused = _refused_text(args, "ask", {"question": args.question})
    if refused is not None:
        return refused
    with _using(args, shared) as assistant:
        result = assistant.ask(args.question, Filters(clearance=args.clearance))
        _audit(
            assistant.settings,
            args.clearance,
            lambda log, user: log.record_answer(user, args.question, result, assistant.settings),
        )
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False), file=out)
        return 0
    print(result.answer, file=out)
    if result.note:
        print(f"\nNote: {result.note}", file=out)
    heading = "Related passages (not sources of an answer)" if result.abstained else "Sources"
    if result.shown:
        print(f"\n{heading}:", file=out)
    for n, p in enumerate(result.shown, 1):
        where = ", ".join(x for x in (p.document, p.location()) if x)
        print(f'[{n}] {where} ({p.source})\n    "{" ".join(p.text.split())[:600]}"', file=out)
    # The answerer's name is for machines (--json, the audit log); a person is told only that a model wrote it.
    by = ", written by the language model and checked against its sources" if result.answerer == "llm" else ""
    print(f"\n({result.latency_ms:.0f} ms{by})", file=out)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate

    summary = evaluate(
        args.index,
        [Path(q) for q in args.questions] if args.questions else None,
        Path(args.out),
        clearance=args.clearance,
    )
    print(json.dumps({k: v for k, v in summary.items() if k != "by_type"}, indent=2))
    print(f"report: {Path(args.out) / 'report.md'}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .web.server import SetupError, serve

    updates = {
        k: v for k, v in {"host": args.host, "port": args.port, "users_file": args.users}.items() if v is not None
    }
    settings = _settings(args).model_copy(update=updates)
    try:
        serve(settings, demo=args.demo, run_command=run_in_server)
    except SetupError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    import getpass

    from .audit import CONVERSATION_DELETED, AuditLog
    from .web.conversations import FILE_NAME as CONVERSATIONS_FILE
    from .web.conversations import ConversationStore
    from .web.users import UserError, UserStore

    store = UserStore(Path(args.users) if args.users else get_settings().users_file)
    try:
        if args.action == "add":
            if args.password_stdin:
                password = sys.stdin.readline().rstrip("\n")
            else:
                password = getpass.getpass(f"Password for {args.name}: ")
                if getpass.getpass("Again: ") != password:
                    print("The passwords differ; nothing changed.", file=sys.stderr)
                    return 1
            user = store.add(args.name, args.role, password, replace=args.replace, clearance=args.clearance)
            print(f"{user.name} ({user.role}, {user.clearance} clearance) saved in {store.path}")
        elif args.action == "remove":
            store.remove(args.name)
            print(f"{args.name} removed from {store.path}")
            # their kept conversations go too (audited): a later account of the same name must not inherit them
            settings = _settings(args)
            kept = settings.index_dir / CONVERSATIONS_FILE
            if kept.exists():
                conversations = ConversationStore(kept)
                try:
                    deleted = conversations.delete_owner(args.name)
                finally:
                    conversations.close()
                audit = AuditLog.open(settings)
                try:
                    audit.record(
                        getpass.getuser(),
                        "cli",
                        CONVERSATION_DELETED,
                        f"all of {args.name}'s conversations (user removed)",
                        detail={"owner": args.name, "conversations": deleted},
                    )
                finally:
                    audit.close()
                print(f"{deleted} of their conversations deleted")
        else:
            rows = [{"name": u.name, "role": u.role, "clearance": u.clearance} for u in store.users()]
            print(
                json.dumps(rows, indent=2)
                if args.json
                else "\n".join("\t".join(r.values()) for r in rows) or "No users."
            )
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _clearance(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--clearance",
        choices=("public", "restricted"),
        default="restricted",
        help="act as a user of this clearance: public sees public reports only (default restricted: all)",
    )


def _no_server(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--no-server",
        action="store_true",
        help="answer in this process even when `assistant serve` runs over the index "
        "(by default that server answers, in milliseconds instead of seconds)",
    )


def cmd_audit(args: argparse.Namespace) -> int:
    from .audit import AuditError, AuditLog

    settings = get_settings()
    path = Path(args.db) if args.db else settings.audit_db
    if args.verify and not path.exists():
        print(f"{path}: no audit log here", file=sys.stderr)  # verifying must not create one
        return 1
    try:
        log = AuditLog(path, Path(args.key) if args.key else None) if args.db else AuditLog.open(settings)
    except AuditError as exc:
        print(f"{path}: {exc}", file=sys.stderr)
        return 1
    try:
        if args.verify:
            try:
                problems = log.verify()
            except AuditError as exc:
                problems = [str(exc)]
            print("\n".join(problems) or f"{log.path}: every entry is as written, none missing")
            return 1 if problems else 0
        if args.csv:
            print(f"wrote {log.export_csv(Path(args.csv), user=args.user)}")
            return 0
        rows = log.entries(limit=args.limit, user=args.user, action=args.action)
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            for r in rows:
                print(f"{r['id']:>6} {r['time']} {r['user']} ({r['role']}) {r['action']}: {r['query'] or ''}")
        return 0
    finally:
        log.close()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers from OPCC reports.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="index PDF and text reports (files or folders)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--index", metavar="DIR", help="index folder (default: ASSISTANT_INDEX_DIR or ./index)")
    p.add_argument("--prune", action="store_true", help="drop indexed reports whose files are gone")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="find source passages (no answer generation)")
    p.add_argument("query", metavar="QUERY")
    p.add_argument(
        "--k", type=_count(1, MAX_K), default=5, metavar="N", help=f"passages to return, 1 to {MAX_K} (default 5)"
    )
    p.add_argument("--report", metavar="TEXT", help="only reports whose title or file name contains this")
    p.add_argument(
        "--all",
        action="store_true",
        help="the N best-ranked passages as they are, without the relevance floor the FOI tab applies",
    )
    p.add_argument("--index", metavar="DIR")
    _clearance(p)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    _no_server(p)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("ask", help="answer a question with citations")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("--index", metavar="DIR")
    _clearance(p)
    p.add_argument("--json", action="store_true")
    _no_server(p)
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("eval", help="run an evaluation question set and write a report")
    p.add_argument(
        "--questions",
        nargs="+",
        metavar="FILE",
        help="question files (JSONL; default: the packaged set for the sample corpus, evals/questions.jsonl)",
    )
    p.add_argument("--index", metavar="DIR")
    p.add_argument("--out", default="eval-out", metavar="DIR", help="folder for the report (default eval-out)")
    _clearance(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("serve", help="run the chat app (sign-in required)")
    p.add_argument("--index", metavar="DIR")
    p.add_argument("--host", metavar="HOST", help="address to listen on (default ASSISTANT_HOST or 127.0.0.1)")
    p.add_argument("--port", type=_count(1, 65535), metavar="PORT", help="port (default ASSISTANT_PORT or 7860)")
    p.add_argument("--users", metavar="FILE", help="users file (default ASSISTANT_USERS_FILE or ./users.json)")
    p.add_argument("--demo", action="store_true", help="one-off local demo account on 127.0.0.1 (password printed)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("audit", help="read, export or verify the audit log")
    p.add_argument("--db", metavar="FILE", help="audit database (default ASSISTANT_AUDIT_DB or ./audit.sqlite3)")
    p.add_argument(
        "--key", metavar="FILE", help="the log's key file (default ASSISTANT_AUDIT_KEY_FILE, or beside the database)"
    )
    p.add_argument("--limit", type=_count(1, MAX_LIMIT), default=50, metavar="N", help="newest N entries (default 50)")
    p.add_argument("--user", metavar="NAME", help="one user's entries")
    p.add_argument("--action", metavar="ACTION", help="one action's entries (ask, search, export, sign-in, ...)")
    p.add_argument("--csv", metavar="FILE", help="export the whole log (or one user's) as CSV")
    p.add_argument(
        "--verify",
        action="store_true",
        help="check the keyed chain and the anchor: nothing changed, removed or replaced",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_audit)

    from .web.users import CLEARANCES, ROLES

    p = sub.add_parser("users", help="manage the app's users: add NAME --role ROLE | remove NAME | list")
    users = p.add_subparsers(dest="action", required=True)
    u = users.add_parser("add", help="add a user (or reset one with --replace)")
    u.add_argument("name", metavar="NAME")
    u.add_argument("--role", required=True, choices=ROLES)
    u.add_argument(
        "--clearance",
        choices=CLEARANCES,
        help="public: public reports only; restricted: all (default: public for staff, restricted for foi and admin)",
    )
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.add_argument("--replace", action="store_true", help="reset an existing user's role and password")
    u = users.add_parser("remove", help="remove a user (and the conversations kept for them in the index folder)")
    u.add_argument("name", metavar="NAME")
    u.add_argument(
        "--index", metavar="DIR", help="index folder whose kept conversations go too (default ASSISTANT_INDEX_DIR)"
    )
    u = users.add_parser("list", help="list users and roles")
    u.add_argument("--json", action="store_true")
    for u in users.choices.values():
        u.add_argument("--users", metavar="FILE", help="users file (default ASSISTANT_USERS_FILE or ./users.json)")
    p.set_defaults(func=cmd_users)
    return parser


def run_in_server(argv: list[str], shared: Assistant) -> tuple[int, str]:
    """An ``ask`` or ``search`` command line run by ``assistant serve`` for a client (see local.py):
    its exit code and output. The server's own index is used, whatever ``--index`` says."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse's own message went to the server's log
        return int(exc.code or 2), ""
    out = io.StringIO()
    code = args.func(args, shared=shared, out=out)
    return code, out.getvalue()


def _text_of(args: argparse.Namespace) -> list[str]:
    return [
        t for t in (getattr(args, "query", None), getattr(args, "question", None), getattr(args, "report", None)) if t
    ]


def main(argv: list[str] | None = None) -> int:
    # Everything the command line writes (the index, page images, the server's socket) holds
    # restricted passages or their traces: owner-only, whatever the login's umask.
    os.umask(0o077)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    sendable = not any(text_problem(t, controls=False) for t in _text_of(args))  # else refused (and audited) here
    if args.func in (cmd_ask, cmd_search) and not args.no_server and sendable:
        from .local import ask_server

        reply = ask_server(_settings(args).index_dir, argv)
        if reply is not None:
            print("(answered by the running assistant serve over this index)", file=sys.stderr)
            sys.stdout.write(reply[1])
            return reply[0]
    try:
        return args.func(args)
    except KeyboardInterrupt:  # Ctrl+C (say while the server loads its model): stopped, not a crash
        print("Stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
