"""Upgrade safety: matching resources across versions as the engine does, and what forces replacement.

Each pair of programs runs under the Pulumi mocks (goldenpath.harness) and the two graphs are
compared by goldenpath.upgrade_safety.compare, as an upgrade's `pulumi up` would step through them.
"""

from __future__ import annotations

import inspect
import json
import re

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s
import pytest

from goldenpath import upgrade_safety as us
from goldenpath._upgrade_snapshot import _jsonable as snapshot_json
from goldenpath._upgrade_snapshot import _resources as snapshot_resources
from goldenpath.harness import run_under_mocks


def _snapshot(program) -> list[dict]:
    run = run_under_mocks(
        program, project="shop", stack="dev", config={"aws:region": "eu-west-1"}, preview=False
    )
    # As the upgrade check stores it: the snapshot script's records, through JSON.
    return json.loads(json.dumps(snapshot_resources(run), default=snapshot_json))


def _compare(old_program, new_program, notes=()):
    return us.compare("shop", _snapshot(old_program), _snapshot(new_program), notes=notes)


def _changes(comparison) -> set[tuple[str, str, tuple[str, ...]]]:
    return {(c.action, c.urn.rsplit("::", 1)[-1], c.paths) for c in comparison.changes}


class Store(pulumi.ComponentResource):
    """A component in the style of a blueprint: children named after it."""

    def __init__(self, name: str, bucket: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shop:index:Store", name, None, opts)
        inner = Shelf(f"{name}-shelf", bucket, pulumi.ResourceOptions(parent=self))
        self.register_outputs({"bucket": inner.bucket})


class Shelf(pulumi.ComponentResource):
    def __init__(self, name: str, bucket: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shop:index:Shelf", name, None, opts)
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket=bucket, opts=pulumi.ResourceOptions(parent=self)
        ).bucket
        self.register_outputs({})


def test_the_same_program_twice_changes_nothing():
    comparison = _compare(lambda: Store("orders", "acme-orders"), lambda: Store("orders", "acme-orders"))

    assert comparison.changes == [] and comparison.same_urn == comparison.old_count == 3


def test_a_resource_renamed_without_an_alias_is_deleted_and_created_again():
    comparison = _compare(
        lambda: aws.s3.Bucket("logs", bucket="acme-logs"),
        lambda: aws.s3.Bucket("audit-logs", bucket="acme-logs"),
    )

    assert _changes(comparison) == {("delete", "logs", ())}
    assert [u.rsplit("::", 1)[-1] for u in comparison.created] == ["audit-logs"]


def test_an_alias_carries_a_renamed_resource_over():
    comparison = _compare(
        lambda: aws.s3.Bucket("logs", bucket="acme-logs"),
        lambda: aws.s3.Bucket(
            "audit-logs", bucket="acme-logs", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="logs")])
        ),
    )

    assert comparison.changes == [] and len(comparison.aliased) == 1


def test_a_renamed_component_passes_its_alias_to_children_and_grandchildren():
    renamed = _compare(
        lambda: Store("orders", "acme-orders"),
        lambda: Store("sales", "acme-orders", pulumi.ResourceOptions(aliases=[pulumi.Alias(name="orders")])),
    )
    unaliased = _compare(lambda: Store("orders", "acme-orders"), lambda: Store("sales", "acme-orders"))

    # sales → sales-shelf → sales-shelf-bucket claim orders, orders-shelf, orders-shelf-bucket.
    assert renamed.changes == [] and len(renamed.aliased) == 3
    assert _changes(unaliased) == {("delete", "orders-shelf-bucket", ())}
    assert len(unaliased.dropped_components) == 2


def test_a_component_whose_type_moves_keeps_its_children_with_a_type_alias():
    class Moved(Store):
        pass

    def moved():
        component = pulumi.ComponentResource(
            "shop:v2:Store",
            "orders",
            None,
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="shop:index:Store")]),
        )
        Shelf("orders-shelf", "acme-orders", pulumi.ResourceOptions(parent=component))

    comparison = _compare(lambda: Store("orders", "acme-orders"), moved)

    assert comparison.changes == [] and len(comparison.aliased) == 3


def test_a_change_to_a_property_the_provider_replaces_on_is_a_replacement():
    comparison = _compare(
        lambda: aws.sqs.Queue("jobs", name="jobs", fifo_queue=False),
        lambda: aws.sqs.Queue("jobs", name="jobs", fifo_queue=True),
    )

    assert _changes(comparison) == {("replace", "jobs", ("fifoQueue",))}


