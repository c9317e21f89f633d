"""Kernel detection reads the profiler; Ctrl-C during it is held until it is safe."""

from __future__ import annotations

import os
import signal

import pytest
import torch

from gatebench.measure import kernels
from gatebench.measure.kernels import ctrl_c_deferred, detect_rnn_kernel


@pytest.mark.parametrize("rnn, words", [(torch.nn.LSTM, "oneDNN"), (torch.nn.GRU, "aten::gru")])
def test_cpu_kernels_are_named_from_the_profile(rnn, words) -> None:
    layer, x = rnn(8, 8, batch_first=True), torch.randn(2, 5, 8)
    assert words in detect_rnn_kernel(lambda: layer(x)[0].sum().backward(), torch.device("cpu"))


def test_no_rnn_in_the_profile_says_so() -> None:
    assert detect_rnn_kernel(lambda: torch.ones(3) * 2, torch.device("cpu")).startswith("unknown")


def test_a_keyed_answer_is_profiled_once_per_process(monkeypatch) -> None:
    monkeypatch.setattr(kernels, "_KNOWN", {})
    layer, x, calls = torch.nn.GRU(4, 4, batch_first=True), torch.randn(2, 3, 4), []

    def run() -> None:
        calls.append(1)
        layer(x)

    cpu = torch.device("cpu")
    first = detect_rnn_kernel(run, cpu, key="gru")
    assert "aten::gru" in first and detect_rnn_kernel(run, cpu, key="gru") == first
    assert len(calls) == 1
    detect_rnn_kernel(run, cpu)  # no key: profiled every time
    monkeypatch.setattr(torch.backends.mkldnn, "enabled", False)  # a switch is in the key
    detect_rnn_kernel(run, cpu, key="gru")
    assert len(calls) == 3


def test_an_answer_whose_run_draws_random_numbers_is_not_kept(monkeypatch) -> None:
    monkeypatch.setattr(kernels, "_KNOWN", {})
    layer, x = torch.nn.LSTM(4, 4, batch_first=True), torch.randn(2, 3, 4)
    drop = torch.nn.Dropout(0.5)
    states = []

    def run() -> None:
        states.append(torch.random.get_rng_state())
        layer(drop(x))

    for _ in range(2):
        assert "oneDNN" in detect_rnn_kernel(run, torch.device("cpu"), key="lstm-dropout")
    assert len(states) == 2 and not torch.equal(*states)  # run again, the stream moved on


@pytest.fixture
def sigint(request):
    """Set SIGINT's handler for one test (a runner may start us with Ctrl-C ignored)."""
    saved = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, request.param)
    yield request.param
    signal.signal(signal.SIGINT, saved)


@pytest.mark.parametrize("sigint", [signal.default_int_handler], indirect=True)
def test_ctrl_c_is_held_until_the_block_ends_then_raised(sigint) -> None:
    finished = False
    with pytest.raises(KeyboardInterrupt), ctrl_c_deferred():
        os.kill(os.getpid(), signal.SIGINT)
        finished = True  # the block runs to its end despite the signal
    assert finished
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("sigint", [signal.SIG_IGN], indirect=True)
def test_an_ignored_ctrl_c_stays_ignored(sigint) -> None:
    with ctrl_c_deferred():
        os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
