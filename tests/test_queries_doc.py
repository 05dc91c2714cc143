"""docs/queries.md: every query of the cookbook is valid against the hub's schema, and the
cookbook shows every root field of the API at least once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate

from schema import schema

COOKBOOK = Path(__file__).resolve().parent.parent / "docs" / "queries.md"
DOCUMENTS = re.findall(
    r"^```graphql\n(.*?)^```", COOKBOOK.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL
)


def operation(document: str) -> OperationDefinitionNode:
    (definition,) = parse(document).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


def test_the_cookbook_has_named_queries_and_mutations() -> None:
    names = [operation(document).name for document in DOCUMENTS]
    assert len(DOCUMENTS) >= 20 and all(names)
    assert len({name.value for name in names if name}) == len(names)


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=lambda document: document.split("(")[0].split("{")[0].strip()
)
def test_every_query_of_the_cookbook_is_valid_against_the_schema(document: str) -> None:
    assert validate(schema._schema, parse(document)) == []


def test_the_cookbook_shows_every_root_field() -> None:
    used: set[str] = set()
    for document in DOCUMENTS:
        definition = operation(document)
        used |= {
            f"{definition.operation.value}.{field.name.value}"
            for field in definition.selection_set.selections
            if hasattr(field, "name")
        }
    roots = {
        f"{kind}.{name}"
        for kind, root in (
            ("query", schema._schema.query_type),
            ("mutation", schema._schema.mutation_type),
        )
        if root is not None
        for name in root.fields
    }
    assert roots - used == set()
