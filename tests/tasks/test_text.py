"""The text task: reading, cleaning, splitting without leakage, and its bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec
from gatebench.tasks.registry import get_task, load_task
from gatebench.tasks.splits import stratified_assign
from gatebench.tasks.text import Vocabulary, tokenize


def spec(path: Path, **options) -> TaskSpec:
    return TaskSpec.make("text", path=str(path), text_col="review", label_col="sentiment",
                         **options)


def test_loads_csv_into_padded_tensors(reviews_csv: Path) -> None:
    data = load_task(spec(reviews_csv))
    assert data.info.class_names == ("neg", "pos")
    assert data.info.objective == "classification" and data.info.input_kind == "tokens"
    n = len(data.train) + len(data.val) + len(data.test)
    assert n == 240
    for split in (data.train, data.val, data.test):
        assert split.x.dtype == torch.long and (split.lengths >= 1).all()
        assert split.x.shape[1] == int(split.lengths.max())
        # padding sits after each sequence's last token, never inside it
        row = int(split.lengths.argmin())
        assert (split.x[row, split.lengths[row]:] == 0).all()


@pytest.mark.parametrize("suffix", [".tsv", ".parquet", ".jsonl"])
def test_other_formats(tmp_path: Path, reviews_csv: Path, suffix: str) -> None:
    df = pd.read_csv(reviews_csv)
    path = tmp_path / f"reviews{suffix}"
    if suffix == ".tsv":
        df.to_csv(path, sep="\t", index=False)
    elif suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_json(path, orient="records", lines=True)
    assert len(load_task(spec(path)).train) > 100


def test_vocabulary_sees_training_split_only(tmp_path: Path, reviews_csv: Path) -> None:
    df = pd.read_csv(reviews_csv)
    df["split"] = ["train"] * 200 + ["val"] * 20 + ["test"] * 20
    # a word that appears only in test rows must be unknown to the model
    df.loc[220:, "review"] = df.loc[220:, "review"] + " zyzzyva zyzzyva"
    path = tmp_path / "split.csv"
    df.to_csv(path, index=False)
    data = load_task(spec(path, split_col="split"))
    assert (len(data.train), len(data.val), len(data.test)) == (200, 20, 20)
    vocab = Vocabulary([tokenize(t) for t in df.review[:200]])
    assert "zyzzyva" not in vocab.index
    assert data.info.input_size == len(vocab)


def test_truncation_length_comes_from_training_data(tmp_path: Path, reviews_csv: Path) -> None:
    # Validation and test rows far longer than any training row must not move the length.
    df = pd.read_csv(reviews_csv)
    df["split"] = ["train"] * 200 + ["val"] * 20 + ["test"] * 20
    df.loc[200:, "review"] = df.loc[200:, "review"] + " long" * 60
    path = tmp_path / "split.csv"
    df.to_csv(path, index=False)
    data = load_task(spec(path, split_col="split"))
    train_lengths = [max(1, len(tokenize(t))) for t in df.review[:200]]
    expected = int(np.ceil(np.percentile(train_lengths, 95)))
    trunc = data.info.description["truncation"]
    assert trunc["max_len"] == expected < 60
    assert data.val.x.shape[1] == data.test.x.shape[1] == expected  # long rows cut to it
    assert trunc["truncated_rows"] == 40 + sum(n > expected for n in train_lengths)
    capped = load_task(spec(reviews_csv, max_len=4))
    assert int(capped.train.lengths.max()) == 4


def test_split_is_stratified_and_reproducible() -> None:
    labels = np.array([0] * 90 + [1] * 10)
    a = stratified_assign(labels, 0.1, 0.1, 3, ("a", "b"), "t")
    b = stratified_assign(labels, 0.1, 0.1, 3, ("a", "b"), "t")
    assert (a == b).all()
    for part in (1, 2):
        assert (labels[a == part] == 1).sum() == 1 and (labels[a == part] == 0).sum() == 9


def test_messy_rows_dropped_with_a_count(tmp_path: Path, caplog) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(
        'review,sentiment\n"good, really good",pos\n  ,neg\n"bad, truly",\n'
        + "".join(f'"  fine film {i}  ",{"pos" if i % 2 else "neg"}\n' for i in range(30)),
        encoding="utf-8",
    )
    with caplog.at_level("WARNING", logger="gatebench"):
        data = load_task(spec(path))
    assert len(data.train) + len(data.val) + len(data.test) == 31
    assert "1 rows with no label and 1 rows with no text" in caplog.text
    assert data.info.description["dropped_rows"] == {"missing_label": 1, "empty_text": 1}


@pytest.mark.parametrize(
    "content, words",
    [
        (None, ["not found"]),
        ("", ["empty"]),
        ("review,sentiment\n", ["no data rows"]),
        ("review,stars\nok,1\n", ["no column 'sentiment'", "review, stars"]),
        ("review,sentiment\n ,pos\n ,neg\n", ["no text at all"]),
        ("review,sentiment\n" + "good,pos\n" * 10, ["fewer than 2 classes"]),
        ("review,sentiment\n" + "good,pos\nbad,neg\n" * 10 + "meh,mixed\n", ["'mixed'", "3"]),
        ("\x00\x01\x02garbage\xff", ["cannot read"]),
    ],
)
def test_bad_input_is_one_clear_data_error(tmp_path: Path, content, words) -> None:
    path = tmp_path / "bad.csv"
    if content is not None:
        path.write_bytes(content.encode("latin-1") if "\xff" in content else content.encode())
    with pytest.raises(DataError) as err:
        load_task(spec(path))
    message = str(err.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_unknown_format_and_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "reviews.xlsx"
    path.write_text("x")
    with pytest.raises(DataError, match="unknown format"):
        load_task(spec(path))
    with pytest.raises(SpecError, match="needs a data file"):
        load_task(TaskSpec.make("text"))


def test_reference_rotten_tomatoes_loads_offline() -> None:
    data = load_task(TaskSpec.make("rotten-tomatoes"))
    d = data.info.description
    assert d["n_rows"] == 12808 and d["classes"] == {"fresh": 7403, "rotten": 5405}
    assert d["seq_len"]["median"] < 30
    assert get_task("rotten-tomatoes").reference
