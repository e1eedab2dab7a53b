from __future__ import annotations

import pytest

from goldenpath.analyzer import PolicyPackProcess, pack_dirs


@pytest.fixture(scope="session")
def running_packs():
    """Every shipped pack, started once as the engine starts it, by folder name."""
    started: dict[str, PolicyPackProcess] = {}

    def get(name: str) -> PolicyPackProcess:
        if name not in started:
            started[name] = PolicyPackProcess(pack_dirs()[name]).start()
        return started[name]

    yield get
    for process in started.values():
        process.stop()
