import pulumi
from goldenpath.blueprints import Worker

worker = Worker("orders-worker")
pulumi.export("queueUrl", worker.queue_url)
