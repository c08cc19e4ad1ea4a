"""The ``vault-pandas`` command line: load a CSV/Parquet/Excel file into Vault, write the result.

Commands: ``create``, ``upsert``, ``update``, ``delete``, ``action``, ``validate`` (a file in,
a result file out) and ``export`` (a VQL query or an object's fields to CSV/Parquet).
Exit codes: 0 every row SUCCESS or WARNING (``validate``/``--dry-run``: every row VALID;
``export``: written);
1 some rows not (FAILURE, INVALID, UNKNOWN, SKIPPED); 2 could not run (bad arguments,
unreadable file, connection or login failure, a frame Vault cannot take, a load stopped
part-way); 130 interrupted (Ctrl-C). A partial result file is written for 2 and 130 when
part of the load ran.
"""

from __future__ import annotations

import argparse
import functools
import logging
import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from vault_pandas import __version__
from vault_pandas.cli_connection import CLIError, client_for
from vault_pandas.errors import LoadInterrupted, PartialLoadError, VaultPandasError
from vault_pandas.read.vql import read, read_vql
from vault_pandas.results.files import check_output, write_frame
from vault_pandas.results.outcomes import SUCCESS, VALID, VAULT_STATUS, WARNING
from vault_pandas.results.report_lines import result_lines
from vault_pandas.transport.client import VaultClient
from vault_pandas.transport.profiles import CONFIG_ENV
from vault_pandas.write.csv_reading import read_csv_frame

EXIT_OK = 0
EXIT_ROWS_FAILED = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
PROG = "vault-pandas"
READERS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}
OBJECT_HELP = "Vault object, e.g. product__v"
NULLS_HELP = "an empty cell keeps the stored value (default) or clears it"
IDS_HELP = "column of record ids (default: id; vault_id of an earlier result works)"
ENCODING_HELP = "a CSV's encoding: latin-1, cp1252, utf-16... (default: utf-8, BOM or not)"
PARAM_HELP = "a form field sent with the ids (prompt, GROUP.assignment_type__c); repeatable"

log = logging.getLogger("vault_pandas")


# -- arguments ---------------------------------------------------------------------------------


