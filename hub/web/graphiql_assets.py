"""Fetch the GraphiQL releases the hub serves (``static/graphiql/``) from the npm registry.

They are 4 MB of other projects' built files, so they are not kept in git: ``make install``
and the Dockerfile run ``python -m hub.web.graphiql_assets`` once, and every file is checked
against its pinned sha384 (the Subresource Integrity value in strawberry's own GraphiQL page)
before it is written. A file already present with the right sum is left alone.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import httpx

REGISTRY = "https://registry.npmjs.org"
FOLDER = Path(__file__).parent / "static" / "graphiql"


@dataclass(frozen=True)
class Asset:
    name: str
    package: str
    version: str
    path: str
    sha384: str

    @property
    def tarball(self) -> str:
        basename = self.package.rsplit("/", 1)[-1]
        return f"{REGISTRY}/{self.package}/-/{basename}-{self.version}.tgz"


ASSETS = (
    Asset(
        "react.production.min.js",
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Asset(
        "react-dom.production.min.js",
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Asset(
        "graphiql.min.js",
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Asset(
        "graphiql.min.css",
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "plugin-explorer.umd.js",
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/index.umd.js",
        "2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
    Asset(
        "plugin-explorer.css",
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/style.css",
        "5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
)


def sha384(data: bytes) -> str:
    return base64.b64encode(hashlib.sha384(data).digest()).decode()


def fetch_all(folder: Path = FOLDER) -> list[str]:
    """The names of the files written; each package's archive is downloaded once."""
    missing = [a for a in ASSETS if not _is_current(folder / a.name, a)]
    archives: dict[str, bytes] = {}
    with httpx.Client(timeout=60, follow_redirects=True) as client:
        for asset in missing:
            if asset.tarball not in archives:
                response = client.get(asset.tarball)
                response.raise_for_status()
                archives[asset.tarball] = response.content
            data = _member(archives[asset.tarball], asset)
            if sha384(data) != asset.sha384:
                raise RuntimeError(f"{asset.name} from {asset.tarball} fails its sha384 check")
            (folder / asset.name).write_bytes(data)
    return [asset.name for asset in missing]


def _member(archive: bytes, asset: Asset) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(archive)) as package:
        try:
            member = package.extractfile(f"package/{asset.path}")
        except KeyError:
            member = None
        if member is None:
            raise RuntimeError(f"{asset.tarball} holds no file {asset.path}")
        return member.read()


def _is_current(path: Path, asset: Asset) -> bool:
    return path.is_file() and sha384(path.read_bytes()) == asset.sha384


if __name__ == "__main__":
    try:
        written = fetch_all()
    except (httpx.HTTPError, RuntimeError) as error:
        sys.exit(f"cannot fetch GraphiQL's files: {error}")
    print(f"GraphiQL files: {len(written)} fetched, {len(ASSETS) - len(written)} already there")
