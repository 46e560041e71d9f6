from __future__ import annotations

from pathlib import Path

import pytest

CONDITIONS = Path(__file__).resolve().parents[2] / "../shared/conditions"


@pytest.fixture
def conditions_dir() -> Path:
    if not CONDITIONS.is_dir():
        pytest.skip(f"{CONDITIONS} not present")
    return CONDITIONS
