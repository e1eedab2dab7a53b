import pulumi
from goldenpath.blueprints import K8sService

service = K8sService("catalog")
pulumi.export("namespace", service.namespace)
