"""Run the real ``chartwell`` CLI in-process (Typer's runner) and read its JSON answer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from chartwell.cli.main import build_app


def chartwell(*args: str, input: str | None = None):
    """(exit code, parsed JSON or None, stderr/stdout text)."""
    result = CliRunner().invoke(build_app(), list(args), input=input, catch_exceptions=False)
    document = None
    if "--json" in args and result.stdout.strip():
        document = json.loads(result.stdout)
    return result.exit_code, document, result.output
