"""A real browser: headless Chromium loads a page that the node itself serves over HTTPS from a
web path, and the page's autobahn-js (the browser build from npm) talks WAMP over wss to the same
origin, with an autobahn-python peer on the other side.

Chromium is told to trust the node's development certificate by its public key
(`--ignore-certificate-errors-spki-list`), so no certificate store is touched. Mutual TLS in the
browser is not tried: Chromium chooses a client certificate without a person only under the
machine-wide managed policy `AutoSelectCertificateForUrls` (a file under /etc/chromium), which a
test suite must not write.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import shutil
import ssl
import subprocess
from pathlib import Path

from clients import Target, joined, wait
from node import REPO_ROOT, Endpoint, Node

AUTOBAHN_BROWSER = REPO_ROOT / "tests" / "interop" / "js" / "node_modules" / "autobahn-browser"

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>crossway browser test</title>
<script src="autobahn.min.js"></script>
<script>
const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
const connection = new autobahn.Connection({url, realm: "realm1", max_retries: 0});
connection.onopen = async (session) => {
  let pinged = false;
  await session.subscribe("com.example.browser.ping", (args) => {
    pinged = true;
    session.publish("com.example.browser.pong", [args[0] * 2, location.origin]);
  });
  // Say hello until the test pings (bounded: 60 times, every 250 ms).
  for (let i = 0; i < 60 && !pinged; i++) {
    session.publish("com.example.browser.hello", [navigator.userAgent]);
    await new Promise((done) => setTimeout(done, 250));
  }
};
connection.open();
</script>
"""


def chromium() -> str:
    """The Chromium binary; its absence fails the test (.ci/run installs Debian's `chromium`)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise AssertionError("chromium not found (on Debian: apt-get install chromium)")


def spki_sha256(cert: Path) -> str:
    """The base64 SHA-256 of the certificate's public key, as Chromium's SPKI list wants it."""
    pubkey = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
        check=True,
        capture_output=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],
        input=pubkey,
        check=True,
        capture_output=True,
    ).stdout
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


def test_a_page_served_by_the_node_talks_wamp_over_wss(crossway_bin: Path, tmp_path: Path) -> None:
    subprocess.run(
        [str(crossway_bin), "certs", "--out", str(tmp_path / "certs")],
        check=True,
        capture_output=True,
    )
    web = tmp_path / "web"
    web.mkdir()
    (web / "index.html").write_text(PAGE)
    shutil.copy(AUTOBAHN_BROWSER / "autobahn.min.js", web / "autobahn.min.js")
    site = Endpoint(
        "site",
        tls={"certificate": "certs/server.pem", "key": "certs/server.key"},
        paths={
            "/": {"type": "static", "directory": "web"},
            "/ws": {"type": "websocket"},
        },
        extra="    hsts: { max_age: 600 }\n",
    )
    node = Node(crossway_bin, tmp_path, "web-node", [site])
    node.start()
    browser: subprocess.Popen[bytes] | None = None
    try:
        context = ssl.create_default_context(cafile=str(tmp_path / "certs" / "ca.pem"))
        target = Target("websocket", port=site.port, tls=context)

        async def scenario() -> None:
            nonlocal browser
            async with joined(target, "realm1", "json", "python peer") as peer:
                _, hello = await peer.subscribe_inbox("com.example.browser.hello")
                _, pong = await peer.subscribe_inbox("com.example.browser.pong")
                browser = subprocess.Popen(
                    [
                        chromium(),
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--no-first-run",
                        "--disable-dev-shm-usage",
                        f"--user-data-dir={tmp_path / 'chromium-profile'}",
                        f"--ignore-certificate-errors-spki-list={spki_sha256(tmp_path / 'certs' / 'server.pem')}",
                        f"https://127.0.0.1:{site.port}/",
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=open(tmp_path / "chromium.log", "wb"),
                )
                first = await hello.next("the page's hello over wss", timeout=60)
                assert "Chrom" in first.args[0], first.args
                peer.publish("com.example.browser.ping", 21)
                answer = await pong.next("the page's answer to a ping", timeout=20)
                assert answer.args == [42, f"https://127.0.0.1:{site.port}"], answer.args

        asyncio.run(wait(scenario(), "the browser round trip", timeout=90))
    finally:
        if browser is not None:
            browser.kill()
            browser.wait(timeout=10)
        node.stop()
