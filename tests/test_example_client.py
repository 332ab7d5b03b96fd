"""examples/client.py runs against a live server and does what it says."""

import subprocess
import sys
from pathlib import Path

from tests import factories
from trackoffers.models import CopyScanChange, TrackOffer

CLIENT = Path(__file__).resolve().parents[1] / "examples" / "client.py"


def test_the_example_session_opts_a_track_out_and_back_in(
    live_server, transactional_db
):
    user = factories.user("label", actions=("view", "add", "delete"))
    offer = factories.offer()
    track = factories.track(offer.product)
    already_out = factories.track(offer.product)
    factories.track_offer(already_out, offer, copy_scan=False)

    result = subprocess.run(
        [
            sys.executable,
            str(CLIENT),
            f"--base-url={live_server.url}",
            f"--email={user.email}",
            "--password=correct horse",
            f"--track={track.pk}",
            f"--offer={offer.pk}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Opted track {track.pk} out: track offer ")
    assert lines[1] == (
        f"Tracks opted out in offer {offer.pk}: {already_out.pk}, {track.pk}"
    )
    assert lines[2] == f"Re-enabled copy scan for track {track.pk}"
    assert not TrackOffer.objects.filter(track=track).exists()
    assert [
        (change.is_scanned, change.user_id, change.source)
        for change in CopyScanChange.objects.filter(track=track)
    ] == [(True, user.pk, "api"), (False, user.pk, "api")]


def test_it_stops_with_the_api_error_on_wrong_credentials(
    live_server, transactional_db
):
    result = subprocess.run(
        [
            sys.executable,
            str(CLIENT),
            f"--base-url={live_server.url}",
            "--email=nobody@label.test",
            "--password=wrong",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "answered 422: The user credentials were incorrect." in result.stderr
