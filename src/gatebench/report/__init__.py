"""One self-contained HTML report (and a Markdown twin) from a study folder; never imports torch.

`build_report(out_dir)` reads ``results.sqlite`` (via the store), ``summary.json`` (recomputed
with `analysis.summarize` when missing) and the optional inputs below, and writes
``report.html`` (figures as base64 PNG data URIs, inline CSS, no script, nothing fetched) and
``report.md`` (tables and verdict; figures are named and left to the HTML).

Sections that need no extra input: verdict, protocol, data, per-cell results, per-seed pairs,
training-time ratio, parameter counts, learning curves, time to accuracy, environment; and
accuracy by training fraction when the records hold several ``data_fraction`` values.

Optional inputs, each rendered only when present (malformed rows are skipped with a note):

``latency`` -- ``summary["latency"]`` or ``<study>/latency.json``::

    {"rows": [{"cell": "gru", "runtime": "eager", "seq_len": 100, "batch": 1,
               "p50_ms": 0.7, "p95_ms": 0.8, "p99_ms": 0.9,
               "mode": "full"}],            # optional: "full" sequence (default) or "step"
     "device": "cpu", "threads": 2,        # optional
     "note": "..."}                        # optional

``long_range`` -- ``summary["long_range"]`` or ``<study>/long_range.json`` (the suite writes
it with ``claims.long.long_range_view``)::

    {"rows": [{"cell": "lstm", "seq_len": 200, "score": 0.8,   # in [0, 1]: 1 = solved
               "task": "adding",            # optional: one panel per task
               "n": 5, "ci": [0.4, 1.0]}],  # optional: seeds and an interval of the score
     "score_rule": "adding: 1 - MSE / mean predictor's MSE",  # optional: what the score is
     "crossover": {"task": "adding", "seq_len": 400, "text": "..."}}  # optional; a list of
                                            # these (one per task) is accepted too

Older files with "success_rate" (and "success_rule") instead of "score" still read. The
crossover shown is only the one given (the long claim's single definition); the report computes
none of its own, so it never prints a crossover the claim says does not exist.

``claims`` -- ``<study>/claims.json`` (a list, or ``{"claims": [...]}`` as the suite writes
it) or ``summary["claims"]``; each claim as the suite's ClaimResult.to_dict() gives it::

    {"id": "speed", "statement": "GRU trains 20-30% faster",
     "verdict": "supported",                # supported | refuted | mixed | inconclusive
     "reason": "...", "depends_on": None,   # optional
     "effect": {"what": "GRU/LSTM time", "value": 0.78, "ci": [0.74, 0.82], "unit": "ratio"},
     "evidence": [{"label": "...", "what": "...", "value": 0.8, "ci": [0.7, 0.9], "n": 5,
                   "task": "...", "runtime": None, "device": None, "detail": {...}}],
     "excluded": {...}}                     # optional: what was left out, shown as a note

or hand-written: ``"effect"`` as text or a number with a top-level ``"ci"`` ([lo, hi] or
text), and evidence items as text or ``{"text": ..., "href": "#latency"}`` links (an anchor
in this report or a relative path; absolute URLs are shown as text, never linked). Evidence
rows become a table in the claim's own section, which the claims table links to.

A folder with claims but no paired compare results renders the claims alone.
"""

from gatebench.report.build import REPORT_HTML, REPORT_MD, build_report, render_report
from gatebench.report.load import StudyData, load_study

__all__ = ["REPORT_HTML", "REPORT_MD", "StudyData", "build_report", "load_study", "render_report"]
