"""Every object here is written the way the kubernetes pack must refuse."""

import pulumi_kubernetes as k8s

labels = {"app": "legacy"}

k8s.apps.v1.Deployment(
    "legacy",
    metadata={"name": "legacy", "namespace": "legacy"},
    spec={
        "replicas": 1,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "containers": [
                    {
                        "name": "app",
                        "image": "nginx:latest",
                        "securityContext": {"privileged": True},
                        "volumeMounts": [{"name": "host", "mountPath": "/host"}],
                    }
                ],
                "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
            },
        },
    },
)

k8s.rbac.v1.ClusterRoleBinding(
    "legacy-admin",
    metadata={"name": "legacy-admin"},
    role_ref={"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
    subjects=[{"kind": "ServiceAccount", "name": "default", "namespace": "legacy"}],
)