def test_changed_tags_and_updatable_properties_are_updates_in_place():
    comparison = _compare(
        lambda: aws.sqs.Queue("jobs", name="jobs", visibility_timeout_seconds=30, tags={"team": "a"}),
        lambda: aws.sqs.Queue("jobs", name="jobs", visibility_timeout_seconds=60, tags={"team": "b"}),
    )

    assert comparison.changes == [] and comparison.updated == 1


def test_any_change_to_a_task_definition_is_a_new_revision():
    def task(image: str):
        return lambda: aws.ecs.TaskDefinition(
            "task",
            family="orders",
            container_definitions=f'[{{"name": "app", "image": "{image}"}}]',
            tags={"team": "orders"},
        )

    changed = _compare(task("orders:1.0.0"), task("orders:1.1.0"))

    assert _changes(changed) == {("replace", "task", ("containerDefinitions",))}


def test_a_deployment_is_replaced_when_its_selector_changes_and_updated_when_its_template_does():
    def deployment(selector: str, image: str):
        labels = {"app": selector}
        return lambda: k8s.apps.v1.Deployment(
            "web",
            metadata={"name": "web", "namespace": "shop"},
            spec={
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": "w", "image": image}]},
                },
            },
        )

    relabelled = _compare(deployment("web", "web:1"), deployment("shop-web", "web:1"))
    new_image = _compare(deployment("web", "web:1"), deployment("web", "web:2"))

    assert _changes(relabelled) == {("replace", "web", ("spec.selector", "spec.selector.matchLabels"))}
    assert new_image.changes == [] and new_image.updated == 1


def test_a_kubernetes_object_moved_to_another_namespace_is_replaced():
    def config_map(namespace: str):
        return lambda: k8s.core.v1.ConfigMap(
            "settings", metadata={"name": "settings", "namespace": namespace}
        )

    assert _changes(_compare(config_map("a"), config_map("b"))) == {
        ("replace", "settings", ("metadata.namespace",))
    }


def test_a_type_with_no_replace_on_change_data_is_not_passed():
    old = [{"urn": "urn:pulumi:dev::shop::aws:foo/bar:Bar::x", "type": "aws:foo/bar:Bar", "custom": True,
            "parent": None, "inputs": {"a": 1}}]  # fmt: skip

    comparison = us.compare("shop", old, old)

    assert _changes(comparison) == {("unjudged", "x", ())}
    assert comparison.unannounced == comparison.changes


NOTES = [
    "replaces `aws:sqs/queue:Queue` `*-jobs`: queues become FIFO; drain the old queue first.",
    "0.3.0: deletes `aws:s3/bucket:Bucket` `legacy-*`: the legacy bucket is no longer used.",
    "Renamed the `cpu` key to `cpuUnits`: not a resource change, so not a note of this kind.",
]


def test_migration_notes_that_announce_deletes_and_replacements_are_read_from_their_text():
    notes = us.parse_notes(NOTES)

    assert [(n.action, n.type, n.name_pattern) for n in notes] == [
        ("replace", "aws:sqs/queue:Queue", "*-jobs"),
        ("delete", "aws:s3/bucket:Bucket", "legacy-*"),
    ]


def test_the_shipped_migration_notes_parse():
    # Every version's notes, from before the first release to far ahead.
    assert all(n.action in ("replace", "delete") for n in us.migration_notes("0.0.0", "99.0.0"))


def test_an_announced_replacement_is_accepted_and_an_unannounced_one_is_not():
    notes = us.parse_notes(NOTES)

    def queues(fifo: bool):
        return lambda: [aws.sqs.Queue(n, name=n, fifo_queue=fifo) for n in ("orders-jobs", "jobs")]

    comparison = _compare(queues(False), queues(True), notes=notes)

    assert {c.urn.rsplit("::", 1)[-1] for c in comparison.changes} == {"orders-jobs", "jobs"}
    assert [c.urn.rsplit("::", 1)[-1] for c in comparison.unannounced] == ["jobs"]


def test_a_report_never_shows_an_input_value():
    comparison = _compare(
        lambda: aws.secretsmanager.SecretVersion("v", secret_id="orders", secret_string="hunter2-old"),
        lambda: aws.secretsmanager.SecretVersion(
            "v", secret_id="payments", secret_string=pulumi.Output.secret("hunter2-new")
        ),
    )
    report = us.UpgradeReport(release="0.1.0", version="0.2.0", comparisons=[comparison])

    text = us.render(report)

    assert "secretId" in text and "hunter2" not in text and "payments" not in text


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _resource_class(token: str):
    package, module_path, name = token.split(":")
    module = aws
    for part in module_path.split("/")[0].split("."):
        module = getattr(module, part)
    return getattr(module, name)


