"""Hub-level mapping applied to every item as it is stored.

Connectors report what the tracker says (a Jira component, a GitHub repository, a Linear
team, labels, a tracker parent). The hub then decides, the same way for every tool, which
catalog components an item belongs to and which hub-native initiative adopts an epic.

Without a catalog entry a tracker name still becomes a component: a Jira component by its
name, a repository by its name without the owner, a Linear team by its key, and a GitHub
``component:<name>`` label by ``<name>``; equal names from different tools merge.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from hub.contract.config import (
    CATALOG_LABEL_KEYS,
    CATALOG_NAME_KEYS,
    HUB_SOURCE,
    ComponentConfig,
    InitiativeConfig,
    SourceConfig,
    fold_name,
)
from hub.contract.records import ItemRecord, Level, hub_id

COMPONENT_LABEL_PREFIX = "component:"


class HubRules:
    def __init__(
        self,
        components: Sequence[ComponentConfig] = (),
        initiatives: Sequence[InitiativeConfig] = (),
    ) -> None:
        self.components = tuple(components)
        self.initiatives = tuple(initiatives)
        self._catalog: dict[tuple[str, str], str] = {}
        for component in self.components:
            for key, kind in CATALOG_NAME_KEYS.items():
                for name in getattr(component, key):
                    self._catalog[(kind, fold_name(kind, name))] = component.name
            for key, kind in CATALOG_LABEL_KEYS.items():
                for name in getattr(component, key):
                    self._catalog[(f"{kind}-label", name)] = component.name
        self._by_label = {
            label: hub_id(HUB_SOURCE, i.key)
            for i in self.initiatives
            for label in i.adopting_labels
        }
        self._by_key = {key: hub_id(HUB_SOURCE, i.key) for i in self.initiatives for key in i.epics}

    def fingerprint(self, source: SourceConfig) -> str:
        """Changes whenever a rule that shapes this source's stored items changes."""
        document = {
            "components": [c.model_dump(mode="json") for c in self.components],
            "initiatives": [
                {"key": i.key, "labels": i.adopting_labels, "epics": i.epics}
                for i in self.initiatives
            ],
            "source": source.model_dump(
                mode="json",
                include={
                    "epic_label",
                    "statuses",
                    "start_date_field",
                    "dates",
                    "projects_v2",
                },
            ),
        }
        encoded = json.dumps(document, sort_keys=True).encode()
        return hashlib.blake2b(encoded, digest_size=16).hexdigest()

    def components_for(self, kind: str, record: ItemRecord) -> list[str]:
        names: set[str] = set()
        for name in record.components:
            names.add(self._catalog.get((kind, fold_name(kind, name))) or _default_name(kind, name))
        for label in record.labels:
            catalogued = self._catalog.get((f"{kind}-label", label))
            if catalogued:
                names.add(catalogued)
            elif kind == "github" and label.startswith(COMPONENT_LABEL_PREFIX):
                names.add(label.removeprefix(COMPONENT_LABEL_PREFIX))
        names.discard("")
        return sorted(names)

    def initiative_for(self, record: ItemRecord) -> str | None:
        """The hub initiative adopting this epic: by key first, then by label."""
        if record.level != Level.EPIC:
            return None
        if record.key in self._by_key:
            return self._by_key[record.key]
        for label in record.labels:
            if label in self._by_label:
                return self._by_label[label]
        return None


def _default_name(kind: str, name: str) -> str:
    return name.rsplit("/", 1)[-1] if kind == "github" else name
