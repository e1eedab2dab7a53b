import pulumi
from goldenpath.blueprints import Bootstrap

for key, value in Bootstrap("bootstrap").exports.items():
    pulumi.export(key, value)
