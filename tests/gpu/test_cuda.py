"""The CUDA path: cuDNN kernels named, clocks that wait for the device, a tiny study on cuda.

Every test here is marked `gpu`; without a CUDA device they skip, saying so (tests/conftest.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from gatebench.api import study_spec, task_spec
from gatebench.cells import RecurrentEncoder, cell_names, get_cell
from gatebench.cli.main import main
from gatebench.measure import Stopwatch, detect_rnn_kernel
from gatebench.run import run_study
from tests.conftest import TINY

pytestmark = pytest.mark.gpu
CUDNN = "cuDNN (_cudnn_rnn)"


@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_fused_cell_runs_on_cudnn(bidirectional: bool) -> None:
    device = torch.device("cuda")
    x = torch.randn(8, 20, 4, device=device)
    lengths = torch.tensor([20, 3, 7, 20, 1, 12, 9, 20], device=device)
    for cell in (c for c in cell_names() if get_cell(c).fused):  # minGRU/minLSTM: a scan
        encoder = RecurrentEncoder(cell, 4, 32, bidirectional=bidirectional).to(device)
        assert detect_rnn_kernel(lambda enc=encoder: enc(x, lengths), device) == CUDNN, cell


def test_stopwatch_waits_for_queued_cuda_work() -> None:
    device = torch.device("cuda")
    a = torch.randn(4096, 4096, device=device)
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize(device)
    watch = Stopwatch(device)
    with watch:  # the launches return at once; the sample must cover the device's work
        start.record()
        for _ in range(20):
            a = torch.tanh(a @ a)
        end.record()
    device_s = start.elapsed_time(end) / 1e3
    assert device_s > 0.001  # enough work that a missing synchronisation would show
    assert watch.samples[0] >= 0.95 * device_s


def test_tiny_study_trains_every_cell_on_cuda(reviews_csv: Path, tmp_path: Path) -> None:
    study = study_spec(task_spec(reviews_csv, text_col="review", label_col="sentiment"),
                       **{**TINY, "device": "cuda"})
    records = run_study(study, tmp_path / "study")
    assert len(records) == len(study.trials())
    for record in records:
        assert record["status"] == "ok" and record["device"].startswith("cuda")
        assert record["kernel"] == CUDNN
        assert record["env"]["gpu"] and record["env"]["cudnn"]
        assert record["timing"]["train_compute_s"] > 0


def test_compare_on_cuda_end_to_end(reviews_csv: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "cuda"
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(reviews_csv), "--text-col", "review", "--label-col", "sentiment",
              "--seeds", "2", "--max-epochs", "2", "--hidden", "16", "--embed-dim", "16",
              "--device", "cuda", "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert exit_info.value.code == 0, err
    assert "Verdict:" in stdout and CUDNN.split()[0] in stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["n_pairs"] == 2
