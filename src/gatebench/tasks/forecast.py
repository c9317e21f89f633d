"""Forecasting: windows over one series (plus covariates), split by time, scaled on train only."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec
from gatebench.tasks.base import Split, TaskData, TaskInfo
from gatebench.tasks.readers import describe_bad_values, int_option, split_fractions
from gatebench.tasks.registry import TaskEntry, register
from gatebench.tasks.splits import Standardizer, length_stats
from gatebench.tasks.tables import read_table, require_columns

PREDICT = {
    "change": "the change from the last observed target value (errors are the same as for the "
              "level; a zero output is the naive forecast, and trends outside the training "
              "range stay reachable)",
    "level": "the target value itself",
}


def prepare_forecast(
    values: np.ndarray,
    columns: list[str],
    spec: TaskSpec,
    *,
    name: str,
    source: str,
    default_lookback: int = 48,
    extra: dict[str, Any] | None = None,
) -> TaskData:
    """Window a (L, C) series whose column 0 is the target into a regression task.

    A window's inputs are `lookback` steps of every column; its targets are the next `horizon`
    target values. Windows go to the split holding *all* their target times, so no validation
    or test target is ever a training target; windows straddling a boundary are dropped.
    Inputs may reach back into an earlier split: that past is known at forecast time.
    """
    lookback = int_option(spec, "lookback", default_lookback)
    horizon = int_option(spec, "horizon", 1)
    predict = str(spec.option("predict", "change")).strip().lower()
    if predict not in PREDICT:
        raise SpecError(f"--predict must be one of: {', '.join(PREDICT)}; got {predict!r}")
    train_frac, val_frac, test_frac = split_fractions(spec)
    values = np.asarray(values, dtype=np.float64)
    n_points, width = values.shape[0], lookback + horizon
    train_end = int(round(n_points * train_frac))
    val_end = int(round(n_points * (train_frac + val_frac)))
    _check_split_room(source, lookback, horizon, (train_end, val_end, n_points))
    scaler = Standardizer.fit(values[:train_end])  # the training period only
    windows = np.lib.stride_tricks.sliding_window_view(values, width, axis=0)  # (n, C, W+H)
    windows = windows.transpose(0, 2, 1)  # (n, W+H, C)
    first_target = np.arange(len(windows)) + lookback
    last_target = first_target + horizon - 1
    masks = (
        last_target < train_end,
        (first_target >= train_end) & (last_target < val_end),
        first_target >= val_end,
    )
    splits = [_windows_split(windows[mask], scaler, lookback, predict) for mask in masks]

    naive_mae, naive_rmse = _naive_errors(windows[masks[2]], lookback)
    target_mean, target_std = float(scaler.mean[0]), float(scaler.std[0])
    info = TaskInfo(
        name=name,
        family="forecast",
        objective="regression",
        input_kind="features",
        input_size=values.shape[1],
        output_size=horizon,
        metric="mae",
        higher_is_better=False,
        target_scale=(target_mean, target_std),
        description={
            "source": source,
            "target": columns[0],
            "covariates": columns[1:],
            "n_points": int(n_points),
            "lookback": lookback,
            "horizon": horizon,
            "predict": PREDICT[predict],
            "n_train": len(splits[0]), "n_val": len(splits[1]), "n_test": len(splits[2]),
            "seq_len": length_stats(np.full(len(windows), lookback)),
            "n_features": int(values.shape[1]),
            "split": (
                f"chronological {train_frac:.0%}/{val_frac:.0%}/{test_frac:.0%} of the points "
                f"(train < point {train_end}, validation < {val_end}, test after); a window "
                "belongs to the split holding all its target times, windows straddling a "
                "boundary are dropped"
            ),
            "scaling": {"rule": "per-column standardisation", **scaler.to_dict()},
            "naive_last_value": {"mae": naive_mae, "rmse": naive_rmse},
            "units": "errors in the target's original units",
            "data_fixes": [],
            **(extra or {}),
            "baseline": {"metric": "mae", "value": naive_mae,
                         "what": "naive forecast: repeat the last observed value"},
        },
    )
    return TaskData(info, *splits)


def _windows_split(chosen: np.ndarray, scaler: Standardizer, lookback: int,
                   predict: str) -> Split:
    """Scaled (N, lookback, C) inputs and (N, horizon) targets of some (N, W+H, C) windows."""
    x = torch.from_numpy(scaler.apply(chosen[:, :lookback]))
    y = scaler.apply(chosen[:, lookback:])[:, :, 0]
    if predict == "change":  # relative to the last input: a zero output is the naive forecast
        y = y - scaler.apply(chosen[:, lookback - 1 : lookback])[:, :, 0]
    lengths = torch.full((len(chosen),), lookback, dtype=torch.long)
    return Split(x, lengths, torch.from_numpy(np.ascontiguousarray(y)))


def _naive_errors(test: np.ndarray, lookback: int) -> tuple[float, float]:
    """MAE and RMSE on the test windows of repeating the last observed target value."""
    naive_err = test[:, lookback:, 0] - test[:, lookback - 1 : lookback, 0]
    return float(np.abs(naive_err).mean()), float(np.sqrt((naive_err**2).mean()))


def _check_split_room(source: str, lookback: int, horizon: int,
                      ends: tuple[int, int, int]) -> None:
    """DataError unless training holds one whole window and the others one horizon each."""
    train_end, val_end, n_points = ends
    width = lookback + horizon
    if train_end < width:
        raise DataError(
            f"{source}: lookback {lookback} + horizon {horizon} needs {width} points, but the "
            f"training split holds only {train_end} of the {n_points} points; lower lookback "
            "or horizon, or give a longer series"
        )
    for part, start, end in (("validation", train_end, val_end), ("test", val_end, n_points)):
        if end - start < horizon:
            raise DataError(
                f"{source}: the {part} split holds {end - start} points, fewer than horizon "
                f"{horizon}; give a longer series or a larger {part} fraction"
            )


def _numeric_column(df: pd.DataFrame, column: str, source: str) -> np.ndarray:
    series = df[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        parsed = pd.to_numeric(series, errors="coerce")
        bad = np.flatnonzero(parsed.isna() & series.notna())
        if len(bad) or pd.api.types.is_bool_dtype(series):
            example = f" (first at row {bad[0] + 1}: {series.iloc[bad[0]]!r})" if len(bad) else ""
            raise DataError(
                f"{source}: column {column!r} is not numeric: {len(bad)} value(s) are not "
                f"numbers{example}; forecasting needs a numeric series"
            )
        series = parsed
    values = series.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        raise DataError(
            f"{source}: column {column!r} has {describe_bad_values(values)}; "
            "fill or drop them first (rows count from 1 after the header)"
        )
    return values


def load_user_forecast(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """The user's CSV/Parquet series: target_col (or the only numeric column), covariates."""
    path = spec.option("path")
    if path is None:
        raise SpecError(
            "the forecast task needs a data file: gatebench compare FILE --task forecast"
        )
    source = Path(path).name
    target_col, time_col = spec.option("target_col"), spec.option("time_col")
    df = read_table(path)
    require_columns(df, {"--target-col": target_col, "--time-col": time_col}, path)
    extra: dict[str, Any] = {"order": "file order"}
    if time_col is not None:
        times = df[time_col]
        if not pd.api.types.is_numeric_dtype(times):
            times = pd.to_datetime(times, errors="coerce")
        if times.isna().any():
            row = int(np.flatnonzero(times.isna())[0]) + 1
            raise DataError(
                f"{source}: time column {time_col!r} has empty or unreadable times "
                f"(first at row {row}: {df[time_col].iloc[row - 1]!r})"
            )
        if times.duplicated().any():
            raise DataError(
                f"{source}: time column {time_col!r} repeats {int(times.duplicated().sum())} "
                "timestamp(s); forecasting needs one row per time step"
            )
        order = np.argsort(times.to_numpy(), kind="stable")
        df = df.iloc[order].reset_index(drop=True)
        extra = {"order": f"sorted by {time_col}",
                 "time_range": [str(times.iloc[order[0]]), str(times.iloc[order[-1]])]}
    candidates = [c for c in df.columns if c != time_col]
    numeric = [c for c in candidates if pd.api.types.is_numeric_dtype(df[c])
               and not pd.api.types.is_bool_dtype(df[c])]
    if target_col is None:
        if len(numeric) != 1:
            listed = ", ".join(map(str, numeric)) or "none"
            raise DataError(
                f"{source} has {len(numeric)} numeric columns ({listed}); "
                "say which one to forecast with --target-col"
            )
        target_col = numeric[0]
    covariates = [c for c in numeric if c != target_col]
    columns = [target_col, *covariates]
    values = np.stack([_numeric_column(df, c, source) for c in columns], axis=1)
    return prepare_forecast(
        values, [str(c) for c in columns], spec, name=Path(path).stem, source=str(path),
        extra=extra,
    )


