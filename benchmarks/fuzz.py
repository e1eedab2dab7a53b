"""``python -m benchmarks.fuzz``: compliance by construction, at scale, for every blueprint.

For each blueprint of :data:`goldenpath.blueprint_reference.BLUEPRINTS`, and for the one service
spec (``Service``) from each of its two targets, the campaign draws configs from the blueprint's
own config model — its generated JSON Schema, through hypothesis-jsonschema —
and runs each one the way a team's stack runs: the five-line program (the blueprint class with
only its name) under the Pulumi mocks, reading the drawn values as the project's stack config.

* A draw starts from the blueprint's example config and replaces a random subset of its keys with
  values drawn from those keys' own schemas (a whole-schema draw alone is almost never accepted:
  the model's cross-field rules, such as Fargate's cpu/memory pairs, are not in the schema).
* One draw in three is then *mutated* on purpose: a value of the wrong type, a number far out of
  range, an unknown key, a required key removed, or a misspelt key inside a section.
* Every draw of a blueprint that takes secret values (``secretValues``, or the spec's
  ``aws.secretValues`` when its target is aws) carries one holding a unique marker, so that any
  echo of it is found. (The others take no secret in their config: Kubernetes
  secrets come from a secret store, and environment variables are plain config.)

What must hold, and is counted:

* a config the model accepts builds, and every shipped pack for its target finds 0 mandatory
  violations in it;
* a config the model refuses fails with :class:`goldenpath.config.ConfigError`, whose every line
  names ``<project>:<key>`` (a key of the config, or a required one) and says what is allowed, on
  one line;
* nothing else: 0 tracebacks (any other exception), 0 hangs (a run over its time limit), and the
  secret marker in no error and no policy message.

The test suite runs a few hundred draws per blueprint (``tests/test_fuzz_campaign.py``, marked
slow); the closing figures come from ``python -m benchmarks.fuzz --count 10000``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from goldenpath import blueprints
from goldenpath.analyzer import PolicyPackProcess, pack_dirs
from goldenpath.blueprint_reference import BLUEPRINTS, Blueprint, example_config, json_schema
from goldenpath.check import resource_input
from goldenpath.config import ConfigError
from goldenpath.harness import ProgramError, run_under_mocks

PACKS = {"aws": ("aws_security", "platform_standards"), "kubernetes": ("kubernetes", "platform_standards")}
CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/0f4b1c52-8a3e-4c1d-9d57-1b2c3d4e5f60"


def _spec_subject(target: str, example: Mapping[str, Any]) -> Blueprint:
    # The one service spec (blueprints/service.py) is no entry of BLUEPRINTS, which knows one target
    # per blueprint; the campaign draws it once from each target's example. A draw may change
    # `target` itself: its packs are then the drawn target's.
    return Blueprint(
        name=f"service-spec-{target}",
        class_name="Service",
        summary=f"The one service spec (ServiceSpec), starting from target {target}.",
        target=target,
        example={"target": target, **example},
    )


SUBJECTS: dict[str, Blueprint] = {
    **BLUEPRINTS,
    "service-spec-aws": _spec_subject("aws", {"aws": {"certificateArn": CERTIFICATE, "imageTag": "1.0.0"}}),
    "service-spec-kubernetes": _spec_subject("kubernetes", {"image": "ghcr.io/acme/orders:1.0.0"}),
}
RUN_TIMEOUT_SECONDS = 60.0
MUTATIONS = ("wrong-type", "out-of-range", "unknown-key", "missing-required", "unknown-nested-key")
_KEY_LINE = re.compile(r"^(?P<namespace>[A-Za-z0-9_.-]+):(?P<key>[A-Za-z0-9_.\[\]-]+): \S")


@dataclass
class Tally:
    blueprint: str
    drawn: int = 0
    valid: int = 0
    invalid: int = 0
    mutated: int = 0
    mandatory: int = 0
    tracebacks: int = 0
    hangs: int = 0
    secret_echoes: int = 0
    bad_errors: int = 0
    resources: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def failed(self) -> bool:
        return bool(self.mandatory or self.tracebacks or self.hangs or self.secret_echoes or self.bad_errors)

    def note(self, kind: str, text: str) -> None:
        if len(self.problems) < 20:
            self.problems.append(f"{kind}: {text}")

    def summary(self) -> dict[str, Any]:
        return {
            "blueprint": self.blueprint,
            "drawn": self.drawn,
            "valid": self.valid,
            "invalid": self.invalid,
            "mutated": self.mutated,
            "mandatory_findings": self.mandatory,
            "tracebacks": self.tracebacks,
            "hangs": self.hangs,
            "secret_echoes": self.secret_echoes,
            "malformed_errors": self.bad_errors,
            "resources_min": min(self.resources) if self.resources else 0,
            "resources_max": max(self.resources) if self.resources else 0,
            "seconds": round(self.seconds, 1),
            "problems": self.problems,
        }


def _project(blueprint: Blueprint) -> str:
    return "bootstrap" if blueprint.project == "bootstrap" else "orders"


def _example_values(blueprint: Blueprint) -> dict[str, Any]:
    prefix = f"{_project(blueprint)}:"
    return {
        k[len(prefix) :]: v for k, v in example_config(blueprint)["config"].items() if k.startswith(prefix)
    }


def _resolve(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """A property's schema with its ``$ref`` (one level, into ``$defs``) made self-contained."""
    text = json.dumps(schema)
    return {**json.loads(text), "$defs": dict(defs)}


