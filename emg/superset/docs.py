"""The dbt docs of the marts and the audit views, read from the project's YAML and doc blocks (no
dbt run needed): column names, types and descriptions for Superset's datasets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_DOC_BLOCK = re.compile(r"{%-?\s*docs\s+(\w+)\s*-?%}(.*?){%-?\s*enddocs\s*-?%}", re.S)
_DOC_REF = re.compile(r"""{{\s*doc\(\s*['"](\w+)['"]\s*\)\s*}}""")


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    description: str


# The model folders Superset's datasets read, each its own schema (dbt_project.yml's `+schema`).
DATASET_FOLDERS = ("marts", "audit")


@dataclass(frozen=True)
class Model:
    name: str
    description: str
    columns: tuple[Column, ...]
    schema: str = "marts"

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no documented column {name!r}")


def doc_blocks(markdown: str) -> dict[str, str]:
    """`{% docs name %}...{% enddocs %}` blocks of one file."""
    return {name: text.strip() for name, text in _DOC_BLOCK.findall(markdown)}


def render(description: str | None, blocks: dict[str, str]) -> str:
    """The description with its `{{ doc('...') }}` references resolved, on one line."""
    text = _DOC_REF.sub(lambda match: blocks.get(match.group(1), ""), description or "")
    return " ".join(text.split())


def models_from_yaml(text: str, blocks: dict[str, str], schema: str = "marts") -> dict[str, Model]:
    """The models of one `_<folder>__models.yml`."""
    parsed = yaml.safe_load(text) or {}
    models = {}
    for entry in parsed.get("models") or []:
        columns = tuple(
            Column(
                name=column["name"],
                data_type=str(column.get("data_type") or "text"),
                description=render(column.get("description"), blocks),
            )
            for column in entry.get("columns") or []
        )
        models[entry["name"]] = Model(
            name=entry["name"],
            description=render(entry.get("description"), blocks),
            columns=columns,
            schema=schema,
        )
    return models


def read_models(models_dir: Path) -> dict[str, Model]:
    """Every documented model under models_dir (models/marts, models/audit), in the schema the
    folder is named for."""
    blocks: dict[str, str] = {}
    for markdown in sorted(models_dir.parent.rglob("*.md")):
        blocks.update(doc_blocks(markdown.read_text()))
    models: dict[str, Model] = {}
    for path in sorted(models_dir.rglob("_*__models.yml")):
        models.update(models_from_yaml(path.read_text(), blocks, schema=models_dir.name))
    return models


def read_dataset_models(models_root: Path) -> dict[str, Model]:
    """The marts' and the audit views' documented models (models_root: the project's models/)."""
    models: dict[str, Model] = {}
    for folder in DATASET_FOLDERS:
        models.update(read_models(models_root / folder))
    return models
