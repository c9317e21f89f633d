"""Fuzzed user files: every one either loads or is refused with one GatebenchError line.

Hypothesis writes tables (CSV, TSV, JSONL, Parquet), forecast CSVs, sequence `.npz` files and
long CSVs, and audio folders, from well-formed to garbage. Each must load, or raise a
GatebenchError whose message is one line; any other exception is a bug. A refused input
leaves no file behind, in the study folder or beside the data. Examples are few and
derandomised (the same ones every run), so this takes seconds and fails only for a reason.
"""

from __future__ import annotations

import tempfile
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatebench.errors import GatebenchError
from gatebench.protocol import TaskSpec
from gatebench.tasks.registry import load_task

FUZZ = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

LABELS = st.sampled_from(["pos", "neg", "mixed", "", " ", "1", "0", "NaN", "é"])
WORDS = st.lists(st.sampled_from([*"ab ,\"'\t\n\\;é€0", "great", "dull"]),
                max_size=12).map("".join)
CELLS = st.one_of(st.none(), WORDS, st.floats(allow_nan=True, allow_infinity=True),
                  st.integers(-10**6, 10**6), st.booleans())
GARBAGE = st.binary(max_size=300)


@contextmanager
def _folder() -> Iterator[Path]:
    # One fresh folder per example (pytest's tmp_path is one per test, shared by all examples).
    with tempfile.TemporaryDirectory(prefix="gbfuzz") as name:
        yield Path(name)


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


def _loads_or_refuses(name: str, root: Path, **options) -> None:
    """Load the task; a refusal must be one GatebenchError line and leave no file behind."""
    study = root / "study"
    study.mkdir()
    before = _files(root)
    try:
        data = load_task(TaskSpec.make(name, **options), study)
    except GatebenchError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message, repr(message)
        assert _files(root) == before, "a refused input left a file behind"
        return
    for split in (data.train, data.val, data.test):
        assert len(split) > 0 and int(split.lengths.min()) >= 1
        if split.x.is_floating_point():
            assert torch.isfinite(split.x).all()


@st.composite
def mutated(draw, df: pd.DataFrame, values: st.SearchStrategy = CELLS) -> pd.DataFrame:
    """`df` with up to four damaged cells, and now and then a column dropped or added."""
    df = df.astype(object)
    for _ in range(draw(st.integers(0, 4))):
        if len(df):
            df.iat[draw(st.integers(0, len(df) - 1)),
                   draw(st.integers(0, df.shape[1] - 1))] = draw(values)
    if df.shape[1] and draw(st.integers(0, 7)) == 0:
        df = df.drop(columns=draw(st.sampled_from(list(df.columns))))
    if draw(st.integers(0, 7)) == 0:
        df["extra"] = draw(st.lists(values, min_size=len(df), max_size=len(df)))
    if len(df) and draw(st.integers(0, 7)) == 0:
        df = df.iloc[: draw(st.integers(0, len(df) - 1))]  # cut short, maybe to no rows
    return df.infer_objects()


@st.composite
def reviews(draw) -> pd.DataFrame:
    """Labelled reviews a user might have (20-40 rows, two or three labels), then damaged."""
    n = draw(st.integers(20, 40))
    labels = draw(st.sampled_from([("pos", "neg"), ("pos", "neg", "mixed"), (1, 0)]))
    texts = draw(st.lists(WORDS, min_size=n, max_size=n))
    df = pd.DataFrame({"review": [f"{t} great" if i % 2 else f"dull {t}"
                                  for i, t in enumerate(texts)],
                       "sentiment": [labels[i % len(labels)] for i in range(n)]})
    return draw(mutated(df))


@st.composite
def series(draw) -> pd.DataFrame:
    """A time column, a target and a covariate (10-80 rows), then damaged."""
    n = draw(st.integers(10, 80))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    df = pd.DataFrame({"time": np.arange(n), "value": np.sin(np.arange(n) / 5) + rng.normal(
        0, 0.1, n), "temp": rng.normal(size=n)})
    return draw(mutated(df))


@st.composite
def long_sequences(draw) -> pd.DataFrame:
    """Long-format sequences (id, time, label, x1): 6-16 ids of 1-6 steps, then damaged."""
    rows = []
    for i in range(draw(st.integers(6, 16))):
        for t in range(draw(st.integers(1, 6))):
            rows.append({"id": i, "time": t, "label": "up" if i % 2 else "down",
                         "x1": draw(st.floats(-5, 5))})
    return draw(mutated(pd.DataFrame(rows)))


def _write_table(df: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".csv":
        df.to_csv(path, index=False)
    elif path.suffix == ".tsv":
        df.to_csv(path, sep="\t", index=False)
    elif path.suffix == ".jsonl":
        df.to_json(path, orient="records", lines=True)
    else:  # Parquet needs one type per column: mixed columns go as text
        df.astype({c: str for c in df.columns if df[c].dtype == object}).to_parquet(path)


@FUZZ
@given(df=reviews(),
       suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".parquet"]))
def test_text_tables(df: pd.DataFrame, suffix: str) -> None:
    with _folder() as root:
        path = root / f"reviews{suffix}"
        _write_table(df, path)
        _loads_or_refuses("text", root, path=str(path), text_col="review",
                          label_col="sentiment")


@FUZZ
@given(content=GARBAGE, suffix=st.sampled_from([".csv", ".tsv", ".jsonl", ".parquet"]))
def test_text_garbage(content: bytes, suffix: str) -> None:
    with _folder() as root:
        path = root / f"reviews{suffix}"
        path.write_bytes(content)
        _loads_or_refuses("text", root, path=str(path), text_col="review",
                          label_col="sentiment")


