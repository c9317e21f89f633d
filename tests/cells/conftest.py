"""Shared fixtures for the cells tests: a fixed seed so every test sees the same weights."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _seed() -> None:
    torch.manual_seed(0)