@st.composite
def drawn_configs(draw, blueprint: Blueprint, marker: str) -> tuple[dict[str, Any], str | None]:
    """``(values, mutation)``: the example overlaid with drawn keys, mutated one time in three."""
    schema = json_schema(blueprint)
    defs = schema.get("$defs", {})
    properties = schema["properties"]
    values = _example_values(blueprint)
    # Mostly a few keys at a time, so that most unmutated draws are configs the model accepts.
    size = draw(st.sampled_from((0, 1, 1, 2, 2, 3, 4, len(properties))))
    chosen = draw(st.sets(st.sampled_from(sorted(properties)), max_size=size))
    for key in sorted(chosen):
        section = _section(blueprint, properties[key], defs)
        if section and draw(st.booleans()):
            # The spec's knobs live in sections (aws:, kubernetes:, replicas:): a whole drawn
            # section almost never holds what its target requires, so half the time only some of
            # its keys are drawn, over the example's.
            given = values.get(key)
            inner = dict(given) if isinstance(given, dict) else {}
            for name in sorted(draw(st.sets(st.sampled_from(sorted(section)), min_size=1, max_size=3))):
                inner[name] = draw(from_schema(_resolve(section[name], defs)))
            values[key] = inner
        else:
            values[key] = draw(from_schema(_resolve(properties[key], defs)))
    holder = _secret_holder(blueprint, values)
    if holder is not None:
        secrets = values.get("secrets")
        values["secrets"] = [*secrets, "api-token"] if isinstance(secrets, list) else ["api-token"]
        given = holder.get("secretValues")
        holder["secretValues"] = {**(given if isinstance(given, dict) else {}), "api-token": marker}
    mutation = draw(st.sampled_from((*(None,) * (2 * len(MUTATIONS)), *MUTATIONS)))
    if mutation == "wrong-type":
        key = draw(st.sampled_from(sorted(properties)))
        values[key] = draw(st.sampled_from([[1, 2], {"x": 1}, 3.5, True]))
    elif mutation == "out-of-range":
        numeric = sorted(k for k, p in properties.items() if p.get("type") in ("integer", "number"))
        if numeric:
            values[draw(st.sampled_from(numeric))] = draw(st.sampled_from([-1, 0, 10**9]))
    elif mutation == "unknown-key":
        values[draw(st.sampled_from(["colour", "imagetag", "replica", "Team"]))] = "x"
    elif mutation == "missing-required":
        required = schema.get("required", [])
        if required:
            values.pop(draw(st.sampled_from(sorted(required))), None)
    elif mutation == "unknown-nested-key":
        sections = sorted(k for k, v in values.items() if isinstance(v, dict) and k != "secretValues")
        if sections:
            section = draw(st.sampled_from(sections))
            values[section] = {**values[section], "bogus": 1}
    return values, mutation


