"""The adaptive-seeding section: each look of `--seeds auto`, its interval, and why it stopped."""

from __future__ import annotations

from gatebench.report import figures as F
from gatebench.report.blocks import FigureBlock, Paragraph, Section, Table, interval, signed
from gatebench.report.load import StudyData


def seeding(data: StudyData, draw: bool = True) -> Section | None:
    """The looks table and plot of an adaptive study; None for a fixed number of seeds."""
    s = data.summary or {}
    state = s.get("seeding") or {}
    looks = state.get("looks") or []
    if not looks:
        return None
    unit = str(s.get("unit", "points"))
    margin = float((s.get("verdict") or {}).get("margin") or 1.0)
    rows = [[str(lk.get("pairs")), signed(lk.get("estimate")), interval(lk.get("ci"), signed),
             str(lk.get("verdict") or lk.get("outcome")), "stop" if lk.get("final") else
             "add a pair"] for lk in looks]
    blocks: list = [
        Paragraph(f"Seeds were added until the verdict was decided: {state.get('method')}. "
                  f"Stopped: {state.get('stopped')}. Each look's interval is at the rule's "
                  "per-look winner level (95% at looks too early to name a winner); the rule is "
                  "anytime-valid, so stopping or going on at any look keeps the false-winner "
                  "rate at or below 5% (its simulated rates: gatebench calibrate)."),
        Table(["pairs", f"difference ({unit})", "interval", "verdict at the look", "then"],
              rows, numeric=(0, 1)),
    ]
    image = F.render(F.seeding_looks, state, margin, unit, data.cells) if draw else None
    blocks.append(FigureBlock("Looks", "The paired difference after each added seed pair with "
                              "its interval; the green band is the equivalence margin, the "
                              "diamond the look that stopped.", image))
    return Section("seeding", "Adaptive seeds", blocks)
