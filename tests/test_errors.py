"""User errors keep their message and fields across process boundaries."""

from __future__ import annotations

import pickle

from gatebench.errors import UnknownNameError


def test_unknown_name_error_survives_pickling() -> None:
    # Process and Ray executors send a trial's error back to the driver pickled.
    error = pickle.loads(pickle.dumps(UnknownNameError("cell", "gru2", ["gru", "lstm"])))
    assert str(error) == "no cell 'gru2'; known: gru, lstm" and error.known == ("gru", "lstm")
