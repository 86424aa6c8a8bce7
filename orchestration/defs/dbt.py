"""The dbt project as Dagster assets: every model, seed and snapshot, tests as asset checks,
and the raw tables as external assets observed by `dbt source freshness`.

Importing this module does nothing: the project is prepared (profile, manifest) and its assets
made when Dagster loads the definitions (orchestration/definitions.py calls the functions
below).
"""

import functools
import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from emg import settings
from emg.build_lock import build_lock
from emg.dbt_runner import as_of_env, profiles_dir, run_dbt, vars_args
from emg.paths import project_dir


def _manifest_is_stale(manifest: Path) -> bool:
    """No manifest, or a project file newer than it (a pull, a branch switch, an edit)."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    root = project_dir()
    files = [root / "dbt_project.yml"]
    for folder in ("models", "macros", "seeds", "tests", "snapshots"):
        files += (root / folder).rglob("*")
    return any(path.is_file() and path.stat().st_mtime > built for path in files)


@functools.cache
def prepared_project() -> DbtProject:
    """The dbt project with a manifest that matches its files: under `dagster dev` re-parsed
    at every load (model edits show at once), elsewhere parsed when the project changed."""
    project = DbtProject(project_dir=project_dir(), profiles_dir=profiles_dir())
    project.prepare_if_dev()
    if _manifest_is_stale(project.manifest_path):
        run_dbt(["parse", "--quiet"], stdout=subprocess.DEVNULL)
    return project


LAYERS = ("staging", "intermediate", "marts", "audit")
PERIOD = {"minute": "minutes", "hour": "hours", "day": "days"}


class EmgDbtTranslator(DagsterDbtTranslator):
    """Groups by layer: the model's top folder (staging, intermediate, marts, audit), seeds."""

    def get_group_name(self, dbt_resource_props) -> str | None:
        if dbt_resource_props["resource_type"] in ("seed", "snapshot"):
            return f"{dbt_resource_props['resource_type']}s"
        fqn = dbt_resource_props.get("fqn", [])
        if len(fqn) > 1 and fqn[1] in LAYERS:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)


# dbt's tests are asset checks: those of the models on the models, those of the sources
# (freshness aside) on the raw tables' external assets.
translator = EmgDbtTranslator(
    settings=DagsterDbtTranslatorSettings(
        enable_asset_checks=True, enable_source_tests_as_checks=True
    )
)


class DbtBuildConfig(dg.Config):
    as_of: str | None = None
    """ISO-8601 instant the build is as of; default the run's scheduled time, else now."""
    full_refresh: bool = False
    """Rebuild incremental models from scratch (the nightly build does)."""
    lock_wait_seconds: float = 1800
    """How long to wait for another build of the warehouse (an `emg build`, another run) to
    end before failing: one build at a time (emg/build_lock.py)."""
    unit_tests: bool = True
    """Run dbt's unit tests too. They test the SQL, which an hourly run does not change, so the
    hourly job leaves them to the nightly build and CI."""
    nightly_tests: bool = True
    """Run the data tests tagged `nightly` too: those on staging and audit and the raw tables'
    accounting (raw = clean + rejected), which read the whole history whatever changed. The
    hourly job leaves them to the nightly build; the marts' tests run every time."""


def run_as_of(context: dg.AssetExecutionContext, configured: str | None) -> datetime:
    """The build's as_of: configured, else the schedule tick that started the run, else now."""
    value = configured or context.run.tags.get("dagster/scheduled_execution_time")
    if not value:
        return datetime.now(UTC)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def dbt_build_assets(project: DbtProject) -> dg.AssetsDefinition:
    """Every model, seed and snapshot of `project` as one multi-asset, run by `dbt build`."""

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=translator)
    def emg_dbt_assets(
        context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
    ):
        as_of = run_as_of(context, config.as_of)
        context.log.info(f"dbt build as of {as_of.isoformat()}")
        args = ["build", *vars_args()]
        if config.full_refresh:
            args.append("--full-refresh")
        if not config.unit_tests:
            args += ["--exclude-resource-type", "unit_test"]
        if not config.nightly_tests:
            args += ["--exclude", "tag:nightly"]
        holder = f"Dagster run {context.run.run_id[:8]}"
        # dagster-dbt runs dbt with this process's environment: as_of goes in through it
        with (
            build_lock(holder, config.lock_wait_seconds, context.log.info),
            settings.variable_set(*as_of_env(as_of).popitem()),
        ):
            # each table's row count as `dagster/row_count` on its materialization (one
            # count(*) per model after it is built), so the UI charts a model's size over time
            yield from dbt.cli(args, context=context).stream().fetch_row_counts()

    return emg_dbt_assets


# --- the raw tables ------------------------------------------------------------------------


def _window(threshold: dict | None) -> timedelta | None:
    if not threshold or not threshold.get("count") or threshold.get("period") not in PERIOD:
        return None
    return timedelta(**{PERIOD[threshold["period"]]: threshold["count"]})


def source_specs(project: DbtProject) -> list[dg.AssetSpec]:
    """One external asset per dbt source table, with dbt's freshness as Dagster's policy."""
    manifest = json.loads(project.manifest_path.read_text())
    specs = []
    for source in sorted(manifest["sources"].values(), key=lambda s: s["unique_id"]):
        freshness = source.get("freshness") or {}
        fail, warn = _window(freshness.get("error_after")), _window(freshness.get("warn_after"))
        policy = None
        if fail or warn:
            policy = dg.FreshnessPolicy.time_window(
                fail_window=fail or warn, warn_window=warn if fail else None
            )
        specs.append(
            dg.AssetSpec(
                key=translator.get_asset_key(source),
                group_name="sources",
                description=source.get("description") or None,
                kinds={"postgres"},
                freshness_policy=policy,
                metadata={"dbt/unique_id": source["unique_id"]},
            )
        )
    return specs


def source_observations(project: DbtProject) -> dg.AssetsDefinition:
    """The raw tables, observed by `dbt source freshness`."""
    specs = source_specs(project)

    @dg.multi_observable_source_asset(specs=specs, name="observe_sources")
    def observe_sources(context: dg.AssetExecutionContext, dbt: DbtCliResource):
        """`dbt source freshness`: each raw table's newest load, as its last-updated time."""
        invocation = dbt.cli(
            ["source", "freshness"], raise_on_error=False, manifest=project.manifest_path
        )
        invocation.wait()
        artefact = invocation.get_artifact("sources.json")
        results = {r["unique_id"]: r for r in artefact["results"]}
        for spec in specs:
            result = results.get(spec.metadata["dbt/unique_id"])
            metadata = {}
            if result and result.get("max_loaded_at"):
                loaded = datetime.fromisoformat(result["max_loaded_at"].replace("Z", "+00:00"))
                metadata = {
                    "dagster/last_updated_timestamp": dg.TimestampMetadataValue(loaded.timestamp()),
                    "dbt/freshness_status": result.get("status", "unknown"),
                }
            yield dg.ObserveResult(asset_key=spec.key, metadata=metadata)

    return observe_sources
