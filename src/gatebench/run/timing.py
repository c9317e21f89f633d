"""Training-step microbenchmarks: a spec's cells interleaved, native and kernel-neutral kernels."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Callable, Iterator

import torch
from torch import nn

from gatebench.cells import RecurrentEncoder, resolve_hidden_sizes
from gatebench.cells.neutral import NeutralRecurrent
from gatebench.measure import Stopwatch, detect_rnn_kernel, fingerprint, resolve_device, set_threads
from gatebench.protocol import SizingConfig
from gatebench.protocol.record import StepTimingRecord
from gatebench.protocol.timing import StepTimingSpec

N_CLASSES = 2


class _Classifier(nn.Module):
    """Recurrent core + linear head on the last hidden state, the shape of a real task."""

    def __init__(self, core: nn.Module, hidden: int, native: bool) -> None:
        super().__init__()
        self.core, self.native = core, native
        self.head = nn.Linear(hidden, N_CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = self.core(x).last_hidden if self.native else self.core(x)  # (B, H)
        return self.head(last)


def hidden_sizes(spec: StepTimingSpec) -> dict[str, int]:
    """Each of the spec's cells' hidden size under its sizing (the LSTM at `hidden` is the
    budget)."""
    sizing = SizingConfig(match=spec.sizing, reference_cell="lstm", reference_hidden=spec.hidden)
    sizes = resolve_hidden_sizes(spec.cells, sizing, spec.input_size, N_CLASSES, 1, False)
    return {cell: s["hidden_size"] for cell, s in sizes.items()}


def _build(spec: StepTimingSpec, cell: str, hidden: int) -> nn.Module:
    torch.manual_seed(0)
    if spec.impl == "native":
        core = RecurrentEncoder(cell, spec.input_size, hidden)
    else:
        core = NeutralRecurrent(cell, spec.input_size, hidden)
    return _Classifier(core, hidden, spec.impl == "native")


def time_cell(spec: StepTimingSpec, cell: str, hidden: int,
              device: torch.device) -> tuple[list[float], str, int]:
    """Raw training-step times (ms) after warm-up, the kernel that ran, and the parameters."""
    model = _build(spec, cell, hidden).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    g = torch.Generator().manual_seed(1)
    x = torch.randn(spec.batch, spec.seq_len, spec.input_size, generator=g).to(device)
    y = torch.randint(0, N_CLASSES, (spec.batch,), generator=g).to(device)
    loss_fn = nn.CrossEntropyLoss()

    def step() -> None:
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(x), y).backward()
        optimizer.step()

    for _ in range(spec.warmup):
        step()
    # full-length float inputs, no dropout: the cell and dtype decide the kernel
    kernel = (detect_rnn_kernel(step, device, key=(cell, x.dtype)) if spec.impl == "native"
              else "kernel-neutral")
    clock = Stopwatch(device)
    for _ in range(spec.repeats):
        with clock:
            step()
    params = sum(p.numel() for p in model.parameters())
    return [1e3 * s for s in clock.samples], kernel, params


def run_step_timings(
    specs: list[StepTimingSpec],
    rounds: int,
    *,
    done: Callable[[str], bool] = lambda spec_id: False,
) -> Iterator[StepTimingRecord]:
    """Yield one record per cell × spec × round; cells alternate order between rounds.

    Interleaving matters: timings drift 10–30% between time windows on shared machines, so
    each round measures both cells back to back and ratios are taken within a round.
    """
    for spec in specs:
        threads = set_threads(spec.threads)
        device = resolve_device(spec.device)
        sizes = hidden_sizes(spec)
        for r in range(rounds):
            order = spec.cells if r % 2 == 0 else spec.cells[::-1]
            for cell in order:
                spec_id = spec.spec_id(cell, r)
                if done(spec_id):
                    continue
                samples, kernel, params = time_cell(spec, cell, sizes[cell], device)
                yield {
                    "kind": "step_timing", "spec_id": spec_id, "cell": cell,
                    "impl": spec.impl, "sizing": spec.sizing, "config_key": spec.config_key,
                    "hidden_size": sizes[cell], "reference_hidden": spec.hidden,
                    "params": params, "input_size": spec.input_size,
                    "seq_len": spec.seq_len, "batch": spec.batch, "threads": threads,
                    "device": str(device), "kernel": kernel, "round": r,
                    "median_ms": statistics.median(samples), "samples_ms": samples,
                    "concurrent": False, "status": "ok", "env": fingerprint(device),
                    "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                }
