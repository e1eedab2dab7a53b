import pulumi
from goldenpath.blueprints import K8sScheduledJob

job = K8sScheduledJob("nightly-report")
pulumi.export("namespace", job.namespace)
