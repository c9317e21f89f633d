"""The shared machinery of the minimal recurrent cells (Feng et al. 2024, "Were RNNs All We
Needed?"): a recurrence h_t = a_t * h_{t-1} + b_t whose coefficients depend on the input only.

Training runs it as a parallel scan in log space (a cumulative sum and a `logcumsumexp` over the
sequence, in chunks of 64 steps for float32 precision, no loop over single steps); inference
runs it one step at a time. The candidate state passes
through g(x) = x + 0.5 for x >= 0, sigmoid(x) otherwise, so b_t > 0 and log b_t exists; the
carried state h_0 may have any sign, because its term exp(cumsum log a) * h_0 is kept apart.
"""

from __future__ import annotations

import warnings
from functools import lru_cache

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from gatebench.errors import SpecError


def g(x: Tensor) -> Tensor:
    """The candidate's activation: x + 0.5 for x >= 0, sigmoid(x) below (positive, continuous)."""
    return torch.where(x >= 0, x + 0.5, torch.sigmoid(x))


def log_g(x: Tensor) -> Tensor:
    """log g(x), computed without forming g(x) where it would underflow."""
    return torch.where(x >= 0, torch.log(F.relu(x) + 0.5), -F.softplus(-x))


# Steps per chunk of the parallel scan. In float32 the log-space form loses about
# |cumsum log a| * 1e-7 relative (a sum of 1,000 strongly forgetting steps: 1e-4), so the scan
# runs in chunks of this many steps, each parallel inside, and carries the state between them.
SCAN_CHUNK = 64


def parallel_scan(log_a: Tensor, log_b: Tensor, h0: Tensor, chunk: int = SCAN_CHUNK) -> Tensor:
    """Every h_t of h_t = a_t h_{t-1} + b_t: (B, T, H) log-coefficients, h0 (B, H); parallel
    within each `chunk` of steps, the state carried from one chunk to the next."""
    outputs, h = [], h0
    for start in range(0, log_a.shape[1], chunk):
        a_star = torch.cumsum(log_a[:, start : start + chunk], dim=1)  # log(a_1 * ... * a_t)
        lb = log_b[:, start : start + chunk]
        inputs = torch.exp(a_star + torch.logcumsumexp(lb - a_star, dim=1))
        out = inputs + torch.exp(a_star) * h.unsqueeze(1)  # (B, C, H)
        outputs.append(out)
        h = out[:, -1]
    return outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=1)


def _loop(a: Tensor, b: Tensor, h0: Tensor) -> Tensor:
    outputs: list[Tensor] = []
    h = h0
    for t in range(a.shape[1]):
        h = a[:, t] * h + b[:, t]
        outputs.append(h)
    return torch.stack(outputs, dim=1)


@lru_cache(maxsize=1)
def _scripted_loop():  # scripted once, on first export: importing gatebench stays cheap
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # TorchScript announces its end
        return torch.jit.script(_loop)


def sequential_scan(a: Tensor, b: Tensor, h0: Tensor) -> Tensor:
    """The same recurrence as a loop over time (linear-space coefficients): what exporters see,
    scripted so an exported graph keeps a dynamic sequence length (an ONNX Loop)."""
    return _scripted_loop()(a, b, h0)


class MinRecurrent(nn.Module):
    """Stacked minimal recurrent layers, batch-first, with torch's RNN call convention:
    `forward(x, h0) -> (outputs, h_n)` and `step(x_t, h) -> (output, h_new)`, h as (L, B, H).

    A subclass says how one Linear projection of the input (`blocks` blocks of H) becomes the
    coefficients: `log_coefficients` for the parallel scan and `coefficients` for a step.
    """

    blocks = 0  # projection blocks per layer; parameters per layer = blocks*H*(I+1)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 dropout: float = 0.0, bidirectional: bool = False) -> None:
        super().__init__()
        if bidirectional:
            raise SpecError(f"{type(self).__name__} runs forward only here (its point is "
                            "streaming); drop --bidirectional")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.layers = nn.ModuleList(
            nn.Linear(input_size if i == 0 else hidden_size, self.blocks * hidden_size)
            for i in range(num_layers))
        self.dropout = nn.Dropout(dropout) if dropout > 0 and num_layers > 1 else nn.Identity()

    def log_coefficients(self, proj: Tensor) -> tuple[Tensor, Tensor]:
        """(log a, log b) from the projection (..., blocks*H), each (..., H)."""
        raise NotImplementedError

    def coefficients(self, proj: Tensor) -> tuple[Tensor, Tensor]:
        """(a, b) from the projection, in linear space, for one step."""
        raise NotImplementedError

    def _below(self, i: int, x: Tensor) -> Tensor:
        """What layer i reads: the input, or the layer below normalised over its H features
        at each step (parameter-free, so per step and causal, like the scan itself). The
        minimal cells' states are positive (g > 0) and drift with the input's level; stacked
        on them raw, the next layer's gates start near saturation (Feng et al. 2024 stack
        their layers with normalisation)."""
        if i == 0:
            return x
        return F.layer_norm(self.dropout(x), (self.hidden_size,))

    def _zero(self, x: Tensor) -> Tensor:
        return x.new_zeros(self.num_layers, x.shape[0], self.hidden_size)

    def forward(self, x: Tensor, h0: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """x (B, T, I) -> outputs (B, T, H), h_n (L, B, H); causal, so padding after a
        sequence's end cannot change its earlier outputs."""
        h0 = self._zero(x) if h0 is None else h0
        finals = []
        for i, layer in enumerate(self.layers):
            proj = layer(self._below(i, x))  # (B, T, I) -> (B, T, blocks*H)
            if torch.jit.is_tracing():  # exporters: a loop they can keep dynamic in T
                x = sequential_scan(*self.coefficients(proj), h0[i])
            else:
                x = parallel_scan(*self.log_coefficients(proj), h0[i])
            finals.append(x[:, -1])
        return x, torch.stack(finals)

    def step(self, x_t: Tensor, h: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """One time step: x_t (B, I) -> output (B, H) and the new state (L, B, H)."""
        h = self._zero(x_t) if h is None else h
        new = []
        for i, layer in enumerate(self.layers):
            a, b = self.coefficients(layer(self._below(i, x_t)))  # (B, blocks*H) -> (B, H) each
            x_t = a * h[i] + b
            new.append(x_t)
        return x_t, torch.stack(new)
