import pulumi
from goldenpath.blueprints import ScheduledJob

job = ScheduledJob("nightly-report")
pulumi.export("scheduleName", job.schedule_name)
