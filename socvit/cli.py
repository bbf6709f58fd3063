"""The ``socvit`` command.

    socvit sample [--out DIR] [--seed N]
    socvit validate PATH [--codebook FILE]
    socvit reliability PATH --scale NAME [--codebook FILE]
    socvit codebook draft DATA.sav [--out FILE] [--force]
    socvit reports [--data PATH] [--gemeente CODE_OR_NAME ... | --all] [--golf YEAR] ...

Each subcommand lives in the module that does the work; this file only parses arguments.
Errors from bad input are printed as one paragraph (never a traceback) with exit code 2.
"""

from __future__ import annotations

import argparse
import sys

from .errors import DataError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="socvit", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("sample", help="(re)generate the bundled synthetic sample panel")
    s.add_argument("--out", default=None, help="folder to write to (default: data/sample)")
    s.add_argument("--seed", type=int, default=None, help="random seed (default: the documented one)")
    s.add_argument("--scale", type=float, default=1.0,
                   help="multiply the number of panel members (benchmarks use this)")
    s.add_argument("--gemeenten", type=int, default=None,
                   help="synthetic gemeenten instead of Groningen's (benchmarks use this)")

    v = sub.add_parser("validate", help="check a panel file against its codebook")
    v.add_argument("path")
    v.add_argument("--codebook", default=None)

    r = sub.add_parser("reliability", help="psych-style reliability table for a codebook scale")
    r.add_argument("path")
    r.add_argument("--scale", required=True)
    r.add_argument("--codebook", default=None)
    r.add_argument("--golf", type=int, default=None, help="only this wave")

    cb = sub.add_parser("codebook", help="codebooks: draft one from an SPSS file")
    cba = cb.add_subparsers(dest="codebook_command", required=True, metavar="ACTION")
    dr = cba.add_parser("draft", help="write a draft codebook YAML from a .sav file's labels")
    dr.add_argument("path", help="the SPSS .sav file")
    dr.add_argument("--out", default=None, help="file to write (default: codebook.yaml beside it)")
    dr.add_argument("--force", action="store_true", help="overwrite an existing file")

    rep = sub.add_parser("reports", help="one HTML report per gemeente, plus an index page")
    rep.add_argument("--data", default=None, help="panel file (default: the bundled sample)")
    rep.add_argument("--codebook", default=None)
    rep.add_argument("--bevolking", default=None, metavar="FILE",
                     help="population margins (default: the codebook's, else bevolking.csv beside the data)")
    who = rep.add_mutually_exclusive_group()
    who.add_argument("--gemeente", nargs="+", default=None, metavar="CODE_OR_NAME")
    who.add_argument("--all", action="store_true", help="every gemeente of the wave (default)")
    rep.add_argument("--golf", type=int, default=None, help="wave (default: the latest)")
    rep.add_argument("--indeling", type=int, default=None,
                     help="gemeente indeling to report in (default: that of the wave)")
    rep.add_argument("--jobs", type=int, default=None, help="parallel kernels (default: 2)")
    rep.add_argument("--format", default="html",
                     help="html, pdf, xlsx or a combination: html,pdf,xlsx (xlsx: a table book "
                          "per gemeente and the headline figures of all in one workbook)")
    rep.add_argument("--out", default="reports", help="output folder (default: reports)")
    rep.add_argument("--force", action="store_true", help="remake reports that are up to date")
    rep.add_argument("--min-n", type=int, default=None, dest="min_n")
    rep.add_argument("--warn-n", type=int, default=None, dest="warn_n")
    rep.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="seconds one report may take before it counts as failed (default: 600)")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "sample":
            from .sample import cli_sample
            return cli_sample(args)
        if args.command == "validate":
            from .io import cli_validate
            return cli_validate(args)
        if args.command == "reliability":
            from .reliability import cli_reliability
            return cli_reliability(args)
        if args.command == "codebook":
            from .codebook import cli_codebook
            return cli_codebook(args)
        if args.command == "reports":
            from .runner import cli_reports
            return cli_reports(args)
    except DataError as exc:
        print(f"socvit {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"socvit {args.command}: a file could not be read or written ({exc}). Check the "
              f"path, and that its folder exists and is writable.", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, or a file socvit does not understand: still no traceback
        print(f"socvit {args.command}: stopped by an unexpected error ({type(exc).__name__}: "
              f"{exc}). This is probably a bug in socvit; please report it with the command "
              f"you ran.", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:    # Ctrl-C, or SIGTERM during `socvit reports`
        term = "signal 15" in str(exc)
        print(f"socvit: {'stopped (SIGTERM)' if term else 'interrupted'}; files written so far "
              f"are whole", file=sys.stderr)
        return 143 if term else 130
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
