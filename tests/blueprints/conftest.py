"""Shared by the blueprint tests: the AWS packs, started once per module."""

from __future__ import annotations

import pytest

from goldenpath.analyzer import PolicyPackProcess, pack_dirs

AWS_PACKS = ("aws_security", "platform_standards")


@pytest.fixture(scope="module")
def aws_packs():
    processes = [PolicyPackProcess(pack_dirs()[name]).start() for name in AWS_PACKS]
    for process in processes:
        process.configure(None)
    yield processes
    for process in processes:
        process.stop()
