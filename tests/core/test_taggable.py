"""goldenpath.taggable: which AWS types carry tags, read from pulumi-aws itself."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from goldenpath.taggable import is_taggable


@pytest.mark.parametrize(
    "token",
    [
        "aws:s3/bucket:Bucket",
        "aws:ecs/taskDefinition:TaskDefinition",
        "aws:iam/role:Role",
        "aws:alb/loadBalancer:LoadBalancer",
    ],
)
def test_resource_that_accepts_a_tags_map_is_taggable(token):
    assert is_taggable(token) is True


@pytest.mark.parametrize(
    "token",
    [
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    ],
)
def test_resource_without_a_tags_argument_is_not_taggable(token):
    assert is_taggable(token) is False


def test_list_of_tag_blocks_counts_as_tags():
    assert is_taggable("aws:autoscaling/group:Group") is True


def test_tags_argument_that_selects_resources_by_tag_is_not_resource_tagging():
    assert is_taggable("aws:devopsguru/resourceCollection:ResourceCollection") is False


def test_module_named_after_a_python_keyword_is_found():
    assert is_taggable("aws:lambda/function:Function") is True


@pytest.mark.parametrize(
    "token",
    ["pulumi:providers:aws", "kubernetes:core/v1:Pod", "goldenpath:aws:Service", "aws", "aws::Bucket", ""],
)
def test_tokens_of_other_providers_and_malformed_tokens_are_not_taggable(token):
    assert is_taggable(token) is False


@pytest.mark.parametrize("token", ["aws:nosuchservice/thing:Thing", "aws:s3/noSuchThing:NoSuchThing"])
def test_types_the_installed_provider_does_not_know_are_not_taggable(token):
    assert is_taggable(token) is False


def test_first_answer_imports_only_the_submodule_of_that_type():
    program = (
        "import sys\n"
        "from goldenpath.taggable import is_taggable\n"
        "assert 'pulumi_aws' not in sys.modules\n"
        "is_taggable('aws:ecr/repository:Repository')\n"
        "print(sorted({n.split('.')[1] for n in sys.modules if n.startswith('pulumi_aws.') and n.count('.') >= 2}))\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout

    assert out.strip() == "['ecr']"


def test_answers_are_cached_so_repeated_questions_cost_a_lookup():
    is_taggable("aws:ecs/cluster:Cluster")
    hits_before = is_taggable.cache_info().hits
    calls = 100_000

    started = time.perf_counter()
    for _ in range(calls):
        is_taggable("aws:ecs/cluster:Cluster")
    per_call = (time.perf_counter() - started) / calls

    assert is_taggable.cache_info().hits - hits_before == calls
    assert per_call < 5e-6  # measured ≈0.1 µs; a miss costs an import and a signature read
