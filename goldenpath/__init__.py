"""goldenpath: paved paths for services on AWS and Kubernetes with Pulumi."""

__version__ = "0.1.0"

__all__ = ["__version__"]
