"""The dashboards' readers as Superset roles, kept through Superset's REST API (its roles,
permissions and row-level security): `leader` and `bdr` from superset/roles.yml, and one role
`bdr:<bdr_id>` per BDR with a login, whose row-level security filter shows that BDR's rows.

`sync_roles` runs after every import (`emg superset start` and `emg superset import`): it brings
both roles back to exactly the permissions of roles.yml plus `datasource_access` on the
bundle's datasets (their ids exist only once imported), and points every row-level security
filter at the datasets that have a bdr_id column now. `ensure_bdr_role` makes a BDR's own role
for `emg superset user add --role bdr`. The reading of roles.yml and the SQL of the filters are
pure; the rest talks to Superset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from emg.errors import EmgError
from emg.superset.api import Superset
from emg.superset.docs import read_dataset_models
from emg.superset.spec import dataset_columns, load_spec

LEADER_ROLE = "leader"
BDR_ROLE = "bdr"
# The column row-level security filters on, and the filter group in which Superset ORs the
# `bdr` role's filter (nothing) with a BDR's own (its rows).
BDR_ID = "bdr_id"
RLS_GROUP = "bdr_id"
BDR_BASE_CLAUSE = "false"
FILTER_PREFIX = "emg "  # the row-level security filters emg keeps are named "emg <role>"


@dataclass(frozen=True)
class RolesSpec:
    roles: dict[str, str]  # name -> what it is for
    permissions: tuple[tuple[str, str], ...]  # (permission, view) pairs both roles hold


def parse_roles(text: str) -> RolesSpec:
    raw = yaml.safe_load(text)
    roles = {str(name): str(about) for name, about in raw["roles"].items()}
    if set(roles) != {LEADER_ROLE, BDR_ROLE}:
        raise ValueError(f"roles.yml must define {LEADER_ROLE} and {BDR_ROLE}, not {sorted(roles)}")
    permissions = tuple((str(perm), str(view)) for perm, view in raw["permissions"])
    return RolesSpec(roles=roles, permissions=permissions)


def load_roles(superset_dir: Path) -> RolesSpec:
    return parse_roles((superset_dir / "roles.yml").read_text())


def bdr_role(bdr_id: str) -> str:
    return f"{BDR_ROLE}:{bdr_id}"


def bdr_clause(bdr_id: str) -> str:
    """The row-level security clause of one BDR (a SQL string literal, quotes doubled)."""
    return f"{BDR_ID} = '{bdr_id.replace(chr(39), chr(39) * 2)}'"


def bdr_dataset_uuids(project: Path) -> set[str]:
    """The UUIDs of the datasets with a bdr_id column (datasets.yml and the dbt docs)."""
    spec = load_spec(project / "superset")
    models = read_dataset_models(project / "models")
    return {
        dataset.uuid
        for dataset in spec.datasets.values()
        if dataset.mart in models and BDR_ID in dataset_columns(dataset, models)
    }


# --- through Superset's REST API ------------------------------------------------------------


@dataclass(frozen=True)
class Datasets:
    """The bundle's datasets as imported: every id, and those of the datasets with bdr_id."""

    ids: tuple[int, ...]
    bdr_ids: tuple[int, ...]


def bundle_datasets(api: Superset, project: Path) -> Datasets:
    spec = load_spec(project / "superset")
    uuids = {dataset.uuid for dataset in spec.datasets.values()}
    with_bdr = bdr_dataset_uuids(project)
    rows = api.list_all("dataset", ["id", "uuid"])
    return Datasets(
        ids=tuple(sorted(row["id"] for row in rows if row["uuid"] in uuids)),
        bdr_ids=tuple(sorted(row["id"] for row in rows if row["uuid"] in with_bdr)),
    )


def role_ids(api: Superset) -> dict[str, int]:
    return {row["name"]: row["id"] for row in api.list_all("security/roles", ["id", "name"])}


def _ensure_role(api: Superset, name: str, known: dict[str, int]) -> int:
    if name not in known:
        known[name] = api.create("/api/v1/security/roles/", {"name": name})["id"]
    return known[name]


