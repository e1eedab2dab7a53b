"""The type tokens of Elastic Load Balancing resources, which pulumi-aws 7 spells two ways.

``aws.alb`` is a second module over the same AWS resources as ``aws.lb``, with tokens of its own
(``aws:alb/loadBalancer:LoadBalancer`` beside ``aws:lb/loadBalancer:LoadBalancer``) and the same
inputs; a load balancer policy judges both.
"""

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
