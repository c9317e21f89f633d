"""`gatebench export`: a study's best checkpoint as checked ONNX or TorchScript files."""

from __future__ import annotations

from pathlib import Path

import typer

from gatebench.cli.main import app
from gatebench.deploy.export import DEFAULT_ATOL
from gatebench.run.deployment import export_study


@app.command("export")
def export_command(
    study_dir: Path = typer.Argument(..., help="A study folder written by gatebench compare.",
                                     show_default=False),
    cell: str = typer.Option(..., "--cell", help="Which cell's best checkpoint to export."),
    fmt: str = typer.Option("onnx", "--format", help="onnx or torchscript."),
    out: Path = typer.Option(None, "--out", help="Output file (default: STUDY_DIR/export/"
                             "<cell>-seed<k>.onnx or .pt); the one-step graph goes beside it "
                             "as <name>-step.<ext>, a manifest as <name>.json."),
    seed: int = typer.Option(None, "--seed", help="Export this seed's checkpoint instead of "
                             "the best-validation one."),
    atol: float = typer.Option(DEFAULT_ATOL, "--atol", help="Largest |exported - PyTorch| "
                               "output difference accepted."),
) -> None:
    """Export the best checkpoint of a cell, after checking it matches PyTorch."""
    done = export_study(study_dir, cell.strip().lower(), fmt.strip().lower(), out=out,
                        seed=seed, atol=atol)
    diffs = ", ".join(f"{graph} {diff:.1e}" for graph, diff in done["max_abs_diff"].items())
    typer.echo(f"Exported {done['cell'].upper()} seed {done['seed']} as {done['format']} "
               f"(max |difference| vs PyTorch: {diffs}; tolerance {done['atol']:g}):")
    for path in [*done["files"], done["manifest"]]:
        typer.echo(f"  {path}")
