"""GraphiQL's files come from the npm registry at install time, each checked by its sum."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import httpx
import pytest
import respx

from hub.web import graphiql_assets
from hub.web.graphiql_assets import Asset, fetch_all, sha384

GOOD = b"console.log('graphiql');\n"
ASSET = Asset("tool.min.js", "@acme/tool", "1.0.0", "dist/tool.min.js", sha384(GOOD))


def tarball(content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        member = tarfile.TarInfo("package/dist/tool.min.js")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def one_asset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphiql_assets, "ASSETS", (ASSET,))


def test_the_tarball_address_is_the_registry_s() -> None:
    assert ASSET.tarball == "https://registry.npmjs.org/@acme/tool/-/tool-1.0.0.tgz"


@respx.mock
def test_a_file_is_written_once_its_sum_matches(tmp_path: Path) -> None:
    route = respx.get(ASSET.tarball).mock(return_value=httpx.Response(200, content=tarball(GOOD)))
    assert fetch_all(tmp_path) == ["tool.min.js"]
    assert (tmp_path / "tool.min.js").read_bytes() == GOOD
    assert fetch_all(tmp_path) == []  # already there: nothing downloaded again
    assert route.call_count == 1


@respx.mock
def test_a_file_that_fails_its_sum_is_refused_and_not_written(tmp_path: Path) -> None:
    respx.get(ASSET.tarball).mock(return_value=httpx.Response(200, content=tarball(b"evil()")))
    with pytest.raises(RuntimeError, match="tool.min.js from .* fails its sha384 check"):
        fetch_all(tmp_path)
    assert not (tmp_path / "tool.min.js").exists()
