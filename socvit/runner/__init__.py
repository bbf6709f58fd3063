"""``socvit reports``: one HTML report per gemeente, an index page and a manifest.

The batch runner behind the package's main command::

    socvit reports [--data PATH] [--codebook FILE] [--gemeente CODE_OR_NAME ... | --all]
                   [--golf YEAR] [--indeling YEAR] [--jobs N] [--format html[,pdf][,xlsx]]
                   [--out DIR] [--force] [--min-n N] [--warn-n N] [--timeout SECONDS]

What it does, in order:

1. **Checks the parameters before any kernel starts.** Only the gemeente and wave columns of
   the panel are read (cheap for CSV, parquet and .sav) to learn which waves and gemeenten
   exist; an unknown gemeente gets a :class:`~socvit.errors.DataError` listing the valid
   names for that indeling. Every other parameter (``--min-n``/``--warn-n``, formats,
   ``--timeout``, ``--jobs``, ``compare_to``) and the output folder are checked here too:
   a mistake stops the run with exit code 2 and no report touched. One run at a time
   writes into an output folder (``<out>/.socvit/lock``; a second run waits 10 s, then
   stops naming the first one's pid). Gemeente codes stay strings (``"GM0003"``): papermill writes
   them into the notebook as string literals.
2. **Skips reports that are up to date**: a report is remade only when its stamp changed, a
   hash of the data file (and the codebook and population/gemeente files beside it), the
   notebook, the parameters and the socvit version. ``force=True`` remakes everything (do
   that after changing socvit's code without a version bump; the manifest records a hash
   of socvit's source for such checks).
3. **Validates the data once** (:func:`socvit.io.validate`), in this process while the
   kernels boot, before any of them gets a report: invalid data stop the run with the
   validation report (file, row and column of each problem) instead of failing every report.
4. **Runs the notebook in warm kernels** (:mod:`socvit.runner._kernels`): ``jobs`` worker
   threads each own one kernel that imported pandas, matplotlib, seaborn, statsmodels and
   socvit once; every report starts from a reset namespace and matplotlib state (the code
   that runs in the kernel is :mod:`socvit.runner._warmup`). Parameters are injected the
   papermill way (``papermill.parameterize.parameterize_notebook``).
5. **Exports HTML in-process** (:mod:`socvit.runner._render`): no code, images embedded, no CDN
   scripts; optionally PDF through headless Chromium.
6. **Writes atomically** (:func:`socvit._files.atomic_write`: a temporary file, then
   ``os.replace``): the report files, the manifest and the index are always whole. A run
   killed at any moment leaves only complete reports; the next run makes the missing ones.
   A report whose remake fails keeps its earlier files, marked ``stale`` in the manifest
   and *verouderd* in the index; Ctrl-C and SIGTERM stop the kernels and delete nothing.
   Each report's manifest entry records the data file as its kernel read it
   (``data_sha256``; None, and remade next time, when the file changed meanwhile).

Layout of ``out`` (default ``reports/``)::

    reports/index.html                    overview: headline figures, links to every report
    reports/2023/GM1979-eemsdelta.html    one report per gemeente: <code>-<name>.html
    reports/2023/GM1979-eemsdelta.pdf     with --format html,pdf
    reports/2023/GM1979-eemsdelta.xlsx    with --format ...,xlsx: the table book (written by the
                                          report kernel to the path given as the notebook
                                          parameter ``tabellenboek``)
    reports/2023/kerncijfers-2023.xlsx    with --format ...,xlsx: every gemeente's headline figures
    reports/2023/manifest.json            parameters, hashes, status and duration per report
    reports/.socvit/failed/2023/GM0765-pekela.ipynb   executed notebook of a failed report, error on
                                          top: private, never linked from the index
    reports/.socvit/lock                  held by the run writing into reports/
    reports/2017-indeling-2023/...        a wave recalculated to a later indeling

A failing gemeente does not stop the others; the exit code is 1 when any report failed.
Nothing under ``out`` holds a respondent id or an answer: error texts in the manifest and
in the kernels' data checks name file, row and column only (``SOCVIT_PUBLIC_ERRORS=1`` in
each kernel); ``socvit validate FILE`` shows the values to whoever owns the file.
"""

from ._run import (DEFAULT_NOTEBOOK, FORMATS, ReportJob, ReportOutcome, ReportPlan, RunSummary,
                   cli_reports, plan_reports, run_reports)

__all__ = [
    "run_reports", "plan_reports", "cli_reports", "ReportPlan", "ReportJob", "ReportOutcome",
    "RunSummary", "DEFAULT_NOTEBOOK", "FORMATS",
]
