"""QueueWorker: an ECS Fargate service with no load balancer, scaled on its queue's backlog per task.

The service runs a :class:`~goldenpath.components.aws.task.Task` in private subnets without a
public IP. Application Auto Scaling tracks the backlog each running task has — the queue's visible
messages divided by the service's running tasks (metric math over SQS and Container Insights, as
AWS documents for queue workers) — and adds or removes tasks to keep it at the target.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
from pydantic import Field, model_validator

from goldenpath import conventions
from goldenpath.models import ComponentArgs, StrInput, StrListInput

__all__ = ["QueueWorker", "QueueWorkerArgs", "backlog_metric_queries"]

_SCALING = aws.appautoscaling
_Metric = _SCALING.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricArgs
_MetricStat = (
    _SCALING.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatArgs
)
_MetricStatMetric = _SCALING.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricArgs
_Dimension = _SCALING.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetricMetricStatMetricDimensionArgs  # noqa: E501
# Container Insights publishes the running task count of every service of a cluster that enables it.
CONTAINER_INSIGHTS_NAMESPACE = "ECS/ContainerInsights"


class QueueWorkerArgs(ComponentArgs):
    """Inputs of :class:`QueueWorker`."""

    service: str = Field(description="Service name, as in the tags.")
    environment: str = Field(description="Environment name (dev, staging, prod).")
    cluster_arn: StrInput = Field(description="ECS cluster the service runs in (with Container Insights).")
    cluster_name: StrInput = Field(description="Name of that cluster (the scaling target names it).")
    service_name: str = Field(description="Physical name of the ECS service.")
    task_definition_arn: StrInput = Field(description="The task definition the service runs.")
    private_subnet_ids: StrListInput = Field(description="Subnets of the tasks; they get no public IP.")
    security_group_id: StrInput = Field(description="Security group of the tasks.")
    queue_name: StrInput = Field(description="Name of the queue the tasks consume (the scaling metric).")
    min_count: int = Field(default=1, ge=1, description="Fewest tasks autoscaling keeps.")
    max_count: int = Field(default=4, ge=1, description="Most tasks autoscaling starts.")
    backlog_per_task: int = Field(
        default=conventions.WORKER_BACKLOG_PER_TASK,
        ge=1,
        description="Visible messages per running task that autoscaling aims for.",
    )
    depends_on: list[pulumi.Resource] = Field(
        default_factory=list, description="What must exist before the service starts tasks."
    )
    tags: dict[str, str] = Field(description="Tags for every taggable resource (conventions.standard_tags).")

    @model_validator(mode="after")
    def _ordered_counts(self) -> QueueWorkerArgs:
        if self.min_count > self.max_count:
            raise ValueError(
                f"task counts must satisfy min_count <= max_count; got min_count={self.min_count}, "
                f"max_count={self.max_count}"
            )
        return self


def backlog_metric_queries(
    *, queue_name: pulumi.Input[str], cluster_name: pulumi.Input[str], service_name: pulumi.Input[str]
) -> list[_Metric]:
    """Backlog per task: the queue's visible messages over the service's running tasks."""

    def stat(
        namespace: str, metric: str, stat_name: str, dimensions: dict[str, pulumi.Input[str]]
    ) -> _MetricStat:
        return _MetricStat(
            metric=_MetricStatMetric(
                namespace=namespace,
                metric_name=metric,
                dimensions=[_Dimension(name=k, value=v) for k, v in dimensions.items()],
            ),
            stat=stat_name,
        )

    return [
        _Metric(
            id="visible",
            metric_stat=stat("AWS/SQS", "ApproximateNumberOfMessagesVisible", "Sum", {"QueueName": queue_name}),
            return_data=False,
        ),
        _Metric(
            id="running",
            metric_stat=stat(
                CONTAINER_INSIGHTS_NAMESPACE,
                "RunningTaskCount",
                "Average",
                {"ClusterName": cluster_name, "ServiceName": service_name},
            ),
            return_data=False,
        ),
        _Metric(id="backlog", label="Visible messages per running task", expression="visible / running",
                return_data=True),
    ]  # fmt: skip


class QueueWorker(pulumi.ComponentResource):
    """An ECS service consuming a queue, with no load balancer, scaled on its backlog per task."""

    service_name: pulumi.Output[str]

    def __init__(self, name: str, args: QueueWorkerArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("goldenpath:aws:QueueWorker", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        ecs_service = aws.ecs.Service(
            f"{name}-service",
            name=args.service_name,
            cluster=args.cluster_arn,
            task_definition=args.task_definition_arn,
            launch_type="FARGATE",
            desired_count=args.min_count,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=args.private_subnet_ids,
                assign_public_ip=False,
                security_groups=[args.security_group_id],
            ),
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(
                enable=True, rollback=True
            ),
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            enable_execute_command=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=list(args.depends_on),
                # Autoscaling owns the task count once the service exists.
                ignore_changes=["desiredCount"],
            ),
        )
        scaling_target = aws.appautoscaling.Target(
            f"{name}-scaling-target",
            service_namespace="ecs",
            scalable_dimension="ecs:service:DesiredCount",
            resource_id=pulumi.Output.all(args.cluster_name, ecs_service.name).apply(
                lambda v: f"service/{v[0]}/{v[1]}"
            ),
            min_capacity=args.min_count,
            max_capacity=args.max_count,
            tags=args.tags,
            opts=child,
        )
        aws.appautoscaling.Policy(
            f"{name}-backlog-scaling",
            name=f"{args.service_name}-backlog-target-tracking",
            policy_type="TargetTrackingScaling",
            service_namespace=scaling_target.service_namespace,
            scalable_dimension=scaling_target.scalable_dimension,
            resource_id=scaling_target.resource_id,
            target_tracking_scaling_policy_configuration=_SCALING.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                target_value=float(args.backlog_per_task),
                customized_metric_specification=_SCALING.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationArgs(
                    metrics=backlog_metric_queries(
                        queue_name=args.queue_name,
                        cluster_name=args.cluster_name,
                        service_name=ecs_service.name,
                    )
                ),
            ),
            opts=child,
        )

        self.service_name = ecs_service.name
        self.register_outputs({"service_name": self.service_name})
