"""GET /api/v1/docs: Swagger UI, from installed files, in a real browser."""

from pathlib import Path

import pytest

from accounts import tokens
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")


def test_the_docs_page_needs_no_internet(client):
    response = client.get("/api/v1/docs", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in response.text
    assert "cdn" not in response.text


def test_whitenoise_serves_the_docs_assets(client):
    response = client.get(
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"
    )

    # Nothing else serves /static/ with DEBUG off.
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    response.close()


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Chromium: apt-get update && apt-get install -y chromium",
)
def test_the_docs_list_track_offer_operations_and_try_one_with_a_token(
    live_server, transactional_db
):
    from playwright.sync_api import sync_playwright

    offer = factories.offer()
    factories.track_offer(factories.track(offer.product), offer, copy_scan=False)
    user = factories.user("browser", actions=("view",))
    _, secret = tokens.mint(user, ttl=tokens.default_ttl())

    # The browser runs in an event loop of this thread: the database work
    # is done before it starts, and the assertions after it ends.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--headless", "--disable-gpu"],
        )
        page = browser.new_page()
        page.goto(f"{live_server.url}/api/v1/docs")
        operations = page.locator("#operations-tag-track-offers")
        operations.wait_for()
        summaries = (
            page.locator(".opblock-tag-section")
            .filter(has=operations)
            .locator(".opblock-summary-path")
            .all_inner_texts()
        )

        page.click("button.authorize")
        page.fill(".auth-container input", secret)
        page.click(".auth-btn-wrapper button.authorize")
        page.click(".auth-btn-wrapper button.btn-done")
        listing = page.locator("#operations-track-offers-track_offers_list")
        listing.locator(".opblock-summary").click()
        listing.locator("button.try-out__btn").click()
        listing.locator("button.execute").click()
        status = listing.locator(".live-responses-table .response .response-col_status")
        status.wait_for()
        answered = status.inner_text()
        curl = listing.locator(".curl-command").inner_text()
        browser.close()

    assert "/api/v1/track-offers" in [text.strip("\u200b") for text in summaries]
    assert "/api/v1/track-offers/{id}/relationships/track" in [
        text.replace("\u200b", "") for text in summaries
    ]
    assert answered == "200"
    assert f"Authorization: Bearer {secret}" in curl