def _option_groups() -> tuple[argparse.ArgumentParser, ...]:
    """Options shared by the commands: input file, every command, record writes, loads."""
    source = argparse.ArgumentParser(add_help=False)
    source.add_argument("file", type=Path, metavar="FILE", help="input .csv, .parquet or .xlsx")
    source.add_argument("-o", "--output", type=Path, help="result file (.csv or .parquet)")
    source.add_argument("--encoding", metavar="CODEC", help=ENCODING_HELP)
    common = argparse.ArgumentParser(add_help=False)
    conn = common.add_argument_group("connection")
    conn.add_argument("--vault", metavar="DNS", help="vault DNS or URL (default: VAULT_DNS)")
    conn.add_argument("--profile", metavar="NAME", help="a named profile of the profile file")
    conn.add_argument(
        "--oauth-profile",
        metavar="ID",
        help="log in with the access token in VAULT_OAUTH_TOKEN through this OAuth profile "
        "(default: VAULT_OAUTH_PROFILE)",
    )
    conn.add_argument("--login-url", metavar="URL", help="Vault's login service for OAuth")
    conn.add_argument(
        "--sandbox",
        action="store_true",
        help="run against a local sandbox Vault started for this run (nothing reaches a vault)",
    )
    common.add_argument("--debug", action="store_true", help="debug logging and tracebacks")
    records = argparse.ArgumentParser(add_help=False)
    records.add_argument("--json", action="store_true", help="send JSON bodies instead of CSV")
    records.add_argument("--assume-timezone", metavar="TZ", help="time zone of naive datetimes")
    load = argparse.ArgumentParser(add_help=False)
    load.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    load.add_argument(
        "--max-workers",
        type=int,
        metavar="N",
        help="requests in flight at once (default: adaptive, up to 32)",
    )
    load.add_argument("--no-progress", action="store_true", help="no progress bar")
    load.add_argument("--checkpoint", type=Path, metavar="PATH", help="resume file for the load")
    return source, common, records, load


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Load a CSV, Parquet or Excel file into Veeva Vault, one outcome per row. "
        "The result (the input plus vault_id, vault_status, vault_error) is written next to "
        "the input as NAME.result.csv.",
        epilog="Connection: --vault, --profile NAME (profile file: "
        f"${CONFIG_ENV} or the user config directory), or VAULT_DNS, VAULT_USERNAME, "
        "VAULT_PASSWORD, VAULT_SESSION_ID, VAULT_API_VERSION, VAULT_CLIENT_ID. Exit codes: 0 "
        "every row SUCCESS/WARNING (VALID for a dry run), 1 some rows not, 2 could not run, "
        "130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    source, common, records, load = _option_groups()
    migration = "migration mode: audit fields, state and (create) ids may be given"
    writes = [source, common, records, load]

    p = sub.add_parser("create", parents=writes, help="create a record per row")
    p.add_argument("object", metavar="OBJECT", help=OBJECT_HELP)
    p.add_argument("--migration-mode", action="store_true", help=migration)
    p = sub.add_parser("upsert", parents=writes, help="create or update")
    p.add_argument("object", metavar="OBJECT", help=OBJECT_HELP)
    p.add_argument("--id-param", required=True, metavar="FIELD", help="unique field to match on")
    p.add_argument("--migration-mode", action="store_true", help=migration)
    p.add_argument("--nulls", choices=("keep", "clear"), default="keep", help=NULLS_HELP)
    p = sub.add_parser("update", parents=writes, help="update records by id or a unique field")
    p.add_argument("object", metavar="OBJECT", help=OBJECT_HELP)
    p.add_argument("--id-param", metavar="FIELD", help="unique field to match on (default: id)")
    p.add_argument("--nulls", choices=("keep", "clear"), default="keep", help=NULLS_HELP)
    p = sub.add_parser("delete", parents=[source, common, load], help="delete records by id")
    p.add_argument("object", metavar="OBJECT", help=OBJECT_HELP)
    p.add_argument("--id-column", default="id", metavar="C", help=IDS_HELP)
    p.add_argument("--id-param", metavar="FIELD", help="delete by this unique field instead")
    p = sub.add_parser("action", parents=[source, common, load], help="run a user action")
    p.add_argument("action", metavar="ACTION", help="Objectaction.OBJECT.ACTION or ...")
    p.add_argument("--id-column", default="id", metavar="C", help=IDS_HELP)
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help=PARAM_HELP)
    p = sub.add_parser("validate", parents=[source, common, records], help="send nothing")
    p.add_argument("object", metavar="OBJECT", help=OBJECT_HELP)
    p.add_argument("--id-param", metavar="FIELD", help="validate as an upsert on this field")
    p = sub.add_parser("export", parents=[common], help="write a query's records to a file")
    p.add_argument("object", nargs="?", metavar="OBJECT", help="object to read (with --fields)")
    p.add_argument("-o", "--output", type=Path, required=True, help=".csv or .parquet file")
    p.add_argument("--vql", metavar="QUERY", help="a VQL query instead of OBJECT")
    p.add_argument("--fields", metavar="A,B", help="fields of OBJECT (default: every field)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    sub.add_parser(
        "sandbox",
        add_help=False,
        help="serve a sandbox Vault: sandbox --port 8123 [--latency S] [--burst-limit N ...]",
    )
    return parser


# -- files ---------------------------------------------------------------------------------------


def read_frame(path: Path, encoding: str | None = None) -> pd.DataFrame:
    """Read the input file by its suffix.

    CSV is read as text (``string`` dtype), and only an empty cell is missing: ids such as
    ``007`` and values such as ``NA`` reach Vault exactly as written, and Vault parses
    numbers, dates and booleans from text; ``index_col=False``: a row with more fields than
    the header is a ``FrameError`` naming its line (as are bytes ``encoding`` cannot decode
    and a quote never closed). Parquet keeps its types; Excel needs openpyxl.
    """
    kind = READERS.get(path.suffix.lower())
    if kind is None:
        raise CLIError(f"cannot read {path}: expected a .csv, .parquet or .xlsx file")
    if not path.is_file():
        raise CLIError(f"cannot read {path}: no such file")
    try:
        if kind == "csv":
            return read_csv_frame(path, encoding)
        if kind == "parquet":
            return pd.read_parquet(path)
        try:
            import openpyxl  # noqa: F401  # type: ignore[import-untyped]
        except ImportError:
            raise CLIError(
                f"cannot read {path}: Excel files need openpyxl (pip install openpyxl)"
            ) from None
        return pd.read_excel(path)
    except (CLIError, VaultPandasError):
        raise
    except Exception as exc:  # noqa: BLE001 - any parse failure is "cannot read this file"
        raise CLIError(f"cannot read {path}: {_one_line(exc)}") from exc


