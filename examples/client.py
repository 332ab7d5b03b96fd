"""Opt a track out of fingerprint scanning, list opt-outs, opt it back in.

A short session against the trackoffers API with httpx::

    pip install httpx
    python examples/client.py --track 1 --offer 1

The defaults match ``make demo``: the API on http://127.0.0.1:8000 and the
demo user's e-mail and password.
"""

import argparse
import json
import sys

import httpx

JSONAPI = "application/vnd.api+json"


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    with httpx.Client(base_url=args.base_url, timeout=10) as client:
        # 1. Exchange the e-mail and password for a Bearer token.
        token = check(
            client.post(
                "/oauth/token",
                json={
                    "grant_type": "password",
                    "email": args.email,
                    "password": args.password,
                },
            )
        )["access_token"]
        client.headers.update({"Authorization": f"Bearer {token}", "Accept": JSONAPI})

        # 2. Opt the track out of copy scan in this offer: a track offer.
        created = check(
            client.post(
                "/api/v1/track-offers",
                content=json.dumps(
                    {
                        "data": {
                            "type": "track-offers",
                            "attributes": {"usage": {"copy_scan": False}},
                            "relationships": {
                                "track": {"data": {"type": "tracks", "id": args.track}},
                                "offer": {"data": {"type": "offers", "id": args.offer}},
                            },
                        }
                    }
                ),
                headers={"Content-Type": JSONAPI},
            )
        )["data"]
        print(f"Opted track {args.track} out: track offer {created['id']}")

        # 3. List the offer's tracks kept out of copy scan.
        opted_out = check(
            client.get(
                "/api/v1/track-offers",
                params={
                    "filter[offer-id]": args.offer,
                    "filter[copy-scan]": "false",
                    "page[size]": 100,
                },
            )
        )["data"]
        tracks = [item["relationships"]["track"]["data"]["id"] for item in opted_out]
        print(f"Tracks opted out in offer {args.offer}: {', '.join(tracks)}")

        # 4. Re-enable scanning: delete the track offer.
        check(client.delete(f"/api/v1/track-offers/{created['id']}"))
        print(f"Re-enabled copy scan for track {args.track}")
    return 0


def check(response: httpx.Response) -> dict:
    """Return the response's JSON, or stop with the API's error details."""
    if response.is_error:
        body = response.json() if response.content else {}
        # /oauth/token answers {"message": ...}; the API, JSON:API errors.
        message = body.get("message") or "; ".join(
            error.get("detail", error["title"]) for error in body.get("errors", [])
        )
        sys.exit(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}: {message}"
        )
    return response.json() if response.content else {}


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default="demo@example.com")
    parser.add_argument("--password", default="trackoffers-demo")
    parser.add_argument("--track", default="1", help="the track's id")
    parser.add_argument("--offer", default="1", help="the offer's id")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
