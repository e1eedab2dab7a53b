"""goldenpath: paved paths for services on AWS and Kubernetes with Pulumi."""

__version__ = "0.2.0"

__all__ = ["__version__"]
