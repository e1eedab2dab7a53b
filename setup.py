"""Maps the top-level folders into the single ``goldenpath`` namespace.

``components/``, ``blueprints/`` and ``policies/`` install as ``goldenpath.components``,
``goldenpath.blueprints`` and ``goldenpath.policies`` so that no generic top-level name lands in
site-packages. Metadata lives in pyproject.toml.
"""

from setuptools import find_packages, setup

MAPPED_FOLDERS = {
    "components": "goldenpath.components",
    "blueprints": "goldenpath.blueprints",
    "policies": "goldenpath.policies",
}

packages = find_packages(include=["goldenpath", "goldenpath.*"])
for folder, package in MAPPED_FOLDERS.items():
    packages += [package] + [f"{package}.{sub}" for sub in find_packages(folder)]

setup(
    packages=packages,
    package_dir={"goldenpath": "goldenpath", **{pkg: folder for folder, pkg in MAPPED_FOLDERS.items()}},
)