def output_path(args: argparse.Namespace) -> Path:
    """``-o`` if given, else ``NAME.result.csv`` (``.parquet`` for Parquet input) beside FILE."""
    path: Path = args.output or args.file.with_name(
        f"{args.file.stem}.result"
        + (".parquet" if READERS.get(args.file.suffix.lower()) == "parquet" else ".csv")
    )
    if path.resolve() == args.file.resolve():
        raise CLIError(f"cannot write {path}: the result file cannot be the input file")
    return check_output(path)


# -- running -------------------------------------------------------------------------------------


def _load(frame: pd.DataFrame, args: argparse.Namespace, client: VaultClient) -> pd.DataFrame:
    options: dict[str, Any] = {
        "client": client,
        "dry_run": args.command == "validate" or args.dry_run,
        "progress": False if args.command == "validate" or args.no_progress else None,
        "max_workers": getattr(args, "max_workers", None),
        "checkpoint": getattr(args, "checkpoint", None),
    }
    if args.command in ("action", "delete"):
        key = getattr(args, "id_param", None)
        column = key or args.id_column
        if column not in frame.columns:
            shown = ", ".join(map(str, list(frame.columns)[:10]))
            raise CLIError(
                f"{args.file} has no column {column!r} (columns: {shown}); "
                "name the column of record ids with --id-column"
            )
        if args.command == "delete" and key:
            return frame.vault.delete(args.object, id_param=key, **options)
        if args.command == "delete":
            return frame.vault.delete(args.object, id_column=column, **options)
        params = _params(args.param) or None
        return frame.vault.action(args.action, id_column=column, params=params, **options)
    records = {
        "assume_timezone": args.assume_timezone,
        "body_format": "json" if args.json else "csv",
    }
    if getattr(args, "migration_mode", False):
        records["migration_mode"] = True
    if args.command == "update":
        return frame.vault.update(
            args.object, id_param=args.id_param, nulls=args.nulls, **options, **records
        )
    if args.command == "upsert":
        records["nulls"] = args.nulls
    if args.command == "upsert" or getattr(args, "id_param", None):
        return frame.vault.upsert(args.object, args.id_param, **options, **records)
    return frame.vault.create(args.object, **options, **records)


def _params(pairs: list[str]) -> dict[str, str]:
    """``--param KEY=VALUE`` options as a mapping; a malformed or repeated key is an error."""
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise CLIError(f"--param {pair!r}: expected KEY=VALUE")
        if key in params:
            raise CLIError(f"--param {key} is given twice")
        params[key] = value
    return params


def _export(args: argparse.Namespace) -> int:
    """``export``: every page of a query (or an object's fields), typed, to CSV or Parquet."""
    path = check_output(args.output)
    if (args.vql is None) == (args.object is None):
        raise CLIError("export needs either OBJECT (with --fields) or --vql QUERY")
    if args.vql is not None and args.fields:
        raise CLIError("--fields goes with OBJECT; with --vql, name the fields in the query")
    fields = [f.strip() for f in (args.fields or "").split(",") if f.strip()] or None
    progress = False if args.no_progress else None
    with client_for(args) as client:
        if args.vql is not None:
            frame = read_vql(args.vql, client, progress=progress)
        else:
            frame = read(args.object, fields, client=client, progress=progress)
    write_frame(frame, path)
    print(f"{len(frame)} rows, {len(frame.columns)} columns -> {path}")
    if args.sandbox:
        print("sandbox: ran against a sandbox Vault started for this run; no real vault was used")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    if args.command == "export":
        return _export(args)
    frame = read_frame(args.file, args.encoding)
    out_path = output_path(args)
    dry_run = args.command == "validate" or args.dry_run
    try:
        with client_for(args) as client:
            result = _load(frame, args, client)
    except (LoadInterrupted, PartialLoadError) as exc:
        write_frame(exc.result, out_path)
        _print_summary(exc.result, out_path, args, dry_run)
        what = "SKIPPED rows were not sent, UNKNOWN rows may have been written"
        if getattr(args, "checkpoint", None):
            what += f"; run again with --checkpoint {args.checkpoint} to resume"
        if isinstance(exc, LoadInterrupted):
            print(f"{PROG}: interrupted; partial result in {out_path} ({what})", file=sys.stderr)
            return EXIT_INTERRUPTED
        cause = _one_line(exc.__cause__) if exc.__cause__ else "see the log above"
        raise CLIError(
            f"the load stopped part-way ({cause}); partial result in {out_path} ({what})"
        ) from exc
    write_frame(result, out_path)
    _print_summary(result, out_path, args, dry_run)
    ok = {VALID} if dry_run else {SUCCESS, WARNING}
    return EXIT_OK if result[VAULT_STATUS].isin(ok).all() else EXIT_ROWS_FAILED


