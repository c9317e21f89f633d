"""Forecast family: reference series, chronological windows, train-only scaling, bad files."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from gatebench.errors import DataError, SpecError
from gatebench.tasks.registry import get_task


def _csv(tmp_path, df: pd.DataFrame, name: str = "series.csv"):
    path = tmp_path / name
    df.to_csv(path, index=False)
    return path


def _unscale(data, y):
    mean, std = data.info.target_scale
    return y.numpy().astype(np.float64) * std + mean


@pytest.mark.parametrize(
    ("name", "lookback", "n_points"),
    [("co2", 52, 2284), ("sunspots", 24, 309), ("nile", 10, 100), ("elnino", 24, 732)],
)
def test_reference_series_load(load_gb_task, check_gb_task, name, lookback, n_points):
    data = load_gb_task(name)
    check_gb_task(data)
    info, d = data.info, data.info.description
    assert get_task(name).family == "forecast" and info.family == "forecast"
    assert (info.objective, info.metric, info.higher_is_better) == ("regression", "mae", False)
    assert data.train.x.shape[1:] == (lookback, 1) and info.output_size == 1
    assert d["n_points"] == n_points and d["lookback"] == lookback
    assert d["baseline"]["value"] == d["naive_last_value"]["mae"] > 0
    # Windows are one per point after the first `lookback`, minus those straddling a boundary.
    assert len(data.train) + len(data.val) + len(data.test) == n_points - lookback


def test_co2_gaps_are_interpolated_and_reported(load_gb_task):
    data = load_gb_task("co2")
    assert data.info.description["data_fixes"] == [
        "interpolated 59 missing CO2 values (linear in time)"
    ]


def test_options_change_lookback_and_horizon(load_gb_task):
    data = load_gb_task("nile", lookback=5, horizon=3)
    assert data.train.x.shape[1] == 5 and data.train.y.shape[1] == 3
    assert data.info.output_size == 3


def test_scaling_is_fitted_on_the_training_period_only(tmp_path, load_gb_task, check_gb_task):
    rng = np.random.default_rng(0)
    values = np.cumsum(rng.normal(size=200)) + 50.0
    data = load_gb_task("forecast", path=str(_csv(tmp_path, pd.DataFrame({"y": values}))),
                        lookback=8)
    check_gb_task(data)
    train_part = values[:140]  # 70% of 200 points
    assert data.info.target_scale == pytest.approx((train_part.mean(), train_part.std()))
    assert data.info.description["scaling"]["mean"] == pytest.approx([train_part.mean()])
    # Inputs are scaled with the same statistics: undoing them gives the raw values back.
    first = data.train.x[0, :, 0].numpy() * train_part.std() + train_part.mean()
    np.testing.assert_allclose(first, values[:8], rtol=1e-5)


@pytest.mark.parametrize("horizon", [1, 3])
def test_split_is_chronological_by_target_time(tmp_path, load_gb_task, horizon):
    t = np.arange(100, dtype=float)  # the value is its own time index
    path = _csv(tmp_path, pd.DataFrame({"t": t}))
    data = load_gb_task("forecast", path=str(path), lookback=10, horizon=horizon,
                        predict="level")
    targets = [_unscale(data, s.y) for s in (data.train, data.val, data.test)]
    train, val, test = (np.round(y).astype(int) for y in targets)
    assert train.max() < 70 <= val.min() and val.max() < 85 <= test.min()
    assert not set(train.ravel()) & set(val.ravel())
    assert not set(val.ravel()) & set(test.ravel())
    # Each target follows its window's last input.
    last_input = _unscale(data, data.test.x[:, -1, 0])
    np.testing.assert_allclose(targets[2][:, 0], last_input + 1, atol=1e-3)


def test_change_targets_are_level_minus_last_input(tmp_path, load_gb_task):
    rng = np.random.default_rng(1)
    path = _csv(tmp_path, pd.DataFrame({"y": np.cumsum(rng.normal(size=120)) + 5 * np.arange(120)}))
    level = load_gb_task("forecast", path=str(path), lookback=6, horizon=2, predict="level")
    change = load_gb_task("forecast", path=str(path), lookback=6, horizon=2)
    assert "change" in change.info.description["predict"]
    for a, b in ((level.train, change.train), (level.test, change.test)):
        np.testing.assert_allclose(b.y.numpy(), a.y.numpy() - a.x[:, -1:, 0].numpy(), atol=1e-5)
    # A zero change is the naive forecast: its error in original units is the baseline's.
    std = change.info.target_scale[1]
    naive_mae = float(np.abs(change.test.y.numpy()).mean() * std)
    assert naive_mae == pytest.approx(change.info.description["baseline"]["value"], rel=1e-4)
    with pytest.raises(SpecError, match="--predict must be one of: change, level"):
        load_gb_task("forecast", path=str(path), predict="delta")


def test_naive_baseline_on_a_crafted_series(tmp_path, load_gb_task):
    path = _csv(tmp_path, pd.DataFrame({"v": 2.0 * np.arange(60)}))
    one = load_gb_task("forecast", path=str(path), lookback=4).info.description
    assert one["baseline"]["value"] == pytest.approx(2.0)
    assert one["naive_last_value"]["rmse"] == pytest.approx(2.0)
    two = load_gb_task("forecast", path=str(path), lookback=4, horizon=2).info.description
    assert two["naive_last_value"]["mae"] == pytest.approx(3.0)  # errors 2 and 4
    assert two["naive_last_value"]["rmse"] == pytest.approx(np.sqrt(10.0))


def test_covariates_time_column_and_parquet(tmp_path, load_gb_task):
    n = 80
    df = pd.DataFrame({
        "date": pd.date_range("2020-01-01", periods=n, freq="D").astype(str),
        "sales": np.arange(n, dtype=float),
        "price": np.linspace(1, 2, n),
        "note": ["x"] * n,  # text columns other than the target are ignored
    }).sample(frac=1.0, random_state=0)  # shuffled: time_col restores the order
    path = tmp_path / "shop.parquet"
    df.to_parquet(path)
    data = load_gb_task("forecast", path=str(path), target_col="sales", time_col="date",
                        lookback=5, predict="level")
    d = data.info.description
    assert data.info.input_size == 2 and d["covariates"] == ["price"]
    assert d["order"] == "sorted by date"
    assert np.round(_unscale(data, data.train.y)[:, 0]).tolist() == list(range(5, 56))


def test_several_numeric_columns_need_target_col(tmp_path, load_gb_task):
    path = _csv(tmp_path, pd.DataFrame({"a": np.arange(50.0), "b": np.arange(50.0)}))
    with pytest.raises(DataError, match=r"2 numeric columns \(a, b\).*--target-col"):
        load_gb_task("forecast", path=str(path))


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        ("y\n1\n2\nNaN\n4\n" + "5\n" * 60, {}, r"'y' has 1 NaN/inf value\(s\).*rows 3\)"),
        ("y,x\n1,1\n,2\n" + "5,5\n" * 60, {"target_col": "x"}, r"'y' has 1 NaN.*rows 2\)"),
        ("y\n1\ninf\n" + "5\n" * 60, {}, r"1 NaN/inf value\(s\) in 1 row\(s\) \(rows 2\)"),
        ("t,y\n" + "1,a\n" * 60, {"target_col": "y"}, r"'y' is not numeric: 60 value"),
        ("y\n" + "1\n" * 40, {"lookback": 48}, r"lookback 48 \+ horizon 1 needs 49 points.*28"),
        ("y\n" + "1\n" * 40, {"target_col": "sales"}, r"no column 'sales'.*columns are: y"),
        ("t,y\n1,2\n" * 30, {"time_col": "when"}, r"no column 'when'.*columns are: t, y"),
        ("", {}, r"empty"),
        ("y\n", {}, r"no data rows"),
        ("date,name\nmon,x\n", {}, r"0 numeric columns"),
    ],
)
def test_bad_input_gives_one_clear_line(tmp_path, load_gb_task, content, options, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(DataError, match=message) as caught:
        load_gb_task("forecast", path=str(path), **options)
    assert "\n" not in str(caught.value)


def test_unreadable_and_missing_files(tmp_path, load_gb_task):
    garbage = tmp_path / "series.parquet"
    garbage.write_bytes(b"\x00\x01 not parquet at all")
    with pytest.raises(DataError, match="cannot read"):
        load_gb_task("forecast", path=str(garbage))
    with pytest.raises(DataError, match="not found"):
        load_gb_task("forecast", path=str(tmp_path / "nope.csv"))
    with pytest.raises(SpecError, match="needs a data file"):
        load_gb_task("forecast")


def test_short_validation_and_bad_options(tmp_path, load_gb_task):
    path = _csv(tmp_path, pd.DataFrame({"y": np.arange(20.0)}))
    with pytest.raises(DataError, match="validation split holds 3 points, fewer than horizon 4"):
        load_gb_task("forecast", path=str(path), lookback=2, horizon=4)
    with pytest.raises(SpecError, match="lookback"):
        load_gb_task("forecast", path=str(path), lookback=0)
    with pytest.raises(SpecError, match="val_frac"):
        load_gb_task("forecast", path=str(path), val_frac=0.6, test_frac=0.5)
