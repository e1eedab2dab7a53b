from hypothesis import given
from hypothesis import strategies as st

from goldenpath import __version__, conventions
from goldenpath.conventions import NAME_LIMITS, physical_name, standard_labels, standard_tags

name_parts = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-_ ", min_size=1, max_size=80),
    min_size=1,
    max_size=4,
)


def test_standard_tags_carry_every_required_key_and_the_goldenpath_version():
    tags = standard_tags(
        team="payments", service="api", environment="dev", cost_center="cc-1", blueprint="WebService"
    )

    assert set(tags) == set(conventions.REQUIRED_TAG_KEYS)
    assert tags["managed-by"] == "goldenpath"
    assert tags["goldenpath:version"] == __version__
    assert tags["goldenpath:blueprint"] == "WebService"


def test_standard_labels_use_the_kubernetes_recommended_keys():
    labels = standard_labels(
        team="t", service="catalog", environment="prod", blueprint="K8sService", component="web"
    )

    assert labels["app.kubernetes.io/name"] == "catalog"
    assert labels["app.kubernetes.io/managed-by"] == "goldenpath"
    assert labels["goldenpath.dev/team"] == "t"
    assert all(len(v) <= 63 for v in labels.values())


def test_short_names_are_kept_as_given_in_lower_case():
    assert physical_name("Payments-API", "dev", kind="alb") == "payments-api-dev"


def test_long_names_are_cut_to_the_aws_limit_with_a_hash_suffix():
    name = physical_name("a-very-long-service-name-for-payments", "production", kind="alb")

    assert len(name) <= NAME_LIMITS["alb"]
    assert name.startswith("a-very-long-service-name")
    prefix, digest = name.rsplit("-", 1)
    assert len(digest) == 6 and int(digest, 16) >= 0


def test_names_sharing_a_long_prefix_stay_distinct():
    a = physical_name("x" * 40, "one", kind="target_group")
    b = physical_name("x" * 40, "two", kind="target_group")

    assert a != b


@given(parts=name_parts, kind=st.sampled_from(sorted(NAME_LIMITS)))
def test_physical_names_are_deterministic_and_within_the_limit(parts, kind):
    name = physical_name(*parts, kind=kind)

    assert name == physical_name(*parts, kind=kind)
    assert len(name) <= NAME_LIMITS[kind]
    assert name == name.lower()


def test_default_log_retention_is_at_least_the_minimum_and_allowed_by_cloudwatch():
    for days in conventions.LOG_RETENTION_DAYS.values():
        assert days >= conventions.LOG_RETENTION_MINIMUM_DAYS
        assert days in conventions.LOG_RETENTION_ALLOWED


def test_default_tls_policy_is_one_the_policies_allow():
    assert conventions.ALB_TLS_POLICY in conventions.ALB_TLS_POLICIES_ALLOWED
