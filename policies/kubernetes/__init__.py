"""Kubernetes policies: one policy per module, discovered by goldenpath.policy.discover."""