# -- output -------------------------------------------------------------------------------------


def _print_summary(result: pd.DataFrame, path: Path, args: argparse.Namespace, dry: bool) -> None:
    for line in result_lines(result, path, dry_run=dry, sandbox=args.sandbox):
        print(line)


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line: ``head: problem; problem``."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    head, rest = lines[0], [line.removeprefix("- ") for line in lines[1:]]
    return f"{head.rstrip(':')}: {'; '.join(rest)}" if rest else head


def _setup_logging(debug: bool) -> None:
    """Library log records to stderr: warnings, or everything with ``--debug``."""
    for old in [h for h in log.handlers if getattr(h, "vault_pandas_cli", False)]:
        log.removeHandler(old)  # main() called again in the same process
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(f"{PROG}: %(levelname)s: %(message)s"))
    handler.vault_pandas_cli = True  # type: ignore[attr-defined]
    log.addHandler(handler)
    log.setLevel(logging.DEBUG if debug else logging.WARNING)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
    *,
    python: Any,
) -> None:
    """The library's warnings as ``vault-pandas: warning: MESSAGE`` on stderr.

    Its classes and a ``UserWarning`` it issued; any other goes to ``python`` (Python's format).
    """
    ours = Path(filename).resolve().is_relative_to(Path(__file__).resolve().parent)
    if category.__module__.startswith("vault_pandas") or (category is UserWarning and ours):
        text = " ".join(str(message).split())
        print(f"{PROG}: warning: {text}", file=sys.stderr if file is None else file)
    else:
        python(message, category, filename, lineno, file, line)


def _fail(message: str, debug: bool) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    if debug:
        import traceback

        traceback.print_exc(file=sys.stderr)
    return EXIT_ERROR


def main(argv: list[str] | None = None) -> int:
    """Run the ``vault-pandas`` command line; returns the exit code.

    Examples
    --------
    From a shell::

        vault-pandas create products.csv product__v --sandbox
        vault-pandas upsert products.csv product__v --id-param external_id__v --profile qa
        vault-pandas action products.result.csv \\
            Objectlifecyclestateuseraction.product__v.draft_state__c.approve__c --id-column vault_id
        vault-pandas update fixes.csv product__v --id-param external_id__v --nulls clear
        vault-pandas delete old.csv product__v --id-column vault_id
        vault-pandas action ids.csv Objectaction.product__v.start_review__c \\
            --param description__c="Q3 review" --param reviewers__c.assignment_type__c=assigned
        vault-pandas export --vql "SELECT id, name__v FROM product__v" -o products.parquet
        vault-pandas export product__v --fields id,name__v -o products.csv
        vault-pandas validate products.csv product__v
        vault-pandas sandbox --port 8123
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["sandbox"]:  # the sandbox's own command line, not duplicated here
        from vault_pandas.sandbox.__main__ import main as sandbox_main

        return sandbox_main(argv[1:])
    args = _parser().parse_args(argv)
    _setup_logging(args.debug)
    try:
        with warnings.catch_warnings():  # restores Python's showwarning when the run ends
            warnings.showwarning = functools.partial(_show_warning, python=warnings.showwarning)
            return _run(args)
    except KeyboardInterrupt:  # outside a load (a load's is handled in _run)
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (CLIError, VaultPandasError, OSError) as exc:
        return _fail(_one_line(exc), args.debug)
    except Exception as exc:  # noqa: BLE001 - the command line reports, never shows a traceback
        hint = "" if args.debug else " (run with --debug for the traceback)"
        return _fail(f"unexpected {type(exc).__name__}: {_one_line(exc)}{hint}", args.debug)