def _section(blueprint: Blueprint, schema: Mapping[str, Any], defs: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of a spec section (an object the schema names by ``$ref``); none for a blueprint."""
    if blueprint.class_name != "Service" or "$ref" not in schema:
        return {}
    return dict(defs.get(schema["$ref"].rsplit("/", 1)[-1], {}).get("properties", {}))


def _secret_holder(blueprint: Blueprint, values: dict[str, Any]) -> dict[str, Any] | None:
    """Where a draw's ``secretValues`` go: the config itself, the spec's ``aws`` section, or nowhere."""
    if "secretValues" in json_schema(blueprint)["properties"]:
        return values
    if blueprint.class_name == "Service" and values.get("target") == "aws":
        section = values.get("aws")
        values["aws"] = section = dict(section) if isinstance(section, dict) else {}
        return section
    return None


def _target(blueprint: Blueprint, values: Mapping[str, Any]) -> str:
    """The target a draw builds for: the spec's drawn ``target`` when it names one, else the blueprint's."""
    drawn = values.get("target") if blueprint.class_name == "Service" else None
    return drawn if isinstance(drawn, str) and drawn in PACKS else blueprint.target


def _stack_config(blueprint: Blueprint, values: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    project = _project(blueprint)
    config = {"aws:region": "eu-west-1"} if _target(blueprint, values) == "aws" else {}
    for key, value in values.items():
        config[f"{project}:{key}"] = value if isinstance(value, str) else json.dumps(value)
    aws = values.get("aws")
    secrets = [
        f"{project}:{key}"
        for key, holds in (
            ("secretValues", "secretValues" in values),
            ("aws", isinstance(aws, dict) and "secretValues" in aws),
        )
        if holds
    ]
    return config, secrets


class Campaign:
    """The packs of every target, started once and reused for every draw."""

    def __init__(self) -> None:
        self.processes: dict[str, PolicyPackProcess] = {}

    def packs(self, target: str) -> list[PolicyPackProcess]:
        started = []
        for name in PACKS[target]:
            if name not in self.processes:
                process = PolicyPackProcess(pack_dirs()[name]).start()
                process.configure(None)
                self.processes[name] = process
            started.append(self.processes[name])
        return started

    def close(self) -> None:
        for process in self.processes.values():
            process.stop()

    def judge(
        self, blueprint: Blueprint, values: dict[str, Any], mutation: str | None, marker: str, tally: Tally
    ):
        tally.drawn += 1
        tally.mutated += mutation is not None
        project = _project(blueprint)
        config, secrets = _stack_config(blueprint, values)
        environment = values.get("environment") if isinstance(values.get("environment"), str) else "dev"
        cls = getattr(blueprints, blueprint.class_name)
        label = f"{blueprint.name} {mutation or 'valid-draw'} {json.dumps(values, default=str)[:300]}"
        try:
            run = run_under_mocks(
                lambda: cls(project),
                project=project,
                stack=environment or "dev",
                config=config,
                secret_keys=secrets,
                timeout=RUN_TIMEOUT_SECONDS,
            )
        except ConfigError as error:
            self._judge_error(error, blueprint, values, marker, tally, label)
            return
        except ProgramError as error:
            cause = error.__cause__ or error.__context__
            if isinstance(cause, ConfigError):
                self._judge_error(cause, blueprint, values, marker, tally, label)
            elif "did not finish" in str(error) or "time" in str(error).lower():
                tally.hangs += 1
                tally.note("hang", label)
            else:
                tally.tracebacks += 1
                tally.note("traceback", f"{label}: {error}")
            return
        except Exception:  # noqa: BLE001 - counted: a traceback is what this campaign looks for
            tally.tracebacks += 1
            tally.note("traceback", f"{label}: {traceback.format_exc(limit=3)}")
            return
        tally.valid += 1
        custom = [r for r in run.evaluated if r.custom]
        tally.resources[len(custom)] += 1
        inputs = [resource_input(r) for r in custom]
        for process in self.packs(_target(blueprint, values)):
            for diagnostic in process.evaluate(inputs):
                if marker in diagnostic.message:
                    tally.secret_echoes += 1
                    tally.note("secret echoed", f"{diagnostic.policy}: {label}")
                if diagnostic.enforcement == "mandatory":
                    tally.mandatory += 1
                    tally.note("mandatory", f"{diagnostic.policy} on {diagnostic.urn}: {label}")

    @staticmethod
    def _judge_error(
        error: ConfigError, blueprint: Blueprint, values, marker: str, tally: Tally, label: str
    ) -> None:
        """Each line names a key the config gave or the model has, on one line, and no secret."""
        tally.invalid += 1
        keys = {*values, *json_schema(blueprint)["properties"]}
        text = str(error)
        if marker in text:
            tally.secret_echoes += 1
            tally.note("secret echoed", label)
        for problem in error.problems:
            match = _KEY_LINE.match(problem)
            top = match.group("key").split(".")[0].split("[")[0] if match else ""
            if (
                "\n" in problem
                or not match
                or match.group("namespace") != _project(blueprint)
                or top not in keys
            ):
                tally.bad_errors += 1
                tally.note("malformed error", f"{problem!r}: {label}")


def draws(blueprint: Blueprint, count: int, seed: int) -> Iterator[tuple[dict[str, Any], str | None, str]]:
    """``count`` draws for ``blueprint``, the same for the same seed."""
    collected: list[tuple[dict[str, Any], str | None, str]] = []
    rng = random.Random(seed)

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        derandomize=False,
    )
    @given(st.data())
    def collect(data):
        marker = f"fuzz-secret-{rng.getrandbits(48):012x}"
        values, mutation = data.draw(drawn_configs(blueprint, marker))
        collected.append((values, mutation, marker))

    collect._hypothesis_internal_use_seed = seed  # type: ignore[attr-defined]
    collect()
    yield from collected[:count]


def run_campaign(
    names: list[str],
    count: int,
    seed: int = 0,
    checkpoint: Callable[[list[Tally]], None] | None = None,
    every: int = 500,
) -> list[Tally]:
    """The tallies of ``count`` draws per blueprint; ``checkpoint`` gets them every ``every`` draws."""
    campaign = Campaign()
    tallies = []
    try:
        for name in names:
            blueprint = SUBJECTS[name]
            tally = Tally(name)
            tallies.append(tally)
            started = time.perf_counter()
            for values, mutation, marker in draws(blueprint, count, seed):
                campaign.judge(blueprint, values, mutation, marker, tally)
                tally.seconds = time.perf_counter() - started
                if checkpoint and tally.drawn % every == 0 and tally.drawn < count:
                    checkpoint(tallies)
    finally:
        campaign.close()
    return tallies


def _write_figures(path: str, tallies: list[Tally], complete: bool) -> None:
    """The figures so far, replaced whole, so that a campaign stopped early still leaves them."""
    target = Path(path)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(json.dumps([{**t.summary(), "complete": complete} for t in tallies], indent=2))
    partial.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--blueprint",
        action="append",
        choices=sorted(SUBJECTS),
        help="default: every one (the blueprints, and the service spec from each target)",
    )
    parser.add_argument("--count", type=int, default=300, help="draws per blueprint (default 300)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--json",
        help='also write the figures to this file, every 500 draws with "complete": false, '
        "so that a long campaign stopped early still leaves the figures of the draws it judged",
    )
    args = parser.parse_args(argv)
    checkpoint = (lambda tallies: _write_figures(args.json, tallies, complete=False)) if args.json else None
    tallies = run_campaign(args.blueprint or sorted(SUBJECTS), args.count, args.seed, checkpoint)
    figures = [t.summary() for t in tallies]
    for figure in figures:
        print(json.dumps({k: v for k, v in figure.items() if k != "problems"}))
        for problem in figure["problems"]:
            print(f"  {problem}")
    if args.json:
        _write_figures(args.json, tallies, complete=True)
    return 1 if any(t.failed() for t in tallies) else 0


if __name__ == "__main__":
    sys.exit(main())
