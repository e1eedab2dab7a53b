"""The classic guestbook application (after Pulumi's kubernetes-py-guestbook example)."""

import pulumi
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.core.v1 import (
    ContainerArgs,
    ContainerPortArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    ResourceRequirementsArgs,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs

config = pulumi.Config()
is_minikube = config.get_bool("isMinikube")
frontend_replicas = config.get_int("frontendReplicas") or 3

redis_leader_labels = {"app": "redis-leader"}
redis_leader_deployment = Deployment(
    "redis-leader",
    spec=DeploymentSpecArgs(
        selector=LabelSelectorArgs(match_labels=redis_leader_labels),
        replicas=1,
        template=PodTemplateSpecArgs(
            metadata=ObjectMetaArgs(labels=redis_leader_labels),
            spec=PodSpecArgs(
                containers=[
                    ContainerArgs(
                        name="redis-leader",
                        image="redis",
                        resources=ResourceRequirementsArgs(requests={"cpu": "100m", "memory": "100Mi"}),
                        ports=[ContainerPortArgs(container_port=6379)],
                    )
                ],
            ),
        ),
    ),
)

redis_leader_service = Service(
    "redis-leader",
    metadata=ObjectMetaArgs(name="redis-leader", labels=redis_leader_labels),
    spec=ServiceSpecArgs(
        ports=[ServicePortArgs(port=6379, target_port=6379)],
        selector=redis_leader_labels,
    ),
)

redis_replica_labels = {"app": "redis-replica"}
redis_replica_deployment = Deployment(
    "redis-replica",
    spec={
        "selector": {"match_labels": redis_replica_labels},
        "replicas": 1,
        "template": {
            "metadata": {"labels": redis_replica_labels},
            "spec": {
                "containers": [
                    {
                        "name": "redis-replica",
                        "image": "gcr.io/google_samples/gb-redis-follower:v2",
                        "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
                        "env": [{"name": "GET_HOSTS_FROM", "value": "dns"}],
                        "ports": [{"container_port": 6379}],
                    }
                ],
            },
        },
    },
)

redis_replica_service = Service(
    "redis-replica",
    metadata={"name": "redis-replica", "labels": redis_replica_labels},
    spec={"ports": [{"port": 6379, "target_port": 6379}], "selector": redis_replica_labels},
)

frontend_labels = {"app": "frontend"}
frontend_deployment = Deployment(
    "frontend",
    spec={
        "selector": {"match_labels": frontend_labels},
        "replicas": frontend_replicas,
        "template": {
            "metadata": {"labels": frontend_labels},
            "spec": {
                "containers": [
                    {
                        "name": "php-redis",
                        "image": "gcr.io/google_samples/gb-frontend:v5",
                        "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}},
                        "env": [{"name": "GET_HOSTS_FROM", "value": "dns"}],
                        "ports": [{"container_port": 80}],
                    }
                ],
            },
        },
    },
)

frontend_service = Service(
    "frontend",
    metadata={"labels": frontend_labels, "name": "frontend"},
    spec={
        "type": "ClusterIP" if is_minikube else "LoadBalancer",
        "ports": [{"port": 80}],
        "selector": frontend_labels,
    },
)

if is_minikube:
    frontend_ip = frontend_service.spec.apply(lambda spec: spec.cluster_ip)
else:
    ingress = frontend_service.status.apply(lambda status: status.load_balancer.ingress[0])
    frontend_ip = ingress.apply(lambda ingress: ingress.ip or ingress.hostname)
pulumi.export("frontend_ip", frontend_ip)
