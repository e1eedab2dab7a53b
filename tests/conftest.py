from __future__ import annotations

import subprocess
import sys
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


def build_wheel(out: Path) -> Path:
    """goldenpath's wheel, built from this checkout into ``out``."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("goldenpath-*.whl")
    return built


def venv_with_wheel_only(home: Path, wheel: Path) -> tuple[Path, Path]:
    """(python, site-packages) of a new virtualenv with only ``wheel`` installed; dependencies are
    borrowed from this environment (goldenpath.upgrade_safety.wheel_venv)."""
    from goldenpath.upgrade_safety import wheel_venv

    return wheel_venv(home, wheel, with_pip=True)


def use_dummy_aws_credentials(patch: pytest.MonkeyPatch, config_dir: Path) -> None:
    """Dummy credentials and none of this machine's AWS configuration, for tests against moto."""
    patch.setenv("AWS_ACCESS_KEY_ID", "testing")
    patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    patch.setenv("AWS_CONFIG_FILE", str(config_dir / "no-aws-config"))
    patch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config_dir / "no-aws-credentials"))
    patch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        patch.delenv(name, raising=False)
