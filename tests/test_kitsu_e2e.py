"""End to end with kitsu, an established JSON:API client from npm.

The Node script (e2e/track_offer.mjs) creates, reads, includes, updates and
deletes a track offer on a live server. ``.ci/run`` installs it with
``npm ci``; elsewhere the test skips with what to install.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from accounts import tokens
from tests import factories
from trackoffers.models import TrackOffer

E2E = Path(__file__).resolve().parents[1] / "e2e"
NODE = shutil.which("node")

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="needs Node.js (apt-get install nodejs)"),
    pytest.mark.skipif(
        not (E2E / "node_modules" / "kitsu").exists(),
        reason="needs kitsu: run `npm ci` in e2e/",
    ),
]


def test_kitsu_creates_reads_includes_updates_and_deletes_a_track_offer(
    live_server, transactional_db
):
    user = factories.user("kitsu", actions=("view", "add", "change", "delete"))
    _, secret = tokens.mint(user, ttl=tokens.default_ttl())
    offer = factories.offer()
    track = factories.track(offer.product)

    result = subprocess.run(
        [NODE, "track_offer.mjs"],
        cwd=E2E,
        env={
            **os.environ,
            "BASE_URL": live_server.url,
            "TOKEN": secret,
            "TRACK_ID": str(track.pk),
            "OFFER_ID": str(offer.pk),
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["created"]["usage"] == {"copy_scan": False}
    assert seen["read"] == {"track": str(track.pk), "offer": str(offer.pk)}
    assert seen["included"] == {
        "isrc": track.isrc_code,
        "offerUsage": offer.usage,
    }
    assert seen["updated"] == {
        "usage": {"copy_scan": True},
        "releaseDate": "2027-01-15",
    }
    assert seen["afterDelete"] == 404
    assert not TrackOffer.objects.exists()
