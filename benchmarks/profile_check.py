"""``python -m benchmarks.profile_check [--services N] [--top K]``: where ``check`` spends its time.

Profiles (cProfile) one ``check_stack`` on a generated stack of N WebServices (after a warm-up
check, so imports are not counted) and prints the top K functions by cumulative and by own time.
This process is the program run and the analyzer client; the packs run in their own processes,
so ``--pack-side`` also profiles one pack's analyzer servicer handling every ``Analyze`` of the
stack in this process (pulumi-policy's own code path, without the gRPC transport), and
``--policies`` times each resource policy in-process on the stack's resources.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
from pathlib import Path

from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationArgs, ResourceValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from benchmarks.policy_eval import options, props, shipped_packs
from benchmarks.stacks import EXAMPLE_STACK, EXAMPLE_STACK_NAME, generate_stack
from goldenpath.check import check_stack
from goldenpath.harness import ProgramRun


def _stats(profile: cProfile.Profile, sort: str, top: int) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.strip_dirs().sort_stats(sort).print_stats(top)
    return out.getvalue()


def profile_check(stack_dir: Path, stack: str) -> tuple[cProfile.Profile, ProgramRun]:
    check_stack(EXAMPLE_STACK, EXAMPLE_STACK_NAME)  # warm-up: imports, caches
    profile = cProfile.Profile()
    result = profile.runcall(check_stack, stack_dir, stack)
    return profile, result.run


def profile_pack_side(run: ProgramRun, pack: str) -> cProfile.Profile:
    """One pack's servicer, in this process, answering ``Analyze`` for every custom resource of ``run``."""
    # The servicer is pulumi-policy's private class; PolicyPack() would also start a server and block.
    servicer = _PolicyAnalyzerServicer(pack, "0.0.1", shipped_packs()[pack], EnforcementLevel.ADVISORY)
    requests = [
        analyzer_pb2.AnalyzeRequest(
            type=r.type,
            properties=r.properties,
            urn=r.urn,
            name=r.name,
            options=analyzer_pb2.AnalyzerResourceOptions(protect=r.protect, parent=r.parent or ""),
        )
        for r in run.resources
        if r.custom
    ]
    profile = cProfile.Profile()
    profile.enable()
    for request in requests:
        servicer.Analyze(request, None)
    profile.disable()
    return profile


def policy_costs(run: ProgramRun) -> tuple[float, list[tuple[float, str, str]]]:
    """Seconds spent building every resource's args (once per pack), and per resource policy."""
    resources = [r for r in run.resources if r.custom]
    build = 0.0
    costs = []

    def ignore(message: str, urn: str | None = None) -> None:
        pass

    for pack, policies in shipped_packs().items():
        started = time.perf_counter()
        args = [
            ResourceValidationArgs(r.type, props(r), r.urn, r.name, options(r), None, {}) for r in resources
        ]
        build += time.perf_counter() - started
        for policy in policies:
            if isinstance(policy, ResourceValidationPolicy):
                started = time.perf_counter()
                for resource_args in args:
                    policy.validate(resource_args, ignore)
                costs.append((time.perf_counter() - started, pack, policy.name))
    return build, sorted(costs, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_check", description=__doc__)
    parser.add_argument("--services", type=int, default=10, help="WebServices in the stack (default 10)")
    parser.add_argument("--top", type=int, default=15, help="functions to list per ordering (default 15)")
    parser.add_argument(
        "--pack-side", metavar="PACK", help="also profile this pack's Analyze handling (e.g. aws_security)"
    )
    parser.add_argument(
        "--policies", action="store_true", help="also time each resource policy in-process on the stack"
    )
    parser.add_argument("--save", metavar="PATH", type=Path, help="write the check profile (pstats) here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="goldenpath-profile-") as tmp:
        folder = generate_stack(Path(tmp), args.services)
        profile, run = profile_check(folder, "dev")
    if args.save:
        profile.dump_stats(args.save)
    title = f"check_stack on {args.services} services ({sum(1 for r in run.resources if r.custom)} custom resources)"
    for sort in ("cumulative", "tottime"):
        print(f"=== {title}: top {args.top} by {sort} ===")
        print(_stats(profile, sort, args.top))
    if args.pack_side:
        pack_profile = profile_pack_side(run, args.pack_side)
        for sort in ("cumulative", "tottime"):
            print(f"=== pack {args.pack_side}: Analyze for every resource, top {args.top} by {sort} ===")
            print(_stats(pack_profile, sort, args.top))
    if args.policies:
        build, costs = policy_costs(run)
        total = build + sum(c for c, _, _ in costs)
        print(f"=== in-process policy evaluation: {total:.3f} s; building args (all packs) {build:.3f} s ===")
        for seconds, pack, name in costs[: args.top]:
            print(f"{seconds:8.4f} s  {seconds / total:5.1%}  {pack}/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
