from __future__ import annotations

from pathlib import Path

import pytest

from goldenpath.harness import run_stack

ROOT = Path(__file__).resolve().parent.parent
STACKS = ROOT / "stacks"


@pytest.fixture(scope="session")
def payments_dev():
    return run_stack(STACKS / "payments-api", "dev")


@pytest.fixture(scope="session")
def payments_prod():
    return run_stack(STACKS / "payments-api", "prod")
