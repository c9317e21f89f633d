"""The commands that would settle the question on the user's own data and hardware."""

from __future__ import annotations

import shlex

from gatebench.advisor.answers import Answers

# What each compare family reads; the placeholder says what to substitute.
PLACEHOLDER = {"text": "YOUR_DATA.csv", "forecast": "YOUR_SERIES.csv",
               "sequence": "YOUR_SEQUENCES.csv", "audio": "YOUR_AUDIO_FOLDER"}
SEEDS = 5  # enough pairs for a margin of about one point on most tasks


def compare_command(answers: Answers, family: str | None = None, seeds: int = SEEDS,
                    out: str = "runs/mine") -> str:
    """`gatebench compare ...` on the user's data: their family and device, `seeds` pairs."""
    family = family or answers.task or "text"
    parts = ["gatebench", "compare", PLACEHOLDER[family], "--task", family, "--seeds",
             str(seeds), "--out", shlex.quote(out)]
    if answers.device == "gpu":
        parts += ["--device", "cuda"]
    return " ".join(parts)


def latency_command() -> str:
    """`gatebench suite --claims inference` on the target machine: latency per runtime."""
    return "gatebench suite --claims inference --out runs/my-latency"
