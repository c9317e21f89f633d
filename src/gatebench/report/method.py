"""The method sections (protocol and data): how the comparison was run, and on what."""

from __future__ import annotations

from typing import Any

from gatebench.analysis.documents import ProtocolDoc, SummaryDoc
from gatebench.numbers import is_finite
from gatebench.protocol.record import trials_only
from gatebench.report.blocks import MISSING, Section, Table, count, num, up
from gatebench.report.load import StudyData

_DATA_KEYS_SHOWN = {
    "source", "n_rows", "n_train", "n_val", "n_test", "seq_len", "truncation", "classes",
    "baseline", "split", "vocab_size", "min_freq", "dropped_rows",
}
_DATA_KEYS_SKIPPED = {"class_counts", "scaling"}
_MAX_CLASSES = 12

def _env(data: StudyData) -> dict[str, Any]:
    records = data.headline_records() or trials_only(data.records)
    return records[0].env if records else {}


def _sizing_text(s: SummaryDoc) -> str:
    sizing = (s.get("protocol") or {}).get("sizing") or {}
    match = sizing.get("match")
    if match == "hidden":
        return f"one hidden size for every cell (H = {sizing.get('reference_hidden')})"
    if match == "params":
        cells = s.get("cells") or {}
        budget = next((c.get("params", {}).get("budget") for c in cells.values()), None)
        ref = sizing.get("reference_cell", "lstm")
        source = (f"an explicit budget of {count(sizing['budget'])}" if sizing.get("budget")
                  else f"the {up(ref)}'s parameter count at H = "
                       f"{sizing.get('reference_hidden')}")
        tol = sizing.get("tolerance")
        within = f" within {tol:.0%}" if is_finite(tol) else ""
        return (f"matched parameters: each cell's hidden size is solved for {source} "
                f"(budget {count(budget)}){within}")
    return str(match or MISSING)


def _train_text(train: dict[str, Any]) -> str:
    parts = []
    names = (("lr", "learning rate {}"), ("batch_size", "batch {}"),
             ("clip_norm", "gradient-norm clip {}"), ("weight_decay", "weight decay {}"),
             ("warmup_steps", "{} timing warm-up steps"))
    for key, text in names:
        if train.get(key) is not None:
            parts.append(text.format(f"{train[key]:g}" if is_finite(train[key]) else train[key]))
    return ", ".join(parts) or MISSING


def _model_text(model: dict[str, Any]) -> str:
    if not model:
        return MISSING
    parts = [f"{model.get('num_layers', 1)} layer(s)",
             "bidirectional" if model.get("bidirectional") else "unidirectional",
             f"dropout {model.get('dropout', 0):g}"]
    if model.get("embed_dim"):
        parts.append(f"token embedding {model['embed_dim']} (tokens only)")
    if model.get("forget_bias") is not None:
        parts.append(f"LSTM forget-gate bias {model['forget_bias']:g} at init")
    return ", ".join(parts)


def protocol(data: StudyData) -> Section:
    """How the comparison was run, and on what machine and software."""
    s = data.summary or {}
    p = s.get("protocol") or {}
    train = p.get("train") or {}
    cells = data.cells
    rows: list[list[Any]] = [
        ["cells", " vs ".join(map(up, cells))],
        ["sizing", _sizing_text(s)],
    ]
    for c in cells:
        cs = s["cells"][c]
        params = cs.get("params") or {}
        rows.append([f"{up(c)} size",
                     f"H = {cs.get('hidden_size')}, {count(params.get('core'))} parameters "
                     f"in the recurrent layers and head ({count(params.get('total'))} in all)"])
    seeds = ", ".join(map(str, s.get("seeds") or ()))
    rows += [
        ["seeds", f"{s.get('n_pairs')} pairs ({seeds}): seed k of each cell sees the same data "
                  "order and initialisation stream"],
        ["model selection", "test on the best-validation checkpoint; stop after "
                            f"{train.get('patience', MISSING)} epochs without a better "
                            f"validation {s.get('metric')}, at most "
                            f"{train.get('max_epochs', MISSING)} epochs"],
        ["training", _train_text(train)],
        ["step floor", "; ".join((s.get("study") or {}).get("training_floor") or ())
         or f"batch size and epochs as set: {train.get('batch_size', MISSING)} and "
            f"{train.get('max_epochs', MISSING)}"],
        ["model", _model_text(p.get("model") or {})],
    ]
    margin = p.get("margin")
    unit = s.get("unit", "points")
    ci = p.get("ci_methods") or {}
    rows += [
        ["verdict rule", f"equivalence margin \u00b1{num(margin, 'g')} {unit}"
                         f"{_margin_source(p)}; "
                         f"{ci.get('difference', 'paired interval of the mean difference')}"],
        ["speed statistic", ci.get("ratios", MISSING)],
        ["divergence", p.get("diverged_rule", MISSING)],
        ["timing", "training compute (forward, backward, step) timed apart from data loading "
                   "and evaluation, after warm-up; "
                   + ("some trials ran concurrently" if p.get("concurrent")
                      else "trials ran one at a time")],
    ]
    env = _env(data)
    machine: list[list[Any]] = []
    for c in cells:
        cs = s["cells"][c]
        threads = cs.get("threads")
        machine.append([f"{up(c)} device", f"{cs.get('device', MISSING)}, {threads} thread"
                                            f"{'' if threads == 1 else 's'}"])
        machine.append([f"{up(c)} kernel", ", ".join(cs.get("kernels") or [MISSING])])
    if env.get("gpu"):
        machine.append(["GPU", f"{env['gpu']} (CUDA {env.get('cuda')}, cuDNN {env.get('cudnn')})"])
    machine += [
        ["CPU", f"{env.get('cpu', MISSING)} ({env.get('cpu_count', MISSING)} logical cores)"],
        ["platform", f"{env.get('platform', MISSING)}, Python {env.get('python', MISSING)}"],
        ["libraries", ", ".join(f"{k} {v}" for k, v in (env.get("versions") or {}).items())
         or MISSING],
        ["commit", str(env.get("commit") or "unknown (not a git checkout)")],
    ]
    return Section("protocol", "Protocol", [
        Table(["", ""], rows, keyvalue=True),
        Table(["", ""], machine, caption="Machine and software", keyvalue=True),
    ])


