"""The type tokens of Elastic Load Balancing resources (which pulumi-aws 7 spells two ways), and linking
resources that point at one another by id or ARN.

``aws.alb`` is a second module over the same AWS resources as ``aws.lb``, with tokens of its own
(``aws:alb/loadBalancer:LoadBalancer`` beside ``aws:lb/loadBalancer:LoadBalancer``) and the same
inputs; a load balancer policy judges both.
"""

from pulumi_policy.proxy import UnknownValueError

from goldenpath.policy import get_known, get_path

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENERS = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULES = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
TARGET_GROUPS = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")

# --- Linking resources that point at others by id or ARN -----------------------------------------


class Pointers:
    """Which targets some resources point at (a flow log at its VPC, a WAF association at its load balancer).

    A pointer names its target through property ``prop``: it depends on the target (``vpc_id=vpc.id``),
    or holds one of the target's known ``keys`` (``"vpc-0abc"``, an ARN). During preview a pointer whose
    value is unknown and that depends on no resource may point at any target; :meth:`reach` then
    answers None rather than guess.
    """

    def __init__(self, targets, pointers, prop, keys=("id", "arn")):
        self.targets = list(targets)
        urns = {t.urn for t in self.targets}
        by_key = {}
        for t in self.targets:
            for key in keys:
                value = get_known(t.props, key)
                if isinstance(value, str) and value:
                    by_key[value] = t.urn
        self._by_target = {}
        self._anywhere = False
        for p in pointers:
            depends_on = {d.urn for d in p.property_dependencies.get(prop, ())}
            linked = depends_on & urns
            try:
                value = get_path(p.props, prop)
            except UnknownValueError:
                value = None
                # Computed from some other resource: it points there, not at an unseen target.
                if not depends_on:
                    self._anywhere = True
            if isinstance(value, str) and value in by_key:
                linked.add(by_key[value])
            for urn in linked:
                self._by_target.setdefault(urn, []).append(p)

    def of_any(self, pointer):
        """True when ``pointer`` certainly points at one of the targets."""
        return any(pointer in found for found in self._by_target.values())

    def of(self, target):
        """The pointers that certainly point at ``target``."""
        return self._by_target.get(target.urn, [])

    def reach(self, target):
        """True if a pointer points at ``target``, None if that cannot be known yet, else False."""
        if self.of(target):
            return True
        return None if self._anywhere else False


def access_log_bucket_problem(props) -> str | None:
    """What is wrong with the bucket of enabled access logs (v2 and Classic load balancers alike)."""
    try:
        bucket = get_path(props, "accessLogs.bucket")
    except UnknownValueError:
        return None  # the name of a bucket created in the same stack: set, known after apply
    if not bucket:
        return "load balancer access logs name no bucket; set accessLogs.bucket"
    return None
