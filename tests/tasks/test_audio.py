"""Audio family: spoken digits, WAV folders, the mel filterbank, the feature cache, bad input."""

from __future__ import annotations

import os
import wave

import numpy as np
import pytest

from gatebench.errors import DataError
from gatebench.tasks import audio
from gatebench.tasks.registry import get_task


def _write_wav(path, signal: np.ndarray, rate: int = 8000, channels: int = 1) -> None:
    """16-bit PCM through the standard library, as a user's recorder would write it."""
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    if channels == 2:
        pcm = np.stack([pcm, pcm // 2], axis=1)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())


def _clip(kind: str, k: int, rate: int = 8000, seconds: float = 0.25) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    rng = np.random.default_rng(k)
    if kind == "tone":
        return 0.5 * np.sin(2 * np.pi * (300 + 40 * k) * t)
    if kind == "chirp":
        return 0.5 * np.sin(2 * np.pi * (500 * t + 3000 * t**2))
    return 0.3 * rng.uniform(-1, 1, len(t))


@pytest.fixture
def wav_folder_gb(tmp_path):
    """Three labels x 4 clips: tones, chirps and noise at mixed rates and channel counts."""
    root = tmp_path / "sounds"
    for label in ("tone", "chirp", "noise"):
        (root / label).mkdir(parents=True)
        for k in range(4):
            rate = 22050 if k == 3 else 8000  # resampling from a rate 16 kHz does not divide
            _write_wav(root / label / f"{label}{k}.wav", _clip(label, k, rate), rate,
                       channels=2 if k == 0 else 1)
    (root / "tone" / "notes.txt").write_text("not audio: ignored")
    return root


def test_spoken_digits(load_gb_task, check_gb_task, valid_gb_frames):
    data = load_gb_task("spoken-digits")
    check_gb_task(data)
    d = data.info.description
    assert get_task("spoken-digits").family == "audio" and data.info.input_size == 13
    assert (d["n_train"], d["n_val"], d["n_test"]) == (2100, 450, 450)
    assert (d["seq_len"]["min"], d["seq_len"]["median"], d["seq_len"]["max"]) == (6, 17, 92)
    assert set(d["class_counts"]["test"].values()) == {45}  # stratified: 15% of 300 per digit
    assert d["baseline"]["value"] == pytest.approx(0.1)
    frames = valid_gb_frames(data.train)
    np.testing.assert_allclose(frames.mean(0), 0.0, atol=1e-4)
    np.testing.assert_allclose(frames.std(0), 1.0, atol=1e-3)


def test_mel_filterbank_shape_and_coverage():
    fb = audio.mel_filterbank()
    assert fb.shape == (40, 257) and fb.min() >= 0.0 and fb.max() <= 1.0
    assert (fb.sum(axis=1) > 0).all()  # no empty band at 512-point resolution
    centres = fb.argmax(axis=1)
    assert (np.diff(centres) >= 0).all()  # bands rise in frequency


def test_features_of_a_tone():
    t = np.arange(16000) / 16000
    tone = np.sin(2 * np.pi * 1000 * t)
    logmel = audio.audio_features(tone, "logmel")
    mfcc = audio.audio_features(tone, "mfcc")
    assert logmel.shape == (98, 40) and mfcc.shape == (98, 13)  # 1 + (16000 - 400) // 160
    peak_band = int(np.bincount(logmel.argmax(axis=1)).argmax())
    low, high = audio.mel_filterbank()[peak_band].nonzero()[0][[0, -1]] * 8000 / 256
    assert low <= 1000 <= high
    assert audio.audio_features(tone[:100], "mfcc").shape == (1, 13)  # short clip: one frame


@pytest.mark.parametrize(("features", "width"), [("mfcc", 13), ("logmel", 40)])
def test_wav_folder_loads(wav_folder_gb, load_gb_task, check_gb_task, features, width):
    data = load_gb_task("audio", path=str(wav_folder_gb), features=features)
    check_gb_task(data)
    d = data.info.description
    assert data.info.class_names == ("chirp", "noise", "tone") and data.info.input_size == width
    assert (d["n_train"], d["n_val"], d["n_test"]) == (6, 3, 3)
    assert d["class_counts"]["test"] == {"chirp": 1, "noise": 1, "tone": 1}
    assert d["seq_len"]["max"] == 23  # 0.25 s at 16 kHz: 1 + (4000 - 400) // 160
    assert d["baseline"]["value"] == pytest.approx(1 / 3)


def test_features_are_cached_and_recomputed_on_change(wav_folder_gb, tmp_path, load_gb_task,
                                                      monkeypatch):
    cache = tmp_path / "study"
    first = load_gb_task("audio", cache_dir=cache, path=str(wav_folder_gb))
    files = list(cache.glob("audio_features_*.npz"))
    assert len(files) == 1 and first.info.description["feature_cache"] == files[0].name

    calls = []
    real = audio.audio_features
    monkeypatch.setattr(audio, "audio_features", lambda *a: calls.append(1) or real(*a))
    again = load_gb_task("audio", cache_dir=cache, path=str(wav_folder_gb))
    assert calls == [] and np.array_equal(again.train.x.numpy(), first.train.x.numpy())

    changed = wav_folder_gb / "noise" / "noise1.wav"
    os.utime(changed, ns=(0, changed.stat().st_mtime_ns + 10**9))
    load_gb_task("audio", cache_dir=cache, path=str(wav_folder_gb))
    assert len(calls) == 12 and len(list(cache.glob("audio_features_*.npz"))) == 2
    load_gb_task("audio", cache_dir=cache, path=str(wav_folder_gb), features="logmel")
    assert len(calls) == 24  # another feature kind is another cache entry


def test_bad_folders(tmp_path, load_gb_task):
    with pytest.raises(DataError, match="audio folder not found"):
        load_gb_task("audio", path=str(tmp_path / "missing"))
    root = tmp_path / "flat"
    root.mkdir()
    _write_wav(root / "a.wav", _clip("tone", 0))
    with pytest.raises(DataError, match="no label subfolders"):
        load_gb_task("audio", path=str(root))
    (root / "yes").mkdir()
    for k in range(3):
        _write_wav(root / "yes" / f"{k}.wav", _clip("tone", k))
    with pytest.raises(DataError, match=r"only one label folder \('yes'\)"):
        load_gb_task("audio", path=str(root))
    (root / "no").mkdir()
    with pytest.raises(DataError, match="label folder 'no' has no WAV files"):
        load_gb_task("audio", path=str(root))
    for k in range(2):
        _write_wav(root / "no" / f"{k}.wav", _clip("noise", k))
    with pytest.raises(DataError, match="class 'no' has only 2"):
        load_gb_task("audio", path=str(root))


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda p: p.write_bytes(b"RIFF\x00\x00junk"), "cannot read WAV file noise/bad.wav"),
        (lambda p: _write_wav(p, np.zeros(800)), r"WAV file noise/bad.wav is silent"),
        (lambda p: _write_wav(p, np.zeros(0)), r"WAV file noise/bad.wav is silent"),
    ],
)
def test_bad_wav_is_named(wav_folder_gb, load_gb_task, write, message):
    write(wav_folder_gb / "noise" / "bad.wav")
    with pytest.raises(DataError, match=message):
        load_gb_task("audio", path=str(wav_folder_gb))
