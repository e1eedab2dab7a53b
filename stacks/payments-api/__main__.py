import pulumi
from goldenpath.blueprints import WebService

service = WebService("payments-api")
pulumi.export("url", service.url)
