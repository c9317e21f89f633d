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
    cell: str = typer.Option(None, "--cell", help="Which cell's best checkpoint to export "
                             "(a cell the study ran as one arm)."),
    arm: str = typer.Option(None, "--arm", help="Which arm's best checkpoint to export, by "
                            "its label in the study's summary (two arms may share a cell)."),
    fmt: str = typer.Option("onnx", "--format", help="onnx or torchscript."),
    out: Path = typer.Option(None, "--out", help="Output file (default: STUDY_DIR/export/"
                             "<cell or arm>-seed<k>.onnx or .pt); the one-step graph goes "
                             "beside it as <name>-step.<ext>, a manifest as <name>.json."),
    seed: int = typer.Option(None, "--seed", help="Export this seed's checkpoint instead of "
                             "the best-validation one."),
    atol: float = typer.Option(DEFAULT_ATOL, "--atol", help="Largest |exported - PyTorch| "
                               "output difference accepted."),
) -> None:
    """Export the best checkpoint of a cell or arm, after checking it matches PyTorch."""
    done = export_study(study_dir, None if cell is None else cell.strip().lower(),
                        fmt.strip().lower(), arm=None if arm is None else arm.strip(), out=out,
                        seed=seed, atol=atol)
    diffs = ", ".join(f"{graph} {diff:.1e}" for graph, diff in done["max_abs_diff"].items())
    what = done["cell"].upper() if arm is None else f"arm {done['arm']} ({done['cell'].upper()})"
    typer.echo(f"Exported {what} seed {done['seed']} as {done['format']} "
               f"(max |difference| vs PyTorch: {diffs}; tolerance {done['atol']:g}):")
    for path in [*done["files"], done["manifest"]]:
        typer.echo(f"  {path}")