def _permission_ids(
    api: Superset, wanted: tuple[tuple[str, str], ...], dataset_ids: tuple[int, ...]
) -> list[int]:
    """The ids of the (permission, view) pairs, and of datasource_access on each dataset."""
    columns = ["id", "permission.name", "view_menu.name"]
    rows = api.list_all("security/permissions-resources", columns)
    by_pair = {(row["permission"]["name"], row["view_menu"]["name"]): row["id"] for row in rows}
    missing = [pair for pair in wanted if pair not in by_pair]
    if missing:
        raise EmgError(f"superset/roles.yml names permissions Superset does not have: {missing}")
    suffixes = {f"(id:{dataset_id})" for dataset_id in dataset_ids}
    access = [
        pvm_id
        for (perm, view), pvm_id in by_pair.items()
        if perm == "datasource_access" and any(view.endswith(s) for s in suffixes)
    ]
    if len(access) != len(suffixes):
        raise EmgError(
            f"Superset has datasource_access for {len(access)} of the {len(suffixes)} datasets "
            "imported; run `emg superset import` again"
        )
    return sorted({by_pair[pair] for pair in wanted} | set(access))


def _filters(api: Superset) -> dict[str, dict]:
    rows = api.list_all("rowlevelsecurity", ["id", "name", "clause", "tables.id", "roles.id"])
    return {row["name"]: row for row in rows if row["name"].startswith(FILTER_PREFIX)}


def _ensure_filter(
    api: Superset, role: str, role_id: int, clause: str, tables: tuple[int, ...], known: dict
) -> None:
    """One Regular filter named after its role, in the BDR filter group (created or updated)."""
    name = FILTER_PREFIX + role
    payload = {
        "name": name,
        "description": f"{role}: {clause} on every dataset with a {BDR_ID} column",
        "filter_type": "Regular",
        "tables": list(tables),
        "roles": [role_id],
        "group_key": RLS_GROUP,
        "clause": clause,
    }
    current = known.get(name)
    if current is None:
        api.create("/api/v1/rowlevelsecurity/", payload)
        return
    same = (
        current["clause"] == clause
        and sorted(t["id"] for t in current["tables"]) == sorted(tables)
        and [r["id"] for r in current["roles"]] == [role_id]
    )
    if not same:
        api.put(f"/api/v1/rowlevelsecurity/{current['id']}", payload)


def sync_roles(api: Superset, project: Path) -> str:
    """Bring leader and bdr to roles.yml's permissions on the bundle's datasets, and every
    row-level security filter of the BDR roles to the datasets with a bdr_id (idempotent)."""
    spec = load_roles(project / "superset")
    datasets = bundle_datasets(api, project)
    permissions = _permission_ids(api, spec.permissions, datasets.ids)
    known = role_ids(api)
    for name in spec.roles:
        role_id = _ensure_role(api, name, known)
        api.create(
            f"/api/v1/security/roles/{role_id}/permissions",
            {"permission_view_menu_ids": permissions},
        )
    filters = _filters(api)
    _ensure_filter(api, BDR_ROLE, known[BDR_ROLE], BDR_BASE_CLAUSE, datasets.bdr_ids, filters)
    bdrs = sorted(name for name in known if name.startswith(f"{BDR_ROLE}:"))
    for name in bdrs:
        bdr_id = name.split(":", 1)[1]
        _ensure_filter(api, name, known[name], bdr_clause(bdr_id), datasets.bdr_ids, filters)
    return (
        f"roles {LEADER_ROLE} and {BDR_ROLE}: {len(spec.permissions)} permissions and "
        f"{len(datasets.ids)} datasets; {len(bdrs)} BDR roles filtered by {BDR_ID} on "
        f"{len(datasets.bdr_ids)} datasets"
    )


def ensure_bdr_role(api: Superset, project: Path, bdr_id: str) -> int:
    """The role `bdr:<bdr_id>` with its row-level security filter; its id."""
    known = role_ids(api)
    name = bdr_role(bdr_id)
    role_id = _ensure_role(api, name, known)
    datasets = bundle_datasets(api, project)
    _ensure_filter(api, name, role_id, bdr_clause(bdr_id), datasets.bdr_ids, _filters(api))
    return role_id
