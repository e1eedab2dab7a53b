"""Maps the top-level folders into the single ``goldenpath`` namespace.

``components/``, ``blueprints/`` and ``policies/`` install as ``goldenpath.components``,
``goldenpath.blueprints`` and ``goldenpath.policies`` so that no generic top-level name lands in
site-packages. Metadata lives in pyproject.toml.
"""

import glob
from pathlib import Path

from setuptools import find_packages, setup

MAPPED_FOLDERS = {
    "components": "goldenpath.components",
    "blueprints": "goldenpath.blueprints",
    "policies": "goldenpath.policies",
}

packages = find_packages(include=["goldenpath", "goldenpath.*"])
for folder, package in MAPPED_FOLDERS.items():
    packages += [package] + [f"{package}.{sub}" for sub in find_packages(folder)]

# The service template ships whole, dotfiles and copier's bracketed file names included (escaped:
# package_data entries are glob patterns).
template_files = [
    glob.escape(path.relative_to("goldenpath").as_posix())
    for path in Path("goldenpath", "templates").rglob("*")
    if path.is_file() and "__pycache__" not in path.parts
]

setup(
    packages=packages,
    package_data={
        "": ["py.typed", "PulumiPolicy.yaml", "requirements.txt", "*.md", "*.json"],
        "goldenpath": [*template_files, "peers/*.yaml", "replace_on_change/*.yaml"],
    },
    package_dir={"goldenpath": "goldenpath", **{pkg: folder for folder, pkg in MAPPED_FOLDERS.items()}},
)
