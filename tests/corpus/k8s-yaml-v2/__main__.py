"""An API deployment written in Python, and a debug pod someone pasted in as YAML."""

import pulumi
import pulumi_kubernetes as k8s

config = pulumi.Config()
api_image = config.require("apiImage")

labels = {"app": "api"}
api = k8s.apps.v1.Deployment(
    "api",
    metadata={"name": "api", "labels": labels},
    spec={
        "replicas": 1,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 10001,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "containers": [
                    {
                        "name": "api",
                        "image": api_image,
                        "ports": [{"containerPort": 8080}],
                        "resources": {
                            "requests": {"cpu": "100m", "memory": "128Mi"},
                            "limits": {"cpu": "500m", "memory": "256Mi"},
                        },
                        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
                        "livenessProbe": {"httpGet": {"path": "/live", "port": 8080}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]},
                        },
                    }
                ],
            },
        },
    },
)

debug_tools = k8s.yaml.v2.ConfigGroup(
    "debug-tools",
    yaml="""
apiVersion: v1
kind: Pod
metadata:
  name: debug
  labels:
    app: debug
spec:
  hostNetwork: true
  containers:
    - name: shell
      image: busybox:latest
      command: ["sleep", "86400"]
      securityContext:
        privileged: true
""",
    opts=pulumi.ResourceOptions(depends_on=[api]),
)

pulumi.export("api_name", api.metadata.name)
