"""Lambda runtimes that AWS has deprecated: data, with where it comes from.

Source: the "Deprecated runtimes" table of https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
(the date is the deprecation date: from then on the runtime gets no security patches, and soon after
functions using it can no longer be created or updated). Cross-checked with checkov CKV_AWS_363 and
tflint-ruleset-aws ``aws_lambda_function_deprecated_runtime``. The installed pulumi_aws SDK's
``pulumi_aws.lambda_.Runtime`` enum lists deprecated members after the supported ones but does not mark
them (and still lists dotnet6, nodejs18.x and python3.9 as current), so it cannot be the source.

Only runtimes whose deprecation date has passed are listed, so a verdict never changes by itself
overnight; when AWS deprecates another runtime, add it here (or, until a release, name it in the
policy's ``extraDeprecatedRuntimes`` config).
"""

from __future__ import annotations

import datetime as _dt

DEPRECATED_RUNTIMES: dict[str, _dt.date] = {
    runtime: _dt.date.fromisoformat(day)
    for runtime, day in (
        ("python3.9", "2025-12-15"),
        ("nodejs18.x", "2025-09-01"),
        ("python3.8", "2024-10-14"),
        ("dotnet6", "2024-12-20"),
        ("nodejs16.x", "2024-06-12"),
        ("dotnet7", "2024-05-14"),
        ("java8", "2024-01-08"),  # Java 8 on Amazon Linux 1; java8.al2 is a different runtime
        ("go1.x", "2024-01-08"),
        ("provided", "2024-01-08"),  # the Amazon Linux 1 OS-only runtime; provided.al2/al2023 differ
        ("nodejs14.x", "2023-12-04"),
        ("python3.7", "2023-12-04"),
        ("ruby2.7", "2023-12-07"),
        ("dotnetcore3.1", "2023-04-03"),
        ("nodejs12.x", "2023-03-31"),
        ("python3.6", "2022-07-18"),
        ("dotnet5.0", "2022-05-10"),
        ("dotnetcore2.1", "2022-01-05"),
        ("nodejs10.x", "2021-07-30"),
        ("ruby2.5", "2021-07-30"),
        ("python2.7", "2021-07-15"),
        ("nodejs8.10", "2020-03-06"),
        ("nodejs4.3", "2020-03-06"),
        ("nodejs4.3-edge", "2019-04-30"),
        ("nodejs6.10", "2019-08-12"),
        ("dotnetcore1.0", "2019-07-30"),
        ("dotnetcore2.0", "2019-05-30"),
        ("nodejs", "2016-10-31"),
    )
}
