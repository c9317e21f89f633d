"""The fit loop and its callbacks; knows modules and batches, not cell or task names."""

from gatebench.train.batches import Batch, Batcher
from gatebench.train.callbacks import Callback, EarlyStopping, EpochRecord
from gatebench.train.fit import FitResult, accuracy_by_length, evaluate, fit, train_step
from gatebench.train.objectives import Objective, make_objective

__all__ = [
    "Batch",
    "Batcher",
    "Callback",
    "EarlyStopping",
    "EpochRecord",
    "FitResult",
    "Objective",
    "accuracy_by_length",
    "evaluate",
    "fit",
    "make_objective",
    "train_step",
]
