"""Native filter scopes after an import (pure).

Superset's importer rewrites a native filter's `scope.excluded` to the chart ids of the target
instance but leaves `chartsInScope` with the ids of the instance the bundle came from, so a
filter can silently reach the wrong charts (apache/superset's chartsInScope import bug).
`scope.excluded` is the source of truth here: `chartsInScope` is recomputed from it.
"""

from __future__ import annotations

import copy


def dashboard_chart_ids(position: dict) -> list[int]:
    return sorted(
        node["meta"]["chartId"]
        for node in position.values()
        if isinstance(node, dict) and node.get("type") == "CHART" and "chartId" in node["meta"]
    )


def charts_in_scope(metadata: dict, position: dict) -> dict:
    """The metadata with every native filter's chartsInScope = the charts not excluded."""
    fixed = copy.deepcopy(metadata)
    charts = dashboard_chart_ids(position)
    for native_filter in fixed.get("native_filter_configuration", []):
        excluded = set(native_filter.get("scope", {}).get("excluded", []))
        native_filter["chartsInScope"] = [chart for chart in charts if chart not in excluded]
    return fixed
