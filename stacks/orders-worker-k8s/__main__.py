import pulumi
from goldenpath.blueprints import K8sWorker

worker = K8sWorker("orders-worker")
pulumi.export("namespace", worker.namespace)
