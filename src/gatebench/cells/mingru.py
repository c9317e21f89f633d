"""minGRU (Feng et al. 2024): h_t = (1 - z_t) h_{t-1} + z_t g(h~_t), z and h~ from x_t alone."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from gatebench.cells.scan import MinRecurrent, g, log_g


class MinGRU(MinRecurrent):
    """minGRU layers: one Linear per layer gives the update gate z and the candidate h~."""

    blocks = 2  # z, h~

    def log_coefficients(self, proj: Tensor) -> tuple[Tensor, Tensor]:
        k, candidate = proj.chunk(2, dim=-1)
        # log(1 - sigmoid(k)) = -softplus(k); log sigmoid(k) = -softplus(-k)
        return -F.softplus(k), -F.softplus(-k) + log_g(candidate)

    def coefficients(self, proj: Tensor) -> tuple[Tensor, Tensor]:
        k, candidate = proj.chunk(2, dim=-1)
        z = torch.sigmoid(k)
        return 1 - z, z * g(candidate)
