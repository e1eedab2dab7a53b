"""The ingress-nginx controller, as a Helm v3 Release in its own namespace."""

import pulumi
import pulumi_kubernetes as k8s

config = pulumi.Config()
chart_version = config.get("chartVersion") or "4.11.2"

namespace = k8s.core.v1.Namespace(
    "ingress-nginx",
    metadata={
        "name": "ingress-nginx",
        "labels": {"pod-security.kubernetes.io/enforce": "baseline"},
    },
)

release = k8s.helm.v3.Release(
    "ingress-nginx",
    chart="ingress-nginx",
    version=chart_version,
    namespace=namespace.metadata.name,
    repository_opts={"repo": "https://kubernetes.github.io/ingress-nginx"},
    values={
        "controller": {
            "replicaCount": 2,
            "service": {"type": "LoadBalancer"},
            "metrics": {"enabled": True},
        }
    },
)

pulumi.export("release_status", release.status)
