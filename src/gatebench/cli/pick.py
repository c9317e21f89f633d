"""The pick in the terminal: shared by `compare` and `advise --study` (imports no torch)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel

if TYPE_CHECKING:
    from gatebench.analysis.documents import PickDoc


def render_decision(decision: PickDoc | None, console: Console) -> None:
    """The pick: its headline in a panel, then one line per factor with its interval."""
    if not decision:
        return
    body = "\n".join(f"• {line}" for line in decision.get("reasons") or [])
    notes = "\n".join(decision.get("notes") or [])
    priority = f"priority: {decision.get('priority')}"
    console.print(Panel(f"[bold]{escape(decision['headline'])}[/bold]\n{escape(body)}"
                        + (f"\n[dim]{escape(notes)}[/dim]" if notes else ""),
                        title="The pick, for this data on this hardware", subtitle=priority,
                        expand=False))
