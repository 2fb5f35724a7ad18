"""The dashboard in a real browser: Playwright driving Debian's Chromium (headless) against a real
`modelhost serve` on the declared pools of examples/nodes.json. Signs in, deploys a model through
the wizard (a broken file first; precision fp16, which a tier without GPUs does not offer), calls it
with the tester, scales it to two instances and sees two GPUs taken on the nodes page, uploads and
promotes a new version, hits the quota, creates and revokes an access token and sees the call
refused. Screenshots of each page go to $MODELHOST_SCREENSHOTS (default build/screenshots)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from modelhost_testlib import REPO_ROOT
from test_serve_auth import Controller

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is installed by scripts/setup")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ADMIN = "mh_" + "d" * 32
SHOTS = Path(os.environ.get("MODELHOST_SCREENSHOTS", REPO_ROOT / "build" / "screenshots"))


@pytest.fixture
def controller(modelhost_bin, tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (scripts/setup installs Debian's chromium)")
    c = Controller(modelhost_bin, tmp_path / "data", {"MODELHOST_ADMIN_TOKEN": ADMIN})
    c.extra_args = ["--nodes", str(REPO_ROOT / "examples" / "nodes.json"), "--io-threads", "2"]
    c.start()
    yield c
    c.stop()


@pytest.fixture
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


def page_for(browser, c, token, errors):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(20000)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"http://127.0.0.1:{c.port}/")
    page.fill("#token", token)
    page.click("button:has-text('Sign in')")
    page.wait_for_selector("#who")
    return page


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def expect_text(page, selector, text):
    playwright.expect(page.locator(selector)).to_contain_text(text, timeout=20000)


def test_the_dashboard_end_to_end(controller, browser, models_dir):
    c = controller
    errors: list[str] = []
    assert c.call("POST", "/api/users", ADMIN, {"name": "ann"}).status == 201
    ann = c.call("POST", "/api/users/ann/tokens", ADMIN, {"name": "browser"}).json()["token"]
    assert c.call("PUT", "/api/users/ann/quota", ADMIN, {"max_gpus": 2}).status == 200

    # Admin: a tier that can never be placed is refused with the API's message; one that fits is
    # created.
    admin = page_for(browser, c, ADMIN, errors)
    admin.goto(f"http://127.0.0.1:{c.port}/#/admin/tiers")
    admin.fill("#t-name", "a100x3")
    admin.fill("#t-gpus", "3")
    admin.fill("#t-gpu-type", "A100")
    admin.fill("#t-pool", "gpu-a")
    admin.click("button:has-text('Create')")
    expect_text(admin, ".error", 'tier "a100x3" can never be placed')
    admin.fill("#t-name", "a100x1")
    admin.fill("#t-gpus", "1")
    admin.check("#t-default")
    admin.click("button:has-text('Create')")
    admin.wait_for_selector("tr[data-tier='a100x1']")
    shot(admin, "admin-tiers")
    cpu = {"name": "cpu-small", "cpu_request": 0.5, "gpus": 0, "node_pool": "cpu"}
    assert c.call("POST", "/api/tiers", ADMIN, cpu).status == 201

    # Ann signs in: the empty state says what to do.
    page = page_for(browser, c, ann, errors)
    expect_text(page, "main", "No Model APIs yet")
    shot(page, "models-empty")
    assert "mh_" not in page.url  # the token never goes into a URL

    # The wizard, step 1: a broken file is refused with the engine's message.
    page.click("nav a:has-text('Deploy')")
    page.fill("#name", "iris")
    # Markup in what a user sends is shown as text, never run.
    page.fill("#description", "<img src=x onerror=\"document.title='owned'\"> iris")
    page.set_input_files("#file", str(models_dir / "not_a_model.onnx"))
    page.click("button:has-text('Upload and continue')")
    expect_text(page, ".error", "the model file was refused: not a valid ONNX model")
    shot(page, "deploy-refused")
    page.set_input_files("#file", str(models_dir / "demo.onnx"))
    page.click("button:has-text('Upload and continue')")
    # Step 2: the tier, what it gives and what the quota allows.
    page.wait_for_selector("#tier")
    expect_text(page, "#allows", "Your quota allows 2 more instance(s)")
    # The precision: fp32 only on a tier without GPUs, the others on a GPU tier.
    page.select_option("#tier", "cpu-small")
    playwright.expect(page.locator("#precision option[value='fp16']")).to_be_disabled()
    expect_text(page, "#precision-hint", "Only fp32: tier cpu-small has no GPUs")
    page.select_option("#tier", "a100x1")
    playwright.expect(page.locator("#precision option[value='fp16']")).to_be_enabled()
    page.select_option("#precision", "fp16")
    shot(page, "deploy-hardware")
    page.click("button:has-text('Deploy')")
    page.wait_for_selector("#ready-msg")
    shot(page, "deploy-ready")

    # The model page: call it with the tester (the owner's token works for a private model).
    page.click("#ready-msg a")
    page.wait_for_selector("#send")
    expect_text(page, "#deployment", "tier a100x1, 1 instance, precision fp16")
    expect_text(page, "main", "simulated GPU: runs on the CPU in fp32, not fp16")
    expect_text(page, "main", "<img src=x onerror=")
    assert page.title() == "modelhost" and page.locator("main img").count() == 0
    page.click("#send")
    expect_text(page, "#tester-out", "HTTP 200")
    expect_text(page, "#tester-out", "probabilities")
    # The copy-ready curl lines work as shown (with the token in $TOKEN).
    for snippet in page.locator("pre:has-text('curl -s')").all_inner_texts():
        out = subprocess.run(["bash", "-c", snippet], env=dict(os.environ, TOKEN=ann),
                             capture_output=True, text=True, timeout=30)
        answer = json.loads(out.stdout)
        assert "result" in answer or "outputs" in answer, (snippet, out.stdout, out.stderr)
    # Logs of its instance.
    page.click("button:has-text('Logs')")
    expect_text(page, "#logs", "starting version 1")

    # Scale to two instances: two GPUs taken on the nodes page.
    page.fill("#instances", "2")
    page.click("button:has-text('Save deployment')")
    expect_text(page, "#ready", "2 of 2")
    expect_text(page, "#deployment", "2 instances, precision fp16")  # the form kept it
    shot(page, "model-detail")
    admin.goto(f"http://127.0.0.1:{c.port}/#/admin/nodes")
    playwright.expect(admin.locator(".gpu.held")).to_have_count(2, timeout=20000)
    expect_text(admin, "[data-node='node-1']", "held by iris")
    shot(admin, "admin-nodes")

    # The quota: a third GPU is refused, the message next to the form.
    page.fill("#instances", "3")
    page.click("button:has-text('Save deployment')")
    expect_text(page, "form[aria-labelledby='dep-h'] .error",
                'quota exceeded for user "ann": GPUs 0 in use + 3 requested > limit 2')
    shot(page, "quota-refused")
    page.fill("#instances", "2")

    # A new version rolls out; promote it to prod.
    page.set_input_files("#new-version", str(models_dir / "demo.onnx"))
    page.fill("#note", "retrained")
    page.click("button:has-text('Upload new version')")
    page.wait_for_selector("tr[data-version='2']")
    page.click("button[aria-label='Promote version 2 to prod']")
    expect_text(page, "tr[data-version='2']", "prod")
    expect_text(page, "main", "Active version2 of 2")

    # An access token: shown once, used by the tester, revoked, then refused.
    page.fill("#token-name", "my-app")
    page.click("button:has-text('Create token')")
    secret = page.locator("#new-secret").inner_text()
    assert re.fullmatch(r"mha_[0-9a-f]{32}", secret)
    page.fill("#tester-token", secret)
    page.click("#send")
    expect_text(page, "#tester-out", "HTTP 200")
    page.click("button[aria-label='Revoke token my-app']")
    expect_text(page, "main", "revoked")
    for _ in range(20):
        page.click("#send")
        page.wait_for_timeout(250)
        if "HTTP 403" in page.locator("#tester-out").inner_text():
            break
    expect_text(page, "#tester-out", "HTTP 403")
    expect_text(page, "#tester-out", "unknown or revoked")
    shot(page, "token-revoked")

    # The overview lists it with its instances and GPUs; the quotas page shows the usage.
    page.click("nav a:has-text('Models')")
    expect_text(page, "tr[data-model='iris']", "2/2")
    expect_text(page, "tr[data-model='iris']", "fp16")
    shot(page, "models")
    admin.goto(f"http://127.0.0.1:{c.port}/#/admin/quotas")
    expect_text(admin, "tr[data-user='ann']", "2 of")
    shot(admin, "admin-quotas")
    admin.goto(f"http://127.0.0.1:{c.port}/#/admin/users")
    admin.wait_for_selector("[data-user='ann']")
    assert errors == [], errors


def test_the_dashboard_is_served_offline_with_a_strict_policy(controller):
    r = controller.call("GET", "/")
    assert r.status == 200 and b'<script type="module" src="/ui/app.js">' in r.body
    csp = r.header("content-security-policy")
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    js = controller.call("GET", "/ui/app.js")
    assert js.status == 200 and js.header("content-type").startswith("text/javascript")
    # Nothing is fetched from elsewhere: no http(s) URL in any asset.
    for name in ("index.html", "app.js", "api.js", "dom.js", "charts.js", "models.js", "model.js",
                 "deploy.js", "precision.js", "admin.js", "style.css"):
        body = controller.call("GET", f"/ui/{name}").body.decode()
        assert not re.search(r"https?://(?!127\.0\.0\.1)", body.replace("http://www.w3.org/2000/svg", "")), name
    assert controller.call("GET", "/ui/../data/modelhost.db").status in (400, 404)
    assert controller.call("GET", "/ui/nope.js").status == 404
