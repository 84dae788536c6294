"""The pages and assets the service serves for browsers: from the installed package, typed, framed only by
the tenants' origins, the demo only in demo mode."""

from __future__ import annotations

import httpx
import pytest

from asistente.api.core.context import Services
from asistente.app import create_app
from asistente.settings import Settings


async def test_plugin_assets_and_hosted_page(api):
    res = await api.client.get("/plugins/core/asistente-sidebar.js")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/javascript")
    assert "customElements.define" in res.text
    for bad in (
        "/plugins/../app.py",
        "/plugins/core/../../web.py",
        "/plugins/core/.hidden.js",
        "/plugins/x.py",
    ):
        assert (await api.client.get(bad)).status_code == 404, bad
    page = await api.client.get("/sidebar.html?recordId=X")
    assert page.status_code == 200 and "<asistente-sidebar>" in page.text
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "script-src 'self'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_frame_ancestors_are_the_tenants_origins(api):
    admin = api.key("acme", "ADMIN")
    await api.ok('mutation { setCorsOrigins(origins: ["https://acme.my.salesforce.com"]) }', key=admin)
    page = await api.client.get("/sidebar.html")
    assert "frame-ancestors 'self' https://acme.my.salesforce.com" in page.headers["content-security-policy"]


async def test_demo_pages_only_in_demo_mode(api, services: Services, engine, session_factory):
    assert (await api.client.get("/demo")).status_code == 404
    assert (await api.client.post("/demo/session", json={"recordId": "x"})).status_code in (404, 405)
    demo_services = Services(
        settings=Settings(demo=True, auth_cache_seconds=0), engine=engine, session_factory=session_factory
    )
    app = create_app(demo_services.settings, services=demo_services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/demo")).status_code == 200
        assert (await client.get("/demo/assets/demo.js")).status_code == 200
        # no demo tenant seeded in this database: the queue and the session say so
        assert (await client.get("/demo/queue")).status_code == 404
        res = await client.post("/demo/session", json={"recordId": "CRM-MX-0001"})
        assert res.status_code == 404 and res.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        assert (await client.post("/demo/session", content=b"nope")).status_code == 400


@pytest.mark.parametrize("path", ["/hosts/acme/zendesk", "/hosts/acme/salesforce"])
async def test_host_endpoints_refuse_without_proof(api, path):
    res = await api.client.post(path, data={"x": "1"})
    assert res.status_code == 401 and res.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
