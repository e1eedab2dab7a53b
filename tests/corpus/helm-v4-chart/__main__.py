"""cert-manager rendered from its chart by the v4 Chart component, plus a Let's Encrypt issuer."""

import pulumi
import pulumi_kubernetes as k8s

config = pulumi.Config()
acme_email = config.require("acmeEmail")

namespace = k8s.core.v1.Namespace("cert-manager", metadata={"name": "cert-manager"})

chart = k8s.helm.v4.Chart(
    "cert-manager",
    chart="cert-manager",
    version="v1.15.3",
    namespace=namespace.metadata.name,
    repository_opts={"repo": "https://charts.jetstack.io"},
    values={"crds": {"enabled": True}, "prometheus": {"enabled": False}},
)

issuer = k8s.apiextensions.CustomResource(
    "letsencrypt",
    api_version="cert-manager.io/v1",
    kind="ClusterIssuer",
    metadata={"name": "letsencrypt"},
    spec={
        "acme": {
            "server": "https://acme-v02.api.letsencrypt.org/directory",
            "email": acme_email,
            "privateKeySecretRef": {"name": "letsencrypt-account-key"},
            "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}],
        }
    },
    opts=pulumi.ResourceOptions(depends_on=[chart]),
)

pulumi.export("issuer", issuer.metadata["name"])
