import pulumi
from goldenpath.blueprints import WebService

service = WebService("broken-config")
pulumi.export("url", service.url)
