"""Superset's datasets, one per mart (or audit view) the dashboards use: the spec's dataset with
the model's columns, types and descriptions from the dbt docs, its metrics, and for a dataset
that adds the BDR's name the SQL that joins it in (pure)."""

from __future__ import annotations

from emg.superset.docs import Model
from emg.superset.spec import VERSION, DatasetSpec, Spec, joined_columns

# The schema of the marts; a dataset of the data-quality dashboard reads schema audit instead.
MARTS_SCHEMA = "marts"

_TYPES = {
    "text": "TEXT",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP WITHOUT TIME ZONE",
}


def superset_type(dbt_type: str) -> str:
    base = dbt_type.split("(")[0].strip().lower()
    if base == "numeric":
        return "NUMERIC"
    return _TYPES.get(base, base.upper())


def dataset_sql(dataset: DatasetSpec, models: dict[str, Model]) -> str | None:
    """For datasets that join in names (the BDR's, the lead's): the mart (or audit view)
    left-joined to the dimensions of the marts (marts.dim_bdrs, marts.dim_leads)."""
    joined = joined_columns(dataset, models)
    if not joined:
        return None
    selected = ", ".join(f"{alias}.{column}" for alias, _, _, column in joined)
    joins = {(alias, dimension, key) for alias, dimension, key, _ in joined}
    return f"select m.*, {selected} from {dataset.schema}.{dataset.mart} as m " + " ".join(
        f"left join {MARTS_SCHEMA}.{dimension} as {alias} on {alias}.{key} = m.{key}"
        for alias, dimension, key in sorted(joins)
    )


# Labels shown in charts and exports where "Column name" capitalisation would be wrong.
COLUMN_LABELS = {
    "bdr_name": "BDR",
    "bdr_id": "BDR id",
    "lead_name": "Lead",
    "lead_url": "CRM record",
    "lead_link": "Lead",
    "kpi_label": "KPI",
    "kpi": "KPI key",
    "crm_first_sale_at": "CRM first sale",
    "feed_first_sale_at": "Feed first sale",
    "crm_sales_count": "CRM sales count",
}


def column_label(name: str) -> str:
    return COLUMN_LABELS.get(name) or name.replace("_", " ").capitalize()


# A dataset with the lead's name and CRM link gains `lead_link`: the name as an HTML link to
# the record (tables render it; Superset sanitizes the HTML), the name alone without a link.
LEAD_LINK = (
    "lead_link",
    "case when lead_url is null then lead_name else '<a href=\"' || lead_url || "
    "'\" target=\"_blank\">' || replace(replace(replace(lead_name, '&', '&amp;'), "
    "'<', '&lt;'), '>', '&gt;') || '</a>' end",
)


def _column(name: str, data_type: str, description: str, expression: str | None = None) -> dict:
    kind = superset_type(data_type)
    return {
        "column_name": name,
        "verbose_name": column_label(name),
        "is_dttm": kind in ("DATE", "TIMESTAMP WITHOUT TIME ZONE"),
        "is_active": True,
        "type": kind,
        "advanced_data_type": None,
        "groupby": True,
        "filterable": True,
        "expression": expression,
        "description": description or None,
        "python_date_format": None,
        "extra": None,
    }


def dataset_config(spec: Spec, dataset: DatasetSpec, models: dict[str, Model]) -> dict:
    model = models[dataset.mart]
    columns = [_column(c.name, c.data_type, c.description) for c in model.columns]
    for _, dimension, _, name in joined_columns(dataset, models):
        source = models[dimension].column(name)
        columns.append(_column(name, source.data_type, source.description))
    if {"lead_name", "lead_url"} <= {column["column_name"] for column in columns}:
        name, expression = LEAD_LINK
        description = "The lead's name as a link to its record in the CRM (dbt var crm_lead_url)."
        columns.append(_column(name, "text", description, expression=expression))
    for calculated in dataset.calculated_columns:
        columns.append(
            _column(
                calculated["name"],
                calculated.get("type", "TEXT"),
                calculated.get("description", ""),
                expression=" ".join(calculated["sql"].split()),
            )
        )
    metrics = [
        {
            "metric_name": metric["name"],
            "verbose_name": metric.get("label"),
            "metric_type": None,
            "expression": " ".join(str(metric["sql"]).split()),
            "description": metric.get("description"),
            "d3format": metric.get("format"),
            "currency": None,
            "extra": {"warning_markdown": ""},
            "warning_text": None,
        }
        for metric in dataset.metrics
    ]
    return {
        "table_name": dataset.mart,
        "main_dttm_col": dataset.time_column,
        "description": model.description or None,
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": dataset.schema,
        "sql": dataset_sql(dataset, models),
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "normalize_columns": False,
        "always_filter_main_dttm": False,
        "uuid": dataset.uuid,
        "metrics": metrics,
        "columns": columns,
        "version": VERSION,
        "database_uuid": spec.database_uuid,
    }
