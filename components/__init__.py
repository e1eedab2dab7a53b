"""Pulumi ComponentResources with secure defaults: ``aws`` and ``k8s``."""