def _statsmodels_frame(dataset: str) -> pd.DataFrame:
    # Imported on use: statsmodels takes ~0.6 s to import and most runs need one series at most.
    return importlib.import_module(f"statsmodels.datasets.{dataset}").load_pandas().data


def load_co2(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Mauna Loa CO2, weekly 1958-2001 (statsmodels); the 59 gaps are interpolated in time."""
    series = _statsmodels_frame("co2")["co2"]
    missing = int(series.isna().sum())
    series = series.interpolate(method="time").bfill()  # bfill: a gap at the very start
    return prepare_forecast(
        series.to_numpy()[:, None], ["co2"], spec, name="co2", default_lookback=52,
        source="statsmodels: Mauna Loa CO2, weekly (ppm)",
        extra={"time_range": [str(series.index[0].date()), str(series.index[-1].date())],
               "data_fixes": [f"interpolated {missing} missing CO2 values (linear in time)"]},
    )


def load_sunspots(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Yearly sunspot activity 1700-2008 (statsmodels)."""
    df = _statsmodels_frame("sunspots")
    return prepare_forecast(
        df["SUNACTIVITY"].to_numpy()[:, None], ["SUNACTIVITY"], spec, name="sunspots",
        default_lookback=24, source="statsmodels: yearly sunspot activity",
        extra={"time_range": [int(df["YEAR"].iloc[0]), int(df["YEAR"].iloc[-1])]},
    )


def load_nile(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Yearly Nile flow at Aswan 1871-1970: 100 points, the small-data case (statsmodels)."""
    df = _statsmodels_frame("nile")
    return prepare_forecast(
        df["volume"].to_numpy()[:, None], ["volume"], spec, name="nile", default_lookback=10,
        source="statsmodels: yearly Nile flow (10^8 m^3)",
        extra={"time_range": [int(df["year"].iloc[0]), int(df["year"].iloc[-1])]},
    )


def load_elnino(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Monthly Pacific sea-surface temperature 1950-2010 (statsmodels), as one series."""
    df = _statsmodels_frame("elnino")
    months = df.drop(columns="YEAR").to_numpy(dtype=np.float64)  # (years, 12)
    return prepare_forecast(
        months.reshape(-1, 1), ["sst"], spec, name="elnino", default_lookback=24,
        source="statsmodels: El Nino sea-surface temperature, monthly (deg C)",
        extra={"time_range": [f"{int(df['YEAR'].iloc[0])}-01", f"{int(df['YEAR'].iloc[-1])}-12"],
               "layout": "61 rows of years x 12 month columns, read row by row as one series"},
    )


register(TaskEntry("forecast", "forecast", load_user_forecast, reference=False,
                   summary="your CSV/Parquet series: --target-col, lookback 48, horizon 1; mae"))
register(TaskEntry("co2", "forecast", load_co2, reference=True,
                   summary="2,284 weekly CO2 points, lookback 52; mae vs naive last value"))
register(TaskEntry("sunspots", "forecast", load_sunspots, reference=True,
                   summary="309 yearly sunspot points, lookback 24; mae vs naive last value"))
register(TaskEntry("nile", "forecast", load_nile, reference=True,
                   summary="100 yearly Nile flows (small data), lookback 10; mae vs naive"))
register(TaskEntry("elnino", "forecast", load_elnino, reference=True,
                   summary="732 monthly sea temperatures, lookback 24; mae vs naive last value"))
