"""Sequence family: the .ts reader, UCR/UEA reference sets, user arrays, splits and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from gatebench.errors import DataError
from gatebench.tasks.readers import read_ts
from gatebench.tasks.registry import get_task

TS_TEXT = """# a comment
@problemName Toy
@univariate false
@dimensions 2
@equalLength false
@classLabel true up down
@data
1,2,3:4,5,6:up
7,8:9,10:down
"""


@pytest.mark.parametrize(
    ("name", "n_test", "channels", "length", "n_classes"),
    [
        ("gunpoint", 150, 1, (150, 150), 2),
        ("italy-power", 1029, 1, (24, 24), 2),
        ("arrowhead", 175, 1, (251, 251), 3),
        ("basic-motions", 40, 6, (100, 100), 4),
        ("japanese-vowels", 370, 12, (7, 29), 9),
        ("osuleaf", 242, 1, (427, 427), 6),
        ("acsf1", 100, 1, (1460, 1460), 10),
    ],
)
def test_archive_sets_load(load_gb_task, check_gb_task, valid_gb_frames, name, n_test,
                           channels, length, n_classes):
    data = load_gb_task(name)
    check_gb_task(data)
    info, d = data.info, data.info.description
    assert get_task(name).family == "sequence" and get_task(name).reference
    assert (info.objective, info.metric, info.input_size) == ("classification", "accuracy",
                                                              channels)
    assert len(data.test) == n_test and len(info.class_names) == n_classes
    assert (d["seq_len"]["min"], d["seq_len"]["max"]) == length
    assert sum(d["classes"].values()) == d["n_train"] + d["n_val"] + d["n_test"]
    # Standardisation was fitted on the training split: exactly zero mean, unit std there.
    frames = valid_gb_frames(data.train)
    np.testing.assert_allclose(frames.mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(frames.std(0), 1.0, atol=1e-3)


def test_archive_validation_is_stratified_and_seeded(load_gb_task):
    a, b = load_gb_task("basic-motions"), load_gb_task("basic-motions")
    assert torch.equal(a.val.x, b.val.x)
    assert a.info.description["class_counts"]["val"] == {
        "Standing": 2, "Running": 2, "Walking": 2, "Badminton": 2}
    c = load_gb_task("basic-motions", split_seed=1)
    assert not torch.equal(a.val.x, c.val.x)


def test_ts_reader(tmp_path):
    path = tmp_path / "toy.ts"
    path.write_text(TS_TEXT)
    seqs, labels, declared = read_ts(path)
    assert declared == ("up", "down") and labels.tolist() == ["up", "down"]
    assert seqs[0].shape == (3, 2) and seqs[1].tolist() == [[7, 9], [8, 10]]


@pytest.mark.parametrize(
    ("line", "message"),
    [("1,?,3:up", "missing values"), ("1,2:3:up", "unequal lengths"), ("1,x:up", "not a number")],
)
def test_ts_reader_rejects_bad_cases(tmp_path, line, message):
    path = tmp_path / "bad.ts"
    path.write_text(f"@classLabel true up\n@data\n{line}\n")
    with pytest.raises(DataError, match=f"line 3: .*{message}"):
        read_ts(path)


def _save_npz(tmp_path, **arrays):
    path = tmp_path / "seqs.npz"
    np.savez(path, **arrays)
    return str(path)


def test_npz_split_has_no_leakage_and_train_only_scaling(tmp_path, load_gb_task, check_gb_task,
                                                        valid_gb_frames):
    rng = np.random.default_rng(0)
    n, t = 60, 12
    x = rng.normal(size=(n, t, 2)) + 5.0
    x[:, :, 0] = np.arange(n)[:, None]  # channel 0 names the row, to find it after splitting
    lengths = rng.integers(3, t + 1, n)
    x[np.arange(t)[None, :] >= lengths[:, None]] = np.nan  # padding is not data: ignored
    y = np.repeat(["cat", "dog", "eel"], n // 3)
    data = load_gb_task("sequence", path=_save_npz(tmp_path, X=x, y=y, lengths=lengths))
    check_gb_task(data)
    scaling = data.info.description["scaling"]
    mean, std = np.array(scaling["mean"]), np.array(scaling["std"])
    rows = [np.rint(s.x[:, 0, 0].numpy() * std[0] + mean[0]).astype(int)
            for s in (data.train, data.val, data.test)]
    assert sorted(np.concatenate(rows).tolist()) == list(range(n))  # no row in two splits
    train_frames = np.concatenate([x[i, : lengths[i]] for i in rows[0]])
    np.testing.assert_allclose(mean, train_frames.mean(0), rtol=1e-6)
    np.testing.assert_allclose(std, train_frames.std(0), rtol=1e-6)
    assert data.train.lengths.tolist() == lengths[rows[0]].tolist()
    assert data.info.description["class_counts"]["test"] == {"cat": 3, "dog": 3, "eel": 3}


def test_majority_baseline_on_a_crafted_case(tmp_path, load_gb_task):
    y = np.array([0] * 20 + [1] * 10)
    x = np.random.default_rng(1).normal(size=(30, 5))  # (N, T): univariate
    data = load_gb_task("sequence", path=_save_npz(tmp_path, X=x, y=y))
    counts = data.info.description["class_counts"]["test"]
    assert counts == {"0": 3, "1": 2}
    assert data.info.description["baseline"]["value"] == pytest.approx(0.6)
    assert data.info.input_size == 1


def test_long_format_csv(tmp_path, load_gb_task):
    rows = []
    for seq in range(12):
        for step in range(3 + seq % 4):
            rows.append({"id": f"s{seq}", "time": step, "a": step + 0.5, "b": -step,
                         "label": "on" if seq % 2 else "off"})
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=0)  # shuffled rows
    path = tmp_path / "long.csv"
    df.to_csv(path, index=False)
    data = load_gb_task("sequence", path=str(path))
    assert data.info.input_size == 2 and data.info.class_names == ("off", "on")
    assert sum(data.info.description["classes"].values()) == 12
    scale = data.info.description["scaling"]
    a = data.train.x[0, : int(data.train.lengths[0]), 0].numpy() * scale["std"][0]
    assert np.all(np.diff(a) > 0)  # rows were put back in time order


def _bad_npz_cases():
    x = np.zeros((9, 4))
    y = np.repeat([0, 1, 2], 3)
    with_nan = x.copy()
    with_nan[4, 2] = np.nan
    ragged = np.empty(2, dtype=object)
    ragged[:] = [np.zeros(3), np.zeros(5)]
    return [
        ({"X": ragged, "y": np.array([0, 1])}, r"object array \(ragged"),
        ({"X": with_nan, "y": y}, r"1 NaN/inf value\(s\) in 1 sequence\(s\) \(first: row 4\)"),
        ({"X": x, "y": y, "lengths": np.array([4] * 8 + [0])}, r"length 0 \(first: row 8\)"),
        ({"X": x, "y": np.zeros(9, dtype=int)}, r"fewer than 2 classes \(only '0'\)"),
        ({"X": x, "y": np.array([0] * 4 + [1] * 3 + [2] * 2)}, r"class '2' has only 2"),
        ({"X": x, "y": y[:8]}, r"X has 9 sequences but y has \(8,\) labels"),
        ({"X": x}, r"lacks array\(s\) y"),
        ({"X": np.zeros((9, 0)), "y": y}, r"length 0"),
    ]


@pytest.mark.parametrize(("arrays", "message"), _bad_npz_cases())
def test_bad_npz_gives_one_clear_line(tmp_path, load_gb_task, arrays, message):
    with pytest.raises(DataError, match=message) as caught:
        load_gb_task("sequence", path=_save_npz(tmp_path, **arrays))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("csv", "options", "message"),
    [
        ("id,time,a,label\n1,0,1.0,x\n", {"label_col": "y"}, r"no column 'y'.*id, time, a, label"),
        ("id,time,a,label\n1,0,,x\n1,1,2,x\n", {}, r"NaN/inf value\(s\).*rows 1\)"),
        ("id,time,a,label\n1,0,1,x\n1,1,2,z\n", {}, r"sequence '1' has more than one label"),
        ("id,time,a,label\n1,0,1,x\n1,0,2,x\n", {}, r"two rows at time 0"),
        ("id,time,a,label\n1,0,q,x\n", {}, r"feature column\(s\) a are not numeric"),
    ],
)
def test_bad_long_csv(tmp_path, load_gb_task, csv, options, message):
    path = tmp_path / "long.csv"
    path.write_text(csv)
    with pytest.raises(DataError, match=message):
        load_gb_task("sequence", path=str(path), **options)


def test_unreadable_npz(tmp_path, load_gb_task):
    path = tmp_path / "broken.npz"
    path.write_bytes(b"PK\x03\x04 this is no zip")
    with pytest.raises(DataError, match="cannot read broken.npz"):
        load_gb_task("sequence", path=str(path))