def _short(value: Any) -> str | None:
    """A description value in one line, or None when it is too bulky to be worth showing."""
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value).lower()
    if isinstance(value, (int, float)):
        return num(value, ",.4g") if isinstance(value, float) else count(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list) and len(value) <= 8 and all(
            isinstance(v, (str, int, float)) for v in value):
        return ", ".join(map(str, value)) or None
    if isinstance(value, dict) and len(value) <= 6:
        parts = [f"{k} {_short(v)}" for k, v in value.items() if _short(v) is not None]
        return ", ".join(parts) if len(parts) == len(value) else None
    return None


def data_section(data: StudyData) -> Section:
    """What was learned from: source, sizes, lengths, classes, truncation, baseline."""
    s = data.summary or {}
    task = s.get("task") or {}
    d = task.get("description") or {}
    rows: list[list[Any]] = [["task", f"{task.get('name')} ({task.get('family', MISSING)}); "
                                      f"test {s.get('metric')}"
                                      f" ({'higher' if s.get('higher_is_better') else 'lower'} "
                                      "is better)"]]
    if d.get("source"):
        rows.append(["source", str(d["source"])])
    if is_finite(d.get("n_train")):
        total = f"{count(d['n_rows'])} rows: " if is_finite(d.get("n_rows")) else ""
        rows.append(["size", f"{total}{count(d['n_train'])} train / {count(d.get('n_val'))} "
                             f"validation / {count(d.get('n_test'))} test"])
    if is_finite(s.get("data_fraction")) and s["data_fraction"] < 1:
        rows.append(["training data used", f"{s['data_fraction']:.0%} of the training split"])
    if d.get("split"):
        rows.append(["split", str(d["split"])])
    rows += _shape_rows(d)
    for key, value in d.items():
        if key in _DATA_KEYS_SHOWN or key in _DATA_KEYS_SKIPPED:
            continue
        text = _short(value)
        if text is not None:
            rows.append([key.replace("_", " "), text])
    return Section("data", "Data", [Table(["", ""], rows, keyvalue=True)])


def _shape_rows(d: dict[str, Any]) -> list[list[Any]]:
    """Lengths, truncation, classes, vocabulary, baseline and dropped rows, where described."""
    rows: list[list[Any]] = []
    lengths = d.get("seq_len")
    if isinstance(lengths, dict):
        rows.append(["sequence length", ", ".join(
            f"{k} {num(v, ',.4g')}" for k, v in lengths.items() if is_finite(v))])
    trunc = d.get("truncation")
    if isinstance(trunc, dict):
        rows.append(["truncation", f"at {trunc.get('max_len')} ({trunc.get('rule', 'cap')}); "
                                   f"{count(trunc.get('truncated_rows'))} rows truncated"])
    classes = d.get("classes")
    if isinstance(classes, dict) and classes:
        shown = " \u00b7 ".join(f"{k} {count(v)}" for k, v in
                                list(classes.items())[:_MAX_CLASSES])
        more = f" \u00b7 \u2026 ({len(classes)} classes)" if len(classes) > _MAX_CLASSES else ""
        rows.append(["classes", shown + more])
    if is_finite(d.get("vocab_size")):
        freq = f" (tokens seen at least {d['min_freq']} times)" if d.get("min_freq") else ""
        rows.append(["vocabulary", f"{count(d['vocab_size'])}{freq}"])
    base = d.get("baseline")
    if isinstance(base, dict) and is_finite(base.get("value")):
        rows.append(["baseline", f"{base.get('metric')} {num(base['value'], '.4g')}: "
                                 f"{base.get('what', '')}"])
    dropped = d.get("dropped_rows")
    if isinstance(dropped, dict) and any(v for v in dropped.values()):
        rows.append(["dropped rows", _short(dropped) or MISSING])
    return rows


def _margin_source(protocol: ProtocolDoc) -> str:
    """" (10% of the arms' skill ...)": where the margin came from, when the summary says."""
    text = (protocol.get("margin_source") or {}).get("text") or ""
    return f" ({text.split(': ', 1)[1]})" if ": " in text else ""