@FUZZ
@given(df=series(),
       use_time=st.booleans(), lookback=st.integers(1, 12), horizon=st.integers(1, 4))
def test_forecast_csv(df: pd.DataFrame, use_time: bool, lookback: int, horizon: int) -> None:
    with _folder() as root:
        path = root / "series.csv"
        df.to_csv(path, index=False)
        _loads_or_refuses("forecast", root, path=str(path), target_col="value",
                          time_col="time" if use_time else None, lookback=lookback,
                          horizon=horizon)


@FUZZ
@given(content=GARBAGE)
def test_forecast_garbage(content: bytes) -> None:
    with _folder() as root:
        path = root / "series.csv"
        path.write_bytes(content)
        _loads_or_refuses("forecast", root, path=str(path), target_col="value")


ARRAYS = st.one_of(
    st.builds(lambda shape, fill: np.full(shape, fill),
              st.lists(st.integers(0, 6), min_size=0, max_size=3).map(tuple),
              st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 9))),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=12).map(np.array),
    st.lists(st.integers(-2, 12), max_size=12).map(np.array),
    st.lists(st.sampled_from(["up", "down", ""]), max_size=12).map(np.array),
)


@st.composite
def npz_contents(draw) -> dict[str, np.ndarray]:
    """Mostly well-shaped X, y, lengths (then broken in one way or another), or random arrays."""
    if draw(st.integers(0, 3)) == 0:
        return draw(st.dictionaries(st.sampled_from(["X", "y", "lengths", "other"]), ARRAYS,
                                    max_size=4))
    n, t, f = draw(st.integers(0, 30)), draw(st.integers(0, 8)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.normal(size=(n, t, f))
    if n and t and draw(st.booleans()):
        x[draw(st.integers(0, n - 1)), draw(st.integers(0, t - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf]))
    contents = {"X": x, "y": np.arange(n) % draw(st.sampled_from([2, 2, 3, 1]))}
    if draw(st.booleans()):
        low = draw(st.sampled_from([1, 1, 0, -1]))
        contents["lengths"] = rng.integers(low, t + draw(st.sampled_from([1, 1, 2])), size=n)
    return contents


@FUZZ
@given(contents=npz_contents())
def test_sequence_npz(contents: dict[str, np.ndarray]) -> None:
    with _folder() as root:
        path = root / "sensors.npz"
        np.savez(path, **contents)
        _loads_or_refuses("sequence", root, path=str(path))


@FUZZ
@given(content=GARBAGE)
def test_sequence_npz_garbage(content: bytes) -> None:
    with _folder() as root:
        path = root / "sensors.npz"
        path.write_bytes(content)
        _loads_or_refuses("sequence", root, path=str(path))


@FUZZ
@given(df=long_sequences())
def test_sequence_long_csv(df: pd.DataFrame) -> None:
    with _folder() as root:
        path = root / "long.csv"
        df.to_csv(path, index=False)
        _loads_or_refuses("sequence", root, path=str(path))


def _wav(path: Path, samples: list[float], rate: int, channels: int, width: int) -> None:
    frames = np.repeat(np.asarray(samples, dtype=np.float64), channels)
    scale = {1: 127, 2: 32767, 4: 2**31 - 1}[width]
    pcm = np.clip(np.nan_to_num(frames) * scale, -scale, scale)
    data = ((pcm + 128).astype(np.uint8) if width == 1 else
            pcm.astype({2: "<i2", 4: "<i4"}[width]))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(data.tobytes())


WAV_FILE = st.one_of(
    st.tuples(st.just("wav"), st.lists(st.floats(-1.5, 1.5), max_size=2000),
              st.sampled_from([8000, 16000, 22050]), st.integers(1, 2),
              st.sampled_from([1, 2, 4])),
    st.tuples(st.just("bytes"), GARBAGE),
)


NOISE = st.tuples(st.just("wav"), st.integers(0, 2**16).map(
    lambda seed: list(np.random.default_rng(seed).uniform(-0.5, 0.5, 1600))),
    st.sampled_from([8000, 16000, 22050]), st.integers(1, 2), st.sampled_from([1, 2, 4]))


@FUZZ
@given(folders=st.fixed_dictionaries(
           {"yes": st.lists(NOISE, min_size=4, max_size=5),
            "no": st.lists(NOISE, min_size=4, max_size=5)},
           optional={"maybe": st.lists(WAV_FILE, max_size=2),
                     ".": st.lists(WAV_FILE, max_size=2)}),
       damaged=st.lists(st.tuples(st.sampled_from(["yes", "no"]), st.integers(0, 3), WAV_FILE),
                        max_size=2),
       features=st.sampled_from(["mfcc", "logmel"]))
def test_audio_folders(folders: dict[str, list[tuple]], damaged: list[tuple],
                       features: str) -> None:
    for label, k, file in damaged:  # a good recording replaced by a random or broken one
        folders[label][k] = file
    with _folder() as root:
        data = root / "recordings"
        data.mkdir()
        for label, files in folders.items():
            (data / label).mkdir(exist_ok=True)
            for k, (kind, *args) in enumerate(files):
                path = data / label / f"{k}.wav"
                if kind == "bytes":
                    path.write_bytes(args[0])
                else:
                    _wav(path, *args)
        _loads_or_refuses("audio", root, path=str(data), features=features)
