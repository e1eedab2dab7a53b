"""The type token of the Classic Load Balancer, which the classic ELB policies share."""

CLASSIC_LOAD_BALANCER = "aws:elb/loadBalancer:LoadBalancer"
