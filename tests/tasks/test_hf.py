"""Hugging Face datasets saved with `save_to_disk`, built here, read as text and sequence tasks."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from gatebench.cli.main import main
from gatebench.tasks.hf import is_hf_folder
from tests.conftest import make_reviews

datasets = pytest.importorskip("datasets", reason="the hf extra: pip install 'gatebench[hf]'")
datasets.disable_progress_bars()

# --executor local: trials in this process (auto would spawn a process pool: seconds of imports)
TINY = ["--seeds", "1", "--max-epochs", "1", "--hidden", "8", "--embed-dim", "8",
        "--threads", "1", "--no-latency", "--executor", "local"]


def review_dataset(n: int = 240, seed: int = 0) -> datasets.Dataset:
    """make_reviews as a Dataset whose label is a ClassLabel (ids 0/1 named neg/pos)."""
    frame = make_reviews(n, seed).rename(columns={"review": "text", "sentiment": "label"})
    features = datasets.Features({"text": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["neg", "pos"])})
    return datasets.Dataset.from_dict(
        {"text": frame["text"].tolist(),
         "label": [["neg", "pos"].index(v) for v in frame["label"]]}, features=features)


def wave_dataset(n: int = 90, seed: int = 0) -> datasets.Dataset:
    """Variable-length two-channel sequences (a list column and a list-of-lists column)."""
    rng = np.random.default_rng(seed)
    rows = {"x": [], "xy": [], "label": [], "id": []}
    for i in range(n):
        label = ("up", "down", "flat")[i % 3]
        t = np.arange(rng.integers(5, 12), dtype=np.float64)
        slope = {"up": 1.0, "down": -1.0, "flat": 0.0}[label]
        rows["x"].append((slope * t + rng.normal(0, 0.1, len(t))).tolist())
        rows["xy"].append(np.stack([t, rng.normal(0, 1, len(t))], axis=1).tolist())
        rows["label"].append(label)
        rows["id"].append(i)
    return datasets.Dataset.from_dict(rows)


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_saved_dataset_of_text_runs_end_to_end(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "reviews_hf"
    review_dataset().save_to_disk(str(folder))
    assert is_hf_folder(folder) and not is_hf_folder(tmp_path)
    code, out, err = run_cli(["compare", str(folder), *TINY, "--out", str(tmp_path / "s")],
                             capsys)
    assert code == 0, err
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    description = summary["task"]["description"]
    assert description["n_train"] + description["n_val"] + description["n_test"] == 240
    assert set(description["classes"]) == {"neg", "pos"}  # ClassLabel ids became their names
    assert description["split"].startswith("stratified 80/10/10")  # no splits of its own
    assert (tmp_path / "s" / "report.html").is_file()


def test_dataset_dict_keeps_its_own_splits(tmp_path: Path, load_gb_task) -> None:
    folder = tmp_path / "dd"
    datasets.DatasetDict(train=review_dataset(160, 1), validation=review_dataset(30, 2),
                         test=review_dataset(50, 3)).save_to_disk(str(folder))
    data = load_gb_task("text", path=str(folder))
    assert (len(data.train), len(data.val), len(data.test)) == (160, 30, 50)
    assert "the dataset's own splits: train → train, validation → val, test → test" in \
        data.info.description["split"]


def test_dataset_dict_without_validation_carves_it_from_train(tmp_path: Path,
                                                               load_gb_task) -> None:
    folder = tmp_path / "dd"
    unlabelled = review_dataset(20, 4).map(lambda row: {"label": -1})  # like IMDB's extra split
    datasets.DatasetDict(train=review_dataset(200, 1), test=review_dataset(40, 3),
                         unsupervised=unlabelled).save_to_disk(str(folder))
    data = load_gb_task("text", path=str(folder))
    assert (len(data.train), len(data.val), len(data.test)) == (180, 20, 40)
    rule = data.info.description["split"]
    assert "validation: 10% of train" in rule and "not used: unsupervised" in rule


def test_dataset_dict_with_its_splits_runs_end_to_end(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "dd"
    datasets.DatasetDict(train=review_dataset(160, 1), validation=review_dataset(30, 2),
                         test=review_dataset(50, 3)).save_to_disk(str(folder))
    code, _, err = run_cli(["compare", str(folder), *TINY, "--out", str(tmp_path / "s")], capsys)
    assert code == 0, err
    description = json.loads((tmp_path / "s" / "summary.json").read_text())["task"]["description"]
    assert (description["n_train"], description["n_val"], description["n_test"]) == (160, 30, 50)


def test_list_valued_columns_are_sequences(tmp_path: Path, load_gb_task, check_gb_task) -> None:
    folder = tmp_path / "waves"
    wave_dataset().save_to_disk(str(folder))
    data = load_gb_task("sequence", path=str(folder))
    check_gb_task(data)
    assert data.info.input_size == 3  # x (one channel) beside xy (two); the id column is not one
    assert data.info.class_names == ("down", "flat", "up")
    lengths = np.concatenate([s.lengths.numpy() for s in (data.train, data.val, data.test)])
    assert lengths.min() >= 5 and lengths.max() <= 11 and len(set(lengths)) > 1


def test_sequence_dataset_dict_keeps_its_splits(tmp_path: Path, load_gb_task) -> None:
    folder = tmp_path / "waves"
    datasets.DatasetDict(train=wave_dataset(60, 0), test=wave_dataset(30, 1),
                         validation=wave_dataset(15, 2)).save_to_disk(str(folder))
    data = load_gb_task("sequence", path=str(folder))
    assert (len(data.train), len(data.val), len(data.test)) == (60, 15, 30)


@pytest.mark.parametrize("make, args, words", [
    (lambda p: p.mkdir(), [], ["is a folder", "save_to_disk"]),
    (lambda p: p.mkdir(), ["--task", "sequence"], ["not found"]),
    (lambda p: wave_dataset().save_to_disk(str(p)), [], ["no column 'text'"]),
    (lambda p: review_dataset().save_to_disk(str(p)), ["--task", "sequence"],
     ["no list-valued column", "--task text"]),
    (lambda p: (review_dataset().save_to_disk(str(p)),
                next(p.glob("*.arrow")).write_bytes(b"not arrow")),
     [], ["cannot read the Hugging Face dataset"]),
])
def test_bad_folders_one_line_exit_2(tmp_path: Path, capsys, make, args, words) -> None:
    folder = tmp_path / "data"
    make(folder)
    code, out, err = run_cli(["compare", str(folder), *TINY, *args, "--out",
                              str(tmp_path / "o")], capsys)
    assert code == 2 and err.count("\n") == 1 and err.startswith("gatebench: error: "), err
    assert all(word in err for word in words), err
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_without_the_extra_one_line_says_what_to_install(tmp_path: Path, capsys,
                                                          monkeypatch) -> None:
    folder = tmp_path / "reviews_hf"
    review_dataset().save_to_disk(str(folder))
    monkeypatch.setitem(sys.modules, "datasets", None)  # what an install without it sees
    code, _, err = run_cli(["compare", str(folder), *TINY, "--out", str(tmp_path / "o")], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "Hugging Face dataset" in err and "pip install 'gatebench[hf]'" in err
    assert not (tmp_path / "o").exists()
