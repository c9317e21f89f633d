"""minLSTM (Feng et al. 2024): h_t = f'_t h_{t-1} + i'_t g(h~_t), with the forget and input
gates normalised to sum to one (f' = f / (f + i)), all from x_t alone."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from gatebench.cells.scan import MinRecurrent, g, log_g


class MinLSTM(MinRecurrent):
    """minLSTM layers: one Linear per layer gives the forget gate, input gate and candidate."""

    blocks = 3  # f, i, h~

    def log_coefficients(self, proj: Tensor) -> tuple[Tensor, Tensor]:
        f, i, candidate = proj.chunk(3, dim=-1)
        # log f' = log f - log(f + i) = -softplus(log i - log f), with log sigmoid(x) =
        # -softplus(-x); likewise log i' = -softplus(log f - log i).
        diff = F.softplus(-f) - F.softplus(-i)  # log i - log f
        return -F.softplus(diff), -F.softplus(-diff) + log_g(candidate)

    def coefficients(self, proj: Tensor) -> tuple[Tensor, Tensor]:
        f, i, candidate = proj.chunk(3, dim=-1)
        f, i = torch.sigmoid(f), torch.sigmoid(i)
        total = f + i
        return f / total, i / total * g(candidate)
