"""The `toc` command: the whole CLI, a thin shell over the domain core, the map and the service.

`check` and `convert` use only the domain core; `map`, `report`, `serve` and `token` import the map
renderer and the service inside the commands that need them (downward imports, from the
composition root), so checking a file never loads a web framework, an ORM or pyvis.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from toc.errors import DocumentRejected, TocError
from toc.model import TheoryOfChange

if TYPE_CHECKING:
    from toc.report import Report

__all__ = ["main"]

EXIT_OK, EXIT_FINDINGS, EXIT_REJECTED = 0, 1, 2


class _Usage(Exception):
    """A command-line mistake: bad path, unknown format. Exit status 2."""


def _read_model(path: str) -> TheoryOfChange:
    from toc import formats

    file = Path(path)
    if file.is_dir():
        # A folder of CSV files reads as the CSV zip does (model.csv, nodes.csv, ...).
        return formats.read_path(file)
    if not file.is_file():
        raise _Usage(f"{path}: no such file")
    return formats.read_path(file)


def _one_shot() -> None:
    """Turn off the cyclic garbage collector for a command that reads, reports and exits.

    Such a command allocates a model's worth of objects and frees them only at exit; on a
    statewide portfolio the collector would walk them again and again for nothing.
    """
    gc.disable()


def _report(args: argparse.Namespace) -> Report:
    """Read and check FILE; a document that breaks the contract raises `DocumentRejected`."""
    from toc.formats import format_for_path
    from toc.reading import read_document
    from toc.report import check

    _one_shot()
    file = Path(args.file)
    if format_for_path(file) == "json" and file.is_file():
        # toc/1 JSON takes the fast road: structs from bytes, no pydantic objects when valid.
        return check(read_document(file.read_bytes()), as_of=args.as_of)
    return check(_read_model(args.file), as_of=args.as_of)


def _write_bytes(payload: bytes) -> None:
    out = getattr(sys.stdout, "buffer", None)
    if out is None:  # a text-only stream, as some embedders give
        sys.stdout.write(payload.decode("utf-8"))
    else:
        sys.stdout.flush()
        out.write(payload)
        out.flush()


# Most severe first: `--min-severity warning` shows errors and warnings.
_SEVERITIES = ("error", "warning", "info")


def _summary(file: str, counts: dict[str, int], min_severity: str) -> str:
    """The closing line: every severity counted, and how to see what the threshold hid."""
    line = (
        f"{file}: {counts['error']} error(s), {counts['warning']} warning(s), {counts['info']} info"
    )
    hidden_levels = _SEVERITIES[_SEVERITIES.index(min_severity) + 1 :]
    hidden = [
        f"{counts[level]} {'info' if level == 'info' else level + '(s)'}"
        for level in hidden_levels
        if counts[level]
    ]
    if hidden:
        lowest = next(level for level in reversed(hidden_levels) if counts[level])
        line += f" ({' and '.join(hidden)} not shown: --min-severity {lowest})"
    return line


def _cmd_check(args: argparse.Namespace) -> int:
    from toc.scorecard import to_text

    report = _report(args)
    if args.format == "json":
        _write_bytes(report.to_json())
        return EXIT_FINDINGS if report.has_errors else EXIT_OK
    shown = set(_SEVERITIES[: _SEVERITIES.index(args.min_severity) + 1])
    printed = False
    for finding in report.findings:
        if finding.severity.value in shown:
            subject = f"{finding.code} {finding.name} {finding.subject}"
            print(f"{args.file}: {subject}: {finding.message}")
            printed = True
    sys.stdout.flush()  # the summary (stderr) after the findings, before the scorecard
    print(_summary(args.file, report.metrics["findings"], args.min_severity), file=sys.stderr)
    rows = report.initiatives
    if rows:
        if printed:
            print()
        print(to_text(rows, currency=report.currency))
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _cmd_scorecard(args: argparse.Namespace) -> int:
    from toc import scorecard

    report = _report(args)
    rows = report.initiatives
    if args.format == "xlsx":
        from toc.formats.scorecard_xlsx import to_xlsx

        if not args.output:
            raise _Usage("--format xlsx writes a workbook: give -o OUT.xlsx")
        Path(args.output).write_bytes(to_xlsx(rows))
    elif args.format == "json":
        _write_bytes(scorecard.to_json(rows).encode("utf-8"))
    elif args.format == "csv":
        _write_bytes(scorecard.to_csv(rows).encode("utf-8"))
    else:
        print(scorecard.to_text(rows, currency=report.currency))
    return EXIT_FINDINGS if report.has_errors else EXIT_OK


def _portfolio_files(names: list[str]) -> list[Path]:
    """The files a `toc portfolio` names: each FILE, and every `.json` of each FOLDER."""
    files: list[Path] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.suffix.lower() == ".json"))
        elif path.is_file():
            files.append(path)
        else:
            raise _Usage(f"{name}: no such file or folder")
    return files


def _cmd_portfolio(args: argparse.Namespace) -> int:
    from toc.formats import format_for_path
    from toc.portfolio import check_portfolio, take_up_line
    from toc.reading import read_document
    from toc.scorecard import to_text

    _one_shot()
    documents = []
    rejected = []
    for path in _portfolio_files(args.files):
        try:
            if format_for_path(path) == "json":
                documents.append((str(path), read_document(path.read_bytes())))
            else:
                documents.append((str(path), _read_model(str(path))))
        except DocumentRejected as error:
            rejected.append({"file": str(path), "problems": [str(p) for p in error.problems]})
        except TocError as error:
            rejected.append({"file": str(path), "problems": [str(error)]})
    report = check_portfolio(documents, as_of=args.as_of, rejected=rejected)
    status = EXIT_FINDINGS if report.has_errors else EXIT_OK
    if report.rejected:
        status = EXIT_REJECTED
    for entry in report.rejected:
        for problem in entry["problems"]:
            print(f"{entry['file']}: {problem}", file=sys.stderr)
    if args.format == "json":
        _write_bytes(report.to_json())
        return status
    file_of: dict[str, str] = {}
    for name, document in documents:
        file_of.setdefault(document.id, name)
    shown = set(_SEVERITIES[: _SEVERITIES.index(args.min_severity) + 1])
    for finding in report.findings:
        if finding.severity.value in shown:
            where = file_of.get(finding.model or "", finding.model)
            print(f"{where}: {finding.code} {finding.name} {finding.subject}: {finding.message}")
    sys.stdout.flush()
    summary = _summary(
        f"{len(report.models)} model(s)", report.metrics["findings"], args.min_severity
    )
    if report.metrics.get("cost_by_standing", {}) is None:
        summary += (
            f"; costs not summed: the models' currencies differ ({', '.join(report.currencies)})"
        )
    print(summary, file=sys.stderr)
    titles = {row["id"]: row["title"] for row in report.initiatives}
    if report.take_up:
        print()
        print("Take-up")
        for row in report.take_up:
            model = row["initiative"].partition(":")[0]
            below = _scope_below(report.about, model)
            print("  " + take_up_line(row, titles[row["initiative"]], below))
    if report.initiatives:
        print()
        print(
            to_text(
                [{**row, "title": f"{row['model']}: {row['title']}"} for row in report.initiatives]
            )
        )
    return status


def _scope_below(about: dict[str, dict], model: str) -> str:
    """The word for the plans one rank below a model: district, network or school."""
    from toc.portfolio import SCOPE_RANK

    rank = SCOPE_RANK.get(about[model]["scope"] or "", 0)
    scopes = {info["scope"] for info in about.values() if info["scope"]}
    middle = {s for s in scopes if SCOPE_RANK.get(s) == 2}
    if rank == 3 and middle:
        return "network" if middle == {"network"} else "district"
    return "school"


def _cmd_diff(args: argparse.Namespace) -> int:
    from toc.diff import diff_command

    _one_shot()
    models: list[TheoryOfChange] = []
    problems: list[str] = []
    for path in (args.old, args.new):  # both files' problems are told, not just the first's
        try:
            models.append(_read_model(path))
        except DocumentRejected as rejected:
            problems += [f"{path}: {problem}" for problem in rejected.problems]
    if problems:
        for line in problems:
            print(line, file=sys.stderr)
        return EXIT_REJECTED
    old, new = models
    text, status = diff_command(old, new, args.format, as_of=args.as_of)
    sys.stdout.write(text)
    return status


def _cmd_observe(args: argparse.Namespace) -> int:
    from toc import formats
    from toc.observations import observe_file

    fmt = formats.format_for_path(Path(args.file))
    if fmt in formats.BINARY_FORMATS and not args.output:
        raise _Usage(f"{args.file} is written back as {fmt}: give -o OUT")
    model = _read_model(args.file)
    data = Path(args.data)
    if not data.is_file():
        raise _Usage(f"{args.data}: no such file")
    try:
        observed = observe_file(model, data, args.date_format, args.skip_blank)
    except DocumentRejected as rejected:  # the problems are the data's, at their rows
        for problem in rejected.problems:
            print(f"{args.data}: {problem}", file=sys.stderr)
        return EXIT_REJECTED
    if observed.skipped:
        print(
            f"{args.data}: {observed.merged:,} observations merged; {observed.skipped:,} rows "
            "with no value skipped (--skip-blank)",
            file=sys.stderr,
        )
    payload = formats.write(observed.model, fmt)
    if args.output:
        Path(args.output).write_bytes(payload)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace) -> int:
    from toc import formats

    if args.to == "csv" and (args.output is None or Path(args.output).suffix.lower() != ".zip"):
        # A zip written under another name would be taken for one CSV file and fail to open.
        raise _Usage("--to csv writes a zip (model.csv, nodes.csv, links.csv): give -o OUT.zip")
    if args.to == "xlsx" and args.output is None:
        raise _Usage("--to xlsx writes a workbook: give -o OUT.xlsx")
    _one_shot()
    model = _read_model(args.file)
    payload = formats.write(model, args.to)
    if args.output:
        Path(args.output).write_bytes(payload)
    else:
        sys.stdout.write(payload.decode("utf-8"))
    return EXIT_OK


def _cmd_template(args: argparse.Namespace) -> int:
    from toc.formats.template import write_template

    Path(args.output).write_bytes(write_template())
    return EXIT_OK


def _cmd_map(args: argparse.Namespace) -> int:
    from web.map import render_map_html

    model = _read_model(args.file)
    Path(args.output).write_text(render_map_html(model), encoding="utf-8")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from web.report import render_report_html

    model = _read_model(args.file)
    Path(args.output).write_text(render_report_html(model), encoding="utf-8")
    return EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from app.serve import serve

    serve(host=args.host, port=args.port, demo=args.demo)
    return EXIT_OK


def _cmd_token(args: argparse.Namespace) -> int:
    from app.serve import create_token

    try:
        token = create_token(
            workspace=args.workspace,
            role=args.role,
            name=args.name,
            expires=args.expires,
            models=[m for m in args.models.split(",")] if args.models is not None else None,
        )
    except ValueError as bad:  # a lifetime that is none, or too long; models for no editor
        raise _Usage(str(bad)) from None
    print(token)
    return EXIT_OK


def _cmd_token_list(args: argparse.Namespace) -> int:
    from app.serve import list_tokens

    rows = [("ID", "WORKSPACE", "ROLE", "NAME", "CREATED", "EXPIRES", "WRITES", "STATE")]
    for token in list_tokens(workspace=args.workspace):
        rows.append(
            (
                str(token.id),
                token.workspace,
                token.role,
                token.name or "-",
                token.created_at.strftime("%Y-%m-%d %H:%M"),
                token.expires_at.strftime("%Y-%m-%d %H:%M")
                if token.expires_at
                else ("with its server" if token.server_process else "never"),
                ",".join(token.models) if token.models is not None else "-",
                token.state,
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return EXIT_OK


def _cmd_token_revoke(args: argparse.Namespace) -> int:
    from app.serve import revoke_token

    if not revoke_token(args.id):
        raise _Usage(f"no token with id {args.id}")
    print(f"toc: token {args.id} revoked", file=sys.stderr)
    return EXIT_OK


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    from toc import __version__
    from toc.formats import READ_FORMATS, WRITE_FORMATS

    parser = argparse.ArgumentParser(
        prog="toc", description="A multi-level Theory of Change modeler for school systems."
    )
    parser.add_argument("--version", action="version", version=f"toc {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser("check", help="check a theory of change and report findings")
    check.add_argument("file", metavar="FILE")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--as-of", type=_date, metavar="DATE", help="the check date (YYYY-MM-DD)")
    check.add_argument(
        "--min-severity",
        choices=_SEVERITIES,
        default="warning",
        help="text: show findings of this severity and worse (default: warning); "
        "json always lists every finding",
    )
    check.set_defaults(run=_cmd_check)

    diff = commands.add_parser(
        "diff", help="what changed between two versions of a theory, and their findings"
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    diff.add_argument("--as-of", type=_date, metavar="DATE", help="the check date (YYYY-MM-DD)")
    diff.set_defaults(run=_cmd_diff)

    observe = commands.add_parser(
        "observe", help="merge indicator observations (CSV, XLSX or JSON) into a theory"
    )
    observe.add_argument("file", metavar="FILE")
    observe.add_argument(
        "data",
        metavar="DATA",
        help="DATA.csv, DATA.xlsx (the sheet 'observations', else the first) or DATA.json",
    )
    observe.add_argument(
        "--date-format",
        choices=("MDY", "DMY"),
        help="also read dates written in this order (06/30/2026 is MDY); YYYY-MM-DD always reads",
    )
    observe.add_argument(
        "--skip-blank",
        action="store_true",
        help="skip (and count) rows whose value is empty, rather than refuse the file",
    )
    observe.add_argument("-o", "--output", metavar="OUT", help="the file to write; else stdout")
    observe.set_defaults(run=_cmd_observe)

    card = commands.add_parser(
        "scorecard", help="print the initiative scorecard: keep, fix or stop each initiative"
    )
    card.add_argument("file", metavar="FILE")
    card.add_argument("--format", choices=("text", "json", "csv", "xlsx"), default="text")
    card.add_argument("-o", "--output", metavar="OUT.xlsx", help="xlsx: the workbook to write")
    card.add_argument("--as-of", type=_date, metavar="DATE", help="the check date (YYYY-MM-DD)")
    card.set_defaults(run=_cmd_scorecard)

    folio = commands.add_parser(
        "portfolio", help="check several plans together: a state, its districts, their schools"
    )
    folio.add_argument("files", nargs="+", metavar="FILE", help="toc/1 files, or folders of them")
    folio.add_argument("--format", choices=("text", "json"), default="text")
    folio.add_argument("--as-of", type=_date, metavar="DATE", help="the check date (YYYY-MM-DD)")
    folio.add_argument(
        "--min-severity",
        choices=_SEVERITIES,
        default="warning",
        help="text: show findings of this severity and worse (default: warning)",
    )
    folio.set_defaults(run=_cmd_portfolio)

    draw = commands.add_parser("map", help="write the interactive map as one HTML file")
    draw.add_argument("file", metavar="FILE")
    draw.add_argument("-o", "--output", required=True, metavar="OUT.html")
    draw.set_defaults(run=_cmd_map)

    handout = commands.add_parser(
        "report", help="write the report (scorecard, findings by initiative, map) as one HTML file"
    )
    handout.add_argument("file", metavar="FILE")
    handout.add_argument("-o", "--output", required=True, metavar="OUT.html")
    handout.set_defaults(run=_cmd_report)

    convert = commands.add_parser(
        "convert",
        help="convert between toc/1 and other formats (a FOLDER is read as CSV files)",
        description="Convert a model between formats. FILE is one of "
        f"{', '.join(READ_FORMATS)} (by its suffix: .json, .xlsx, .zip, .graphml, .gexf), or a "
        "FOLDER of CSV files (model.csv, nodes.csv, links.csv...), read as the CSV zip is. "
        "A folder of toc/1 JSON models is a portfolio: see `toc portfolio FOLDER`.",
    )
    convert.add_argument(
        "file", metavar="FILE", help=f"one of: {', '.join(READ_FORMATS)}; or a FOLDER of CSV files"
    )
    convert.add_argument("--to", required=True, choices=WRITE_FORMATS)
    convert.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="the file to write (csv: a .zip; xlsx: a .xlsx, required); else stdout",
    )

    template = commands.add_parser(
        "template",
        help="write an empty planning workbook (XLSX) with drop-down lists and instructions",
    )
    template.add_argument("-o", "--output", required=True, metavar="OUT.xlsx")
    template.set_defaults(run=_cmd_template)
    convert.set_defaults(run=_cmd_convert)

    serve = commands.add_parser("serve", help="run the web service and pages")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="load the example models")
    serve.set_defaults(run=_cmd_serve)

    token = commands.add_parser("token", help="manage access tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token and print it")
    create.add_argument("--workspace", required=True)
    create.add_argument("--role", required=True, choices=("viewer", "editor", "admin"))
    create.add_argument(
        "--name", help="who the history shows as the author of its writes (default: the role)"
    )
    create.add_argument(
        "--expires",
        metavar="LIFETIME",
        help="stop working after 12h, 30d, 8w... at most 3650d (default: never)",
    )
    create.add_argument(
        "--models",
        metavar="ID,ID",
        help="an editor token that writes only these models (and reads every one)",
    )
    create.set_defaults(run=_cmd_token)
    listing = token_commands.add_parser("list", help="list tokens (never the tokens themselves)")
    listing.add_argument("--workspace", help="only this workspace's tokens")
    listing.set_defaults(run=_cmd_token_list)
    revoke = token_commands.add_parser("revoke", help="revoke a token at once, by its id")
    revoke.add_argument("id", type=int, metavar="ID", help="the id `toc token list` shows")
    revoke.set_defaults(run=_cmd_token_revoke)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "as_of", False) is None:
        # The check date of the commands that take `--as-of`: today in UTC by the one clock
        # the service reads too (the core reads none).
        from services.clock import today

        args.as_of = today()
    try:
        return int(args.run(args))
    except DocumentRejected as rejected:
        source = getattr(args, "file", "document")
        for problem in rejected.problems:
            print(f"{source}: {problem}", file=sys.stderr)
        return EXIT_REJECTED
    except (_Usage, TocError, OSError) as error:
        print(f"toc: {error}", file=sys.stderr)
        return EXIT_REJECTED


if __name__ == "__main__":
    raise SystemExit(main())
