"""The `normalise` option of sequence and audio tasks: per feature on train, or per sequence."""

from __future__ import annotations

import numpy as np
import pytest

from gatebench.errors import SpecError
from gatebench.protocol import TaskSpec
from gatebench.tasks.registry import load_task


def test_instance_normalisation_changes_the_inputs_and_is_described() -> None:
    # BasicMotions holds raw sensor values (ItalyPowerDemand is z-normalised per case already)
    feature = load_task(TaskSpec.make("basic-motions"))
    instance = load_task(TaskSpec.make("basic-motions", normalise="instance"))
    assert instance.info.description["scaling"]["normalise"] == "instance"
    assert feature.info.description["scaling"]["normalise"] == "feature"
    assert len(instance.train) == len(feature.train)
    assert not np.allclose(instance.train.x.numpy(), feature.train.x.numpy())


def test_unknown_normalisation_lists_the_choices() -> None:
    with pytest.raises(SpecError, match="normalise must be one of feature, instance"):
        load_task(TaskSpec.make("italy-power", normalise="minmax"))