@pytest.mark.parametrize("token", sorted(us.load_rules().aws))
def test_every_replace_forcing_property_in_the_data_is_an_input_of_the_pulumi_aws_resource(token):
    rule = us.load_rules().aws[token]
    parameters = inspect.signature(_resource_class(token)._internal_init).parameters

    every_type = {"region"} if token.startswith("aws:iam/") else set()  # IAM is global: no region
    top_level = {path.split(".")[0].removesuffix("[*]") for path in rule.paths} - every_type

    assert {_snake(p) for p in top_level} <= set(parameters), sorted(
        {_snake(p) for p in top_level} - set(parameters)
    )


def test_goldenpaths_own_version_tag_is_no_change_of_the_blueprint_but_another_tag_is():
    def bucket(version: str, team: str):
        return lambda: aws.s3.Bucket("b", bucket="acme-b", tags={"goldenpath:version": version, "team": team})

    version_only = _compare(bucket("0.1.0", "a"), bucket("0.2.0", "a"))
    with_team = _compare(bucket("0.1.0", "a"), bucket("0.2.0", "b"))

    assert (version_only.updated, version_only.required_bump()) == (1, "none")
    assert (with_team.updated, with_team.required_bump()) == (1, "minor")


def test_a_component_that_takes_a_cloud_resources_urn_replaces_it():
    def wrapped():
        component = pulumi.ComponentResource(
            "shop:index:Queue",
            "jobs",
            None,
            pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="aws:sqs/queue:Queue")]),
        )
        aws.sqs.Queue("jobs-queue", name="jobs", opts=pulumi.ResourceOptions(parent=component))

    comparison = _compare(lambda: aws.sqs.Queue("jobs", name="jobs"), wrapped)

    assert _changes(comparison) == {("replace", "jobs", ("custom",))}


def test_an_alias_onto_a_urn_another_resource_still_has_is_not_a_clean_upgrade():
    comparison = _compare(
        lambda: aws.sqs.Queue("orders", name="orders"),
        lambda: [
            aws.sqs.Queue(
                "orders2", name="orders", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="orders")])
            ),
            aws.sqs.Queue("orders", name="orders-new"),
        ],
    )

    assert "unjudged" in {c.action for c in comparison.unannounced}


def test_resources_made_from_a_replaced_one_are_replaced_with_it():
    def network(cidr: str):
        def program():
            vpc = aws.ec2.Vpc("vpc", cidr_block=cidr)
            aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24")

        return program

    comparison = _compare(network("10.0.0.0/16"), network("10.0.0.0/17"))

    assert _changes(comparison) == {("replace", "vpc", ("cidrBlock",)), ("replace", "subnet", ("vpcId",))}


def test_an_input_made_from_a_renamed_resource_is_not_judged_from_the_mocks_ids():
    def network(name: str, aliases):
        def program():
            vpc = aws.ec2.Vpc(name, cidr_block="10.0.0.0/16", opts=pulumi.ResourceOptions(aliases=aliases))
            aws.ec2.Subnet("subnet", vpc_id=vpc.id, cidr_block="10.0.1.0/24")

        return program

    comparison = _compare(network("vpc", []), network("main", [pulumi.Alias(name="vpc")]))

    (change,) = comparison.changes
    assert (change.action, change.paths) == ("unjudged", ("vpcId",)) and "renamed" in change.reason


def test_a_resource_moved_to_another_explicit_provider_is_not_passed():
    def queue(region: str | None):
        def program():
            opts = None
            if region:
                opts = pulumi.ResourceOptions(provider=aws.Provider("use1", region=region))
            aws.sqs.Queue("jobs", name="jobs", opts=opts)

        return program

    comparison = _compare(queue(None), queue("us-east-1"))

    assert _changes(comparison) == {("unjudged", "jobs", ("provider",))}


def test_assets_in_inputs_are_snapshotted_by_what_identifies_them():
    def code(text: str):
        return lambda: aws.s3.BucketObjectv2(
            "page", bucket="acme-site", key="index.html", source=pulumi.StringAsset(text)
        )

    same = _compare(code("<h1>hi</h1>"), code("<h1>hi</h1>"))
    changed = _compare(code("<h1>hi</h1>"), code("<h1>hello</h1>"))

    assert same.changes == [] and same.updated == 0
    assert changed.updated == 1 or changed.changes
