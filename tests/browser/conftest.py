"""Browser tests: Debian's Chromium (/usr/bin/chromium) driven by Playwright for Python against a real
`asistente serve --demo` started on a free port, plus a small fake CRM host server (another origin) that
plays Zendesk's and Freshdesk's parts. No browser download: without the system Chromium (or the playwright
package) every test here skips and says why.

axe-core is installed at test time from the npm registry (pinned AXE_VERSION, `npm pack`, cached under
~/.cache/asistente-tests/); without npm or the registry the accessibility audit skips with the reason."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ASISTENTE_CHROMIUM", "/usr/bin/chromium")
BIN = Path(sys.executable).parent / "asistente"
FAKES = Path(__file__).parent / "fakehosts"
AXE_VERSION = "4.14.1"

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the environment
    sync_playwright = None


def pytest_collection_modifyitems(config, items):
    reason = None
    if sync_playwright is None:
        reason = "the playwright package is not installed (pip install -e '.[dev]')"
    elif not Path(CHROMIUM).exists():
        reason = f"no system Chromium at {CHROMIUM} (apt-get install -y chromium)"
    elif not BIN.exists():
        reason = "the asistente console script is not installed"
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(db: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    out = subprocess.run(
        [str(BIN), *args], env=env, capture_output=True, text=True, check=True, cwd=db.parent
    )
    return out.stdout.strip().splitlines()[-1]


@dataclass
class Demo:
    url: str
    db: Path
    compliance_key: str
    admin_key: str
    integrator_key: str
    fake_url: str

    def gql(self, query: str, variables: dict | None = None, *, key: str) -> dict:
        req = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"content-type": "application/json", "authorization": f"Bearer {key}"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return json.loads(res.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read())

    def schema_has(self, type_name: str, field: str) -> bool:
        from asistente.api.schema import build_schema
        from asistente.settings import Settings

        t = build_schema(Settings())._schema.get_type(type_name)
        return t is not None and field in t.fields

    def session(self, record: str | None, agent: str = "browser-agent") -> str:
        body = self.gql(
            "mutation($a: String!, $r: String){ createAgentSession(agentId: $a, recordId: $r) { token } }",
            {"a": agent, "r": record},
            key=self.integrator_key,
        )
        return body["data"]["createAgentSession"]["token"]


# ------------------------------------------------------------------------------------ fake CRM hosts
class FakeHost(BaseHTTPRequestHandler):
    """Serves the fake host pages and plays the host's server side: Freshworks' request-template proxy
    (config/requests.json rendered with the installation's iparams) and nothing else."""

    service_host = ""  # 127.0.0.1:PORT of the service
    iparams: dict[str, str] = {}

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path.startswith("/fd-app/"):
            rel = path[len("/fd-app/") :]
            node = resources.files("asistente").joinpath(
                "static", "plugins", "freshdesk", "app", *rel.split("/")
            )
            if not node.is_file():
                return self._send(404, b"not found", "text/plain")
            body = node.read_bytes()
            if rel == "index.html":
                meta = f'<meta name="asistente-service" content="http://{self.service_host}">'
                body = body.replace(b"{{{appclient}}}", b"/fake-fdk-client.js").replace(
                    b"<head>", f"<head>\n{meta}".encode()
                )
            kind = "text/html" if rel.endswith(".html") else "text/javascript"
            return self._send(200, body, kind)
        file = FAKES / path.lstrip("/")
        if not path.strip("/") or not file.is_file() or ".." in path:
            return self._send(404, b"not found", "text/plain")
        kind = "text/html" if file.suffix == ".html" else "text/javascript"
        self._send(200, file.read_bytes(), kind)

    def do_POST(self):
        if self.path != "/fake-fdk/invoke":
            return self._send(404, b"not found", "text/plain")
        payload = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)))
        templates = json.loads(
            resources.files("asistente")
            .joinpath("static", "plugins", "freshdesk", "config", "requests.json")
            .read_text()
        )
        schema = templates[payload["name"]]["schema"]
        context = payload.get("context") or {}

        def render(text: str) -> str:
            def sub(m: re.Match) -> str:
                scope, name = m.group(1), m.group(2)
                return str((self.iparams if scope == "iparam" else context).get(name, ""))

            return re.sub(r"<%=\s*(iparam|context)\.(\w+)\s*%>", sub, text)

        headers = {k: render(v) for k, v in schema.get("headers", {}).items()}
        # The real proxy uses the template's protocol (https); the local service speaks http.
        url = f"http://{render(schema['host'])}{render(schema['path'])}"
        req = urllib.request.Request(
            url, data=(payload.get("body") or "").encode(), headers=headers, method=schema["method"]
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, text = res.status, res.read().decode()
        except urllib.error.HTTPError as exc:
            status, text = exc.code, exc.read().decode()
        except OSError as exc:
            status, text = 502, json.dumps({"message": str(exc)})
        self._send(200, json.dumps({"status": status, "response": text}).encode(), "application/json")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


# ------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def zendesk_key():
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return key, pem.decode()


ZENDESK_AUD = "https://demo.zendesk.com/api/v2/apps/installations/77.json"


@pytest.fixture(scope="session")
def demo(tmp_path_factory, zendesk_key) -> Iterator[Demo]:
    if sync_playwright is None or not Path(CHROMIUM).exists() or not BIN.exists():
        pytest.skip("browser tests need playwright, the system Chromium and the asistente script")
    root = tmp_path_factory.mktemp("browser-demo")
    db = root / "demo.db"
    fake_port, port = _free_port(), _free_port()
    fake_origin = f"http://127.0.0.1:{fake_port}"
    compliance = _cli(db, "keys", "create", "--tenant", "demo", "--role", "COMPLIANCE")
    admin = _cli(db, "keys", "create", "--tenant", "demo", "--role", "ADMIN")
    integrator = _cli(db, "keys", "create", "--tenant", "demo", "--role", "INTEGRATOR")
    _cli(db, "tenants", "set-origins", "--tenant", "demo", fake_origin)
    # Another tenant with one debtor: its record must read as no debtor of the demo tenant.
    from tests.api.data import debtor_record

    other = root / "other.jsonl"
    other.write_text(json.dumps(debtor_record("OTHER-TENANT-1")) + "\n", encoding="utf-8")
    _cli(db, "keys", "create", "--tenant", "other", "--role", "ADMIN")
    _cli(db, "import", str(other), "--tenant", "other", "--no-progress")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "ASISTENTE_AUTH_CACHE_SECONDS": "0"}
    proc = subprocess.Popen(
        [str(BIN), "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=root,
    )
    url = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as res:
                if res.status == 200:
                    break
        except OSError:
            time.sleep(0.2)
    else:
        proc.terminate()
        pytest.fail("demo server did not start: " + "".join(lines[-20:]))
    FakeHost.service_host = f"127.0.0.1:{port}"
    FakeHost.iparams = {"service_host": f"127.0.0.1:{port}", "integrator_key": integrator}
    fake = ThreadingHTTPServer(("127.0.0.1", fake_port), FakeHost)
    threading.Thread(target=fake.serve_forever, daemon=True).start()
    d = Demo(url, db, compliance, admin, integrator, fake_origin)
    hosts = {"version": "test", "zendesk": {"publicKey": zendesk_key[1], "audience": ZENDESK_AUD}}
    assert not d.gql("mutation($s: JSON!){ setHostSettings(settings: $s) }", {"s": hosts}, key=admin).get(
        "errors"
    )
    try:
        yield d
    finally:
        fake.shutdown()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API keeps an event loop running in this thread while it is open,
    # which would break the asyncio tests collected after the browser modules.
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.js_errors = errors
    yield pg
    context.close()


def zaf_jwt(key, *, sub: str = "zd-agent-1", ttl: int = 300) -> str:
    import jwt

    now = datetime.now(UTC)
    claims = {
        "iss": "demo.zendesk.com",
        "aud": ZENDESK_AUD,
        "sub": sub,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
        "jti": base64.urlsafe_b64encode(os.urandom(9)).decode(),
    }
    return jwt.encode(claims, key, algorithm="RS256")


@pytest.fixture(scope="session")
def axe_source(tmp_path_factory) -> str:
    """axe.min.js of axe-core AXE_VERSION from the npm registry (npm pack), cached between runs."""
    cache = (
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "asistente-tests"
        / f"axe-core-{AXE_VERSION}"
    )
    target = cache / "axe.min.js"
    if not target.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip(
                "axe-core audit: npm is not installed (needed to fetch axe-core from the npm registry)"
            )
        work = tmp_path_factory.mktemp("axe")
        try:
            subprocess.run(
                [npm, "pack", f"axe-core@{AXE_VERSION}", "--silent"],
                cwd=work,
                check=True,
                capture_output=True,
                timeout=180,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"axe-core audit: npm pack axe-core@{AXE_VERSION} failed ({exc})")
        tgz = next(work.glob("axe-core-*.tgz"))
        with tarfile.open(tgz) as tar:
            member = tar.extractfile("package/axe.min.js")
            assert member is not None
            data = member.read()
        cache.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return target.read_text(encoding="utf-8")
