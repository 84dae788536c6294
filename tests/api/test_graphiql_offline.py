"""GraphiQL works without internet: its page names no outside URL for scripts or styles, and every asset it
loads is served by the service, byte-identical to the file the page's integrity hash names."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest

from asistente.app import create_app
from asistente.settings import Settings


@pytest.fixture
async def ide(services):
    services.settings.graphiql = True
    app = create_app(services.settings, services=services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def test_graphiql_loads_every_asset_from_the_service(ide):
    res = await ide.get("/graphql", headers={"accept": "text/html"})
    assert res.status_code == 200 and "graphiql" in res.text
    tags = [t for t in re.findall(r"<(?:script|link)\b[^>]*>", res.text) if "data:" not in t]  # inline icon
    urls = [m.group(1) for t in tags if (m := re.search(r'(?:src|href)="([^"]+)"', t))]
    assert len(urls) >= 7
    outside = [u for u in urls if "://" in u or u.startswith("//")]
    assert outside == [], (
        f"assets still loaded from outside: {outside} (vendor them: static/graphiql/README.md)"
    )
    for tag in tags:
        url = re.search(r'(?:src|href)="([^"]+)"', tag)
        if not url:
            continue
        asset = await ide.get(url.group(1))
        assert asset.status_code == 200, url.group(1)
        integrity = re.search(r'integrity="sha384-([^"]+)"', tag)
        assert integrity, f"{url.group(1)} has no integrity hash"
        digest = base64.b64encode(hashlib.sha384(asset.content).digest()).decode()
        assert digest == integrity.group(1), f"{url.group(1)} differs from the file its page expects"


async def test_static_files_do_not_leak_outside_their_folder(ide):
    for path in ("/static/../app.py", "/static/%2e%2e/app.py", "/static/graphiql/../../settings.py"):
        res = await ide.get(path)
        assert res.status_code == 404, path


def test_without_graphiql_the_page_is_not_served():
    assert Settings(demo=False).graphiql_enabled is False
