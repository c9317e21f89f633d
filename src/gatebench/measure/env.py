"""The environment fingerprint stored with every result: machine, device, threads, versions."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import torch

from gatebench.protocol.record import EnvDoc


def resolve_device(name: str) -> torch.device:
    """'auto' picks CUDA when present; anything else is taken as torch names it."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def available_cores() -> int:
    """How many cores this process may use (its CPU affinity where the OS reports one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def set_threads(threads: int) -> int:
    """Fix the intra-op thread count (0: every core this process may use) and return it."""
    torch.set_num_threads(threads or available_cores())
    return torch.get_num_threads()


@functools.lru_cache(maxsize=1)
def _static_fingerprint() -> EnvDoc:
    versions = {}
    for package in ("gatebench", "torch", "numpy", "pandas", "scipy", "onnxruntime", "ray"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "versions": versions,
        "commit": _git_commit(),
        "mkldnn": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
    }


def fingerprint(device: torch.device) -> EnvDoc:
    """Machine and library facts for one result (cheap after the first call)."""
    env = EnvDoc(**_static_fingerprint())
    env["device"] = str(device)
    env["threads"] = torch.get_num_threads()
    if device.type == "cuda":
        env["gpu"] = torch.cuda.get_device_name(device)
        env["cuda"] = torch.version.cuda
        env["cudnn"] = torch.backends.cudnn.version()
    return env


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=here, capture_output=True,
            text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
