"""The debtor's portal in a real headless Chromium (Debian's chromium and chromium-driver, which
``make test`` installs) against ``incasso serve``: open the link from the outbox, see the invoices in the
debtor's language, switch language, pay through the local checkout and see the claim paid; dispute;
propose an arrangement within the limits (agreed) and beyond them (left for the tenant)."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from test_serve import Served, call, token

from tenant_profiles import PROFILE_BODY

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
# The README's screenshot is rewritten only when asked (INCASSO_UPDATE_SCREENSHOTS=1); otherwise the
# test's screenshot goes to a temporary path, so a test run leaves the working tree as it was.
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "portal.png"


def screenshot_path(tmp_path: Path) -> Path:
    if os.environ.get("INCASSO_UPDATE_SCREENSHOTS") == "1":
        return README_SCREENSHOT
    return tmp_path / "portal.png"

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (make test installs them)")]


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="incasso-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=900,1400"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def server(tmp_path):
    served = Served(tmp_path=tmp_path)
    yield served
    served.kill()


def _claim(api: str, bearer: str, invoice: str, language: str, principal: str) -> str:
    status, claim = call(api, "POST", "/v1/claims", {
        "invoice_number": invoice, "principal": principal, "invoice_date": "2025-12-01", "due_date": "2025-12-20",
        "debtor": {"name": "Kees Verbeek", "type": "consumer", "email": "kees@example.nl", "language": language}},
        bearer=bearer)
    assert status == 201, claim
    return claim["claim_id"]


def _after(browser, done: str) -> None:
    """Wait until the form's answer (303 back to the page) has loaded: a click does not wait for it."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda driver: f"done={done}" in driver.current_url)


def _link(api: str, claim_id: str) -> str:
    status, messages = call(api, "GET", f"/_local/outbox?claim_id={claim_id}")
    assert status == 200 and messages, messages
    return re.search(r"http://\S+/p/\S+", messages[0]["body"]).group(0)


def test_a_debtor_pays_disputes_and_proposes_arrangements_in_the_browser(server, browser, tmp_path):
    from selenium.webdriver.common.by import By

    # Given a tenant with three claims whose first reminders went out
    api, acme = server.api, token("acme")
    assert call(api, "PUT", "/v1/tenant/profile", PROFILE_BODY, bearer=acme)[0] == 200
    paid = _claim(api, acme, "2025-301", "en", "250.00")
    disputed = _claim(api, acme, "2025-302", "nl", "180.00")
    arranged = _claim(api, acme, "2025-303", "nl", "600.00")
    assert call(api, "POST", "/_local/clock/advance", {"days": 1})[0] == 200

    # When the debtor opens the link from the reminder: English, the invoice and its amounts
    browser.get(_link(api, paid))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    invoice = browser.find_element(By.CSS_SELECTOR, "section.invoice")
    assert "2025-301" in invoice.text and "Outstanding" in invoice.text and "Acme Verhuur B.V." in browser.page_source
    shot = screenshot_path(tmp_path)
    browser.save_screenshot(str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")
    # And switches to Dutch and back
    browser.find_element(By.ID, "switch-language").click()
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    assert "Openstaand" in browser.find_element(By.CSS_SELECTOR, "section.invoice").text
    browser.find_element(By.ID, "switch-language").click()

    # And pays through the local checkout
    browser.find_element(By.CSS_SELECTOR, "#pay button").click()
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(lambda driver: "/_local/psp/checkout/" in driver.current_url)
    browser.find_element(By.ID, "result-paid").click()
    _after(browser, "payment_back")
    # Then the provider's webhook booked it and the page shows the claim paid
    assert browser.find_element(By.ID, "notice").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, "section.invoice").get_attribute("data-status") == "paid"
    assert call(api, "GET", f"/v1/claims/{paid}", bearer=acme)[1]["status"] == "paid"

    # When another debtor disputes, with a reason
    browser.get(_link(api, disputed))
    browser.find_element(By.CSS_SELECTOR, "form.dispute textarea").send_keys("Nooit geleverd")
    browser.find_element(By.CSS_SELECTOR, "form.dispute button").click()
    _after(browser, "disputed")
    assert call(api, "GET", f"/v1/claims/{disputed}", bearer=acme)[1]["status"] == "paused"

    # When a debtor proposes 12 instalments (beyond the default limit of 6): left for the tenant
    browser.get(_link(api, arranged))
    count = browser.find_element(By.CSS_SELECTOR, "form.arrangement input[name=instalments]")
    count.clear()
    count.send_keys("12")
    browser.find_element(By.CSS_SELECTOR, "form.arrangement button").click()
    _after(browser, "left")
    claim = call(api, "GET", f"/v1/claims/{arranged}", bearer=acme)[1]
    assert claim["status"] != "arrangement"
    assert any(event["type"] == "arrangement_proposed" for event in claim["timeline"])
    # And then 3 instalments (within it): agreed at once
    count = browser.find_element(By.CSS_SELECTOR, "form.arrangement input[name=instalments]")
    count.clear()
    count.send_keys("3")
    browser.find_element(By.CSS_SELECTOR, "form.arrangement button").click()
    _after(browser, "accepted")
    assert call(api, "GET", f"/v1/claims/{arranged}", bearer=acme)[1]["status"] == "arrangement"
