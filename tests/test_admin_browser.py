"""A member of label staff opts a track out of copy scan in a real browser.

Playwright drives Debian's Chromium (``/usr/bin/chromium``, no browser
download) against a live server, and the API confirms each change. The test
leaves screenshots of the list in ``var/artifacts/``.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings

from accounts import tokens
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(settings.BASE_DIR) / "var" / "artifacts"
PASSWORD = "correct horse"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="pip install -r requirements-dev.txt"
)

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=(
            f"No Chromium at {CHROMIUM}: install it with "
            "`apt-get update && apt-get install -y chromium` to run the "
            "browser tests."
        ),
    ),
    # The live server answers from another thread: the data is committed.
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def catalogue():
    """A small label catalogue; "Leased Beat No. 4" is the track to opt out."""
    night = factories.product(name="Night Drive", upc_code="012345678905")
    default = factories.offer(night, is_default=True)
    radio = factories.offer(night, download=False)
    titles = ["Neon Highway", "Leased Beat No. 4", "Tunnel Lights"]
    tracks = [
        factories.track(night, title=title, isrc_code=f"USRC1760783{n}", track_number=n)
        for n, title in enumerate(titles, start=1)
    ]
    piano = factories.product(name="Public Domain Piano", upc_code="4006381333931")
    piano_offer = factories.offer(piano, is_default=True)
    lune = factories.track(piano, title="Clair de Lune", isrc_code="GBAYE0601478")

    factories.track_offer(tracks[0], radio, release_date="2027-03-01")
    factories.track_offer(tracks[2], default, copy_scan=False)
    factories.track_offer(lune, piano_offer, copy_scan=False)
    beat = factories.track_offer(tracks[1], default, download=False)
    factories.track_offer(tracks[1], radio, non_interactive_stream=False)
    return beat


def api_track_offer(page, base: str, token: str, pk: int) -> dict:
    response = page.request.get(
        f"{base}/api/v1/track-offers/{pk}",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.api+json",
        },
    )
    assert response.status == 200, response.text()
    return json.loads(response.text())["data"]["attributes"]


def test_label_staff_opt_a_track_out_and_back_in(live_server, catalogue):
    beat = catalogue
    user = factories.label_staff("marta")
    _, token = tokens.mint(user, ttl=tokens.default_ttl())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        page = browser.new_page(viewport={"width": 1600, "height": 800})
        try:
            page.goto(f"{base}/admin/login/?next=/admin/trackoffers/trackoffer/")
            page.fill("#id_username", "marta")
            page.fill("#id_password", PASSWORD)
            page.click("input[type=submit]")
            page.wait_for_selector("#changelist")
            page.screenshot(path=ARTIFACTS / "admin-track-offers.png", full_page=True)

            # Search by ISRC, typed the way it is printed on a label copy.
            page.fill("#searchbar", "us-rc1-76-07832")
            page.press("#searchbar", "Enter")
            page.wait_for_selector("#result_list")
            rows = page.locator("#result_list tbody tr")
            assert rows.count() == 2
            row = rows.filter(has_text="(default)")
            row.locator("select[name$='-copy_scan']").select_option(label="Opted out")
            page.click("input[name=_save]")
            success = page.locator(".messagelist .success")
            assert success.inner_text() == "1 track offer was changed successfully."
            assert "opted out" in row.locator("td.field-scanning").inner_text()
            page.screenshot(path=ARTIFACTS / "admin-opted-out.png", full_page=True)

            assert api_track_offer(page, base, token, beat.pk)["usage"] == {
                "download": False,
                "copy_scan": False,
            }

            # Re-enable with the bulk action, as for a few hundred tracks.
            row.locator("input.action-select").check()
            page.select_option("select[name=action]", "reenable_copy_scan")
            page.click("button[name=index]")
            success = page.locator(".messagelist .success")
            assert success.inner_text() == (
                "Re-enabled copy scan for 1 track in 1 offer."
            )
            page.screenshot(path=ARTIFACTS / "admin-re-enabled.png", full_page=True)

            assert api_track_offer(page, base, token, beat.pk)["usage"] == {
                "download": False
            }

            page.goto(f"{base}/admin/offers/offer/{beat.offer_id}/change/")
            page.wait_for_selector("#copy-scan")
            page.screenshot(path=ARTIFACTS / "admin-offer.png", full_page=True)
        finally:
            browser.close()
