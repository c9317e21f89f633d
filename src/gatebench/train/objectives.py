"""Losses and additive metric statistics per objective; knows objectives, not tasks or cells."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from gatebench.errors import UnknownNameError

IGNORE = -100  # tagging targets with this value are not scored


@dataclass(frozen=True)
class Objective:
    """Loss for training plus metrics built from sums, so batches of any length combine exactly."""

    name: str
    num_classes: int = 0
    target_scale: tuple[float, float] | None = None

    def loss(self, pred: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean training loss of one batch."""
        if self.name == "regression":
            return F.mse_loss(pred, y)
        return F.cross_entropy(pred.reshape(-1, pred.shape[-1]), y.reshape(-1),
                               ignore_index=IGNORE)

    def batch_stats(self, pred: torch.Tensor, y: torch.Tensor) -> dict[str, torch.Tensor]:
        """Sums that `finalize` turns into metrics (kept on the device until the end)."""
        if self.name == "regression":
            std = self.target_scale[1] if self.target_scale else 1.0
            err = (pred - y) * std  # errors in the target's original units
            return {"n": torch.tensor(float(y.numel()), device=y.device),
                    "loss_sum": F.mse_loss(pred, y, reduction="sum"),
                    "abs_sum": err.abs().sum(), "sq_sum": (err * err).sum()}
        flat_pred, flat_y = pred.reshape(-1, pred.shape[-1]), y.reshape(-1)
        scored = flat_y != IGNORE
        flat_pred, flat_y = flat_pred[scored], flat_y[scored]
        guess = flat_pred.argmax(-1)
        k = self.num_classes
        confusion = torch.bincount(flat_y * k + guess, minlength=k * k).reshape(k, k)
        return {"n": torch.tensor(float(flat_y.numel()), device=y.device),
                "loss_sum": F.cross_entropy(flat_pred, flat_y, reduction="sum"),
                "confusion": confusion}

    def finalize(self, sums: dict[str, torch.Tensor]) -> dict[str, float]:
        """Metrics from accumulated sums: accuracy/macro-F1, or MAE/RMSE/MSE in original units."""
        n = float(sums["n"])
        out = {"loss": float(sums["loss_sum"]) / max(n, 1.0)}
        if self.name == "regression":
            out["mae"] = float(sums["abs_sum"]) / max(n, 1.0)
            out["mse"] = float(sums["sq_sum"]) / max(n, 1.0)
            out["rmse"] = math.sqrt(out["mse"])
            return out
        confusion = sums["confusion"].double()
        tp = confusion.diag()
        out["accuracy"] = float(tp.sum() / confusion.sum().clamp(min=1))
        precision = tp / confusion.sum(0).clamp(min=1)
        recall = tp / confusion.sum(1).clamp(min=1)
        f1 = 2 * precision * recall / (precision + recall).clamp(min=1e-12)
        present = confusion.sum(1) > 0  # macro over classes that occur in the targets
        out["macro_f1"] = float(f1[present].mean()) if present.any() else 0.0
        return out


def make_objective(
    name: str, output_size: int, target_scale: tuple[float, float] | None = None
) -> Objective:
    """The objective for a TaskInfo.objective name."""
    if name not in ("classification", "regression", "tagging"):
        raise UnknownNameError("objective", name, ["classification", "regression", "tagging"])
    return Objective(name=name, num_classes=output_size, target_scale=target_scale)
