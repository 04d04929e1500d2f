"""``rcakit report``: logs (+ changes) in, root-cause report out (JSON, Markdown or HTML)."""

from __future__ import annotations

from pathlib import Path

import click

from rcakit._text import strip_terminal_escapes
from rcakit.cli._app import InputProblem, input_paths, main, user_errors

__all__ = ["report"]


@main.command("report")
@click.argument("logs", nargs=-1, required=True, metavar="LOGS...")
@click.option(
    "--deploys",
    "deploys",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Change file: CSV/JSON/NDJSON (time, service, version, id, kind, description), a tool's own "
    "export (GitHub/GitLab deployments, LaunchDarkly, Unleash, Terraform Cloud runs, helm history -o json, "
    "Argo CD applications, Jenkins builds, AWX jobs, Azure DevOps releases, Octopus deployments, PagerDuty change "
    "events, Cloudflare's and Flagsmith's audit logs, ITSM exports), or Kubernetes events (kubectl get events -o json: "
    "rollouts, Flux releases). Repeatable. Default: deploys.csv / changes.json ... found in an input directory.",
)
@click.option(
    "--baseline",
    "baseline",
    multiple=True,
    help="Logs of a normal period to compare with (repeatable). Default: the history before the incident.",
)
@click.option("--window", default="1m", show_default=True, help="Detection window (e.g. 30s, 1m, 5m).")
@click.option("--tz", default="UTC", show_default=True, help="Time zone (IANA) of timestamps that carry none.")
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report here; the extension (.json, .md, .html) picks the format. "
    "Repeat for several formats from one analysis.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "markdown", "md", "html"], case_sensitive=False),
    default=None,
    help="Output format (overrides the extension). Default: Markdown.",
)
@click.option(
    "--strict-changes",
    is_flag=True,
    help="Stop (exit 2) at a change file that cannot be read. Default: leave it out with a warning, "
    "and the report says which files were not read.",
)
def report(
    logs: tuple[str, ...],
    deploys: tuple[str, ...],
    baseline: tuple[str, ...],
    window: str,
    tz: str,
    outputs: tuple[Path, ...],
    fmt: str | None,
    strict_changes: bool,
) -> None:
    """Root-cause report for LOGS: incidents, root service, the change that caused it.

    \b
    Examples:
      rcakit report sample_logs/checkout-incident
      rcakit report exports/ --deploys deploys.csv -o incident.html
      rcakit report exports/ --deploys deploys.csv --format json > rca.json
      rcakit report exports/ -o incident.html -o incident.md -o incident.json
    """
    from rcakit.report import analyze, format_for, render

    paths = input_paths(logs)
    base = input_paths(baseline) if baseline else None
    with user_errors():
        targets: list[Path | None] = list(outputs) or [None]
        kinds = [format_for(format=fmt, path=out) for out in targets]  # fail before the work
        rca = analyze(
            paths, deploys=list(deploys) or None, baseline=base, window=window, tz=tz, strict_changes=strict_changes
        )
        texts = [render(rca, format=kind) for kind in kinds]
    n = len(rca.incidents)
    causes = ", ".join(i.cause or "no change" for i in rca.incidents) or "none"
    for output, kind, text in zip(targets, kinds, texts, strict=True):
        if output is None:
            click.echo(strip_terminal_escapes(text) if kind == "markdown" else text, nl=not text.endswith("\n"))
            continue
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputProblem(f"{output}: cannot write the report ({exc.strerror})") from exc
        click.echo(f"wrote {output} ({kind}): {n} incident(s), cause: {causes}", err=True)
