"""The floor: the benchmark's routes as a bare WSGI app on psycopg and orjson.

It answers what the harness's API scenarios ask, with the same documents
the service returns (the harness compares them before timing), the same
token check and the same writes, copy-scan history included, and nothing
else: no framework, no validation beyond what the scenarios need. What the
service spends above this is the price of Django, DRF and DJA.

Serve it with ``gunicorn -w 2 bench.floor:application`` and
``FLOOR_DATABASE_URL`` naming the benchmark's database.
"""

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from urllib.parse import parse_qsl, urlencode

import orjson
import psycopg

FLAGS = ("download", "on_demand_stream", "non_interactive_stream", "copy_scan")
JSONAPI = {"version": "1.0"}
MEDIA_TYPE = "application/vnd.api+json"
TRACK_OFFER_PATH = re.compile(r"/api/v1/track-offers/(\d+)")
# knox: the first 15 characters find the token, its SHA-512 digest proves it.
TOKEN_KEY_LENGTH = 15
EXACT_COUNT_LIMIT = 100_000

TRACK_OFFER_COLUMNS = (
    "o.id, o.track_id, o.offer_id, o.download, o.on_demand_stream,"
    " o.non_interactive_stream, o.copy_scan, o.release_date, o.created_at,"
    " o.updated_at, f.download, f.on_demand_stream, f.non_interactive_stream,"
    " f.copy_scan"
)
TRACK_COLUMNS = (
    "t.id, t.title, t.isrc_code, t.track_number, t.volume_number, t.artist,"
    " t.length, t.created_at, t.updated_at, t.product_id"
)
OFFER_COLUMNS = (
    "f.id, f.release_date, f.preorder_date, f.is_default, f.active, f.download,"
    " f.on_demand_stream, f.non_interactive_stream, f.copy_scan, f.created_at,"
    " f.updated_at, f.product_id"
)
# The user behind a token, and whether it holds one permission, directly or
# through a group.
AUTH_SQL = """
SELECT k.digest, k.expiry, u.id, u.username, u.is_active AND (u.is_superuser OR
    EXISTS (SELECT 1 FROM auth_permission p
            JOIN django_content_type c ON c.id = p.content_type_id
            WHERE c.app_label = %(app)s AND p.codename = %(codename)s
              AND (p.id IN (SELECT permission_id FROM auth_user_user_permissions
                            WHERE user_id = u.id)
                   OR p.id IN (SELECT g.permission_id
                               FROM auth_group_permissions g
                               JOIN auth_user_groups ug ON ug.group_id = g.group_id
                               WHERE ug.user_id = u.id))))
FROM knox_authtoken k JOIN auth_user u ON u.id = k.user_id
WHERE k.token_key = %(key)s
"""
HISTORY_SQL = """
INSERT INTO trackoffers_copyscanchange (changed_at, isrc_code, offer_number,
    track_offer_number, previous_override, new_override, was_scanned,
    is_scanned, actor, source, offer_id, track_id, user_id)
SELECT now(), t.isrc_code, %(offer)s, %(id)s, %(previous)s, %(new)s,
    COALESCE(%(previous)s, f.copy_scan), COALESCE(%(new)s, f.copy_scan),
    %(actor)s, 'api', %(offer)s, %(track)s, %(user)s
FROM tracks_track t, offers_offer f WHERE t.id = %(track)s AND f.id = %(offer)s
"""

_connection: psycopg.Connection | None = None


class HTTPError(Exception):
    def __init__(self, status: int, title: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title


def database() -> psycopg.Connection:
    """Return this worker's connection, opened on first use (after the fork)."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(
            os.environ["FLOOR_DATABASE_URL"],
            autocommit=True,
            options="-c timezone=UTC",
            # No prepared statements: a generic plan for "offer_id = ANY($1)
            # ORDER BY id LIMIT 20" walks the whole primary key for an offer
            # whose rows come last. Django does not prepare either.
            prepare_threshold=None,
        )
    return _connection


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    try:
        status, document, headers = route(environ)
    except HTTPError as error:
        status, headers = error.status, []
        document = {"errors": [{"status": str(status), "title": error.title}]}
    except psycopg.OperationalError:
        # A restarted database: the next request reconnects.
        global _connection
        _connection = None
        status, headers = 503, [("Retry-After", "5")]
        document = {"errors": [{"status": "503", "title": "Service Unavailable"}]}
    body = b"" if document is None else orjson.dumps(document)
    headers += [("Content-Type", MEDIA_TYPE), ("Content-Length", str(len(body)))]
    start_response(f"{status} {REASONS[status]}", headers)
    return [body]


REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    503: "Service Unavailable",
}


def route(environ: dict) -> tuple[int, dict | None, list]:
    method, path = environ["REQUEST_METHOD"], environ["PATH_INFO"]
    request = Request(environ)
    if path == "/api/v1/track-offers":
        if method == "GET":
            return 200, request.track_offer_list(), []
        if method == "POST":
            return request.create()
    elif path == "/api/v1/tracks" and method == "GET":
        return 200, request.track_list(), []
    elif match := TRACK_OFFER_PATH.fullmatch(path):
        pk = int(match[1])
        if method == "GET":
            return 200, request.track_offer(pk), []
        if method == "PATCH":
            return 200, request.patch(pk), []
        if method == "DELETE":
            return request.delete(pk)
    else:
        raise HTTPError(404, "Not Found")
    raise HTTPError(405, "Method Not Allowed")


class Request:
    def __init__(self, environ: dict) -> None:
        self.environ = environ
        self.base = f"http://{environ['HTTP_HOST']}"
        self.api = f"{self.base}/api/v1"
        self.query = parse_qsl(environ.get("QUERY_STRING", ""))
        self.params = dict(self.query)
        self.cursor = database().cursor()

    def url(self) -> str:
        query = self.environ.get("QUERY_STRING")
        path = self.environ["PATH_INFO"]
        return f"{self.base}{path}?{query}" if query else f"{self.base}{path}"

    def authenticate(self, codename: str, app: str = "trackoffers") -> tuple:
        header = self.environ.get("HTTP_AUTHORIZATION", "")
        secret = header.removeprefix("Bearer ")
        self.cursor.execute(
            AUTH_SQL,
            {"key": secret[:TOKEN_KEY_LENGTH], "app": app, "codename": codename},
        )
        for digest, expiry, user, name, allowed in self.cursor.fetchall():
            hashed = hashlib.sha512(secret.encode()).hexdigest()
            if not hmac.compare_digest(hashed, digest):
                continue
            if expiry is not None and expiry < datetime.now(UTC):
                break
            if not allowed:
                raise HTTPError(403, "Forbidden")
            return user, name
        raise HTTPError(401, "Unauthorized")

    # Reads

    def track_offer_list(self) -> dict:
        self.authenticate("view_trackoffer")
        include = self.params.get("include", "").split(",")
        join, extra = "", ""
        if "track" in include:
            join += " JOIN tracks_track t ON t.id = o.track_id"
            extra += ", " + TRACK_COLUMNS
        if "offer" in include:
            extra += ", " + OFFER_COLUMNS
        sql = (
            f"SELECT {TRACK_OFFER_COLUMNS}{extra} FROM trackoffers_trackoffer o"
            f" JOIN offers_offer f ON f.id = o.offer_id{join}"
        )
        where, args = "", []
        if "filter[offer-id]" in self.params:
            # IN, as Django writes it: the planner walks the (offer_id, id)
            # index for "IN (1)", not for "= ANY('{1}')".
            ids = [int(i) for i in self.params["filter[offer-id]"].split(",")]
            where = f" WHERE o.offer_id IN ({', '.join(['%s'] * len(ids))})"
            args += ids
        if "filter[copy-scan]" in self.params:
            # As the API's filter writes it: the IS NOT NULL lets PostgreSQL
            # use the partial indexes of the overrides.
            value = "" if self.params["filter[copy-scan]"] == "true" else "NOT "
            test = f"{value}o.copy_scan AND o.copy_scan IS NOT NULL"
            where += f" AND {test}" if where else f" WHERE {test}"
        count_sql = f"SELECT COUNT(*) FROM trackoffers_trackoffer o{where}"
        rows, meta, links = self.page(sql, where, args, count_sql, "o.id")
        document = {
            "links": links,
            "data": [self.track_offer_resource(row) for row in rows],
        }
        if include != [""]:
            document["included"] = self.included(rows, include)
        document["meta"] = meta
        document["jsonapi"] = JSONAPI
        return document

    def page(
        self, sql: str, where: str, args: list, count_sql: str, id_column: str
    ) -> tuple[list, dict, dict]:
        """Return one page of rows, ``meta`` and ``links``, as the API pages."""
        size = int(self.params.get("page[size]", 20))
        if "page[after]" in self.params:
            after = int(self.params["page[after]"])
            condition = f"{where} AND" if where else " WHERE"
            self.cursor.execute(
                f"{sql}{condition} {id_column} > %s ORDER BY {id_column} LIMIT %s",
                [*args, after, size],
            )
            rows = self.cursor.fetchall()
            links = {"first": self.link({"page[after]": 0}, size)}
            if len(rows) == size:
                links["next"] = self.link({"page[after]": rows[-1][0]}, size)
            return rows, {"page": {"after": after, "perPage": size}}, links
        number = int(self.params.get("page[number]", 1))
        total, estimated = self.count(count_sql, args, unfiltered=not where)
        offset = (number - 1) * size
        rows = []
        if offset < total or estimated:
            self.cursor.execute(
                f"{sql}{where} ORDER BY {id_column} LIMIT %s OFFSET %s",
                [*args, size, offset],
            )
            rows = self.cursor.fetchall()
        last = max(1, -(-total // size))
        links = {
            "first": self.link({"page[number]": 1}, size),
            "last": self.link({"page[number]": last}, size),
        }
        if number > 1:
            links["prev"] = self.link({"page[number]": min(number - 1, last)}, size)
        if number < last:
            links["next"] = self.link({"page[number]": number + 1}, size)
        page = {
            "currentPage": number,
            "from": offset + 1 if rows else None,
            "lastPage": last,
            "perPage": size,
            "to": offset + len(rows) if rows else None,
            "total": total,
        }
        if estimated:
            page["totalEstimated"] = True
        return rows, {"page": page}, links

    def count(self, sql: str, args: list, *, unfiltered: bool) -> tuple[int, bool]:
        if unfiltered:
            # The planner's estimate on a big table, as the API does.
            self.cursor.execute(
                "SELECT reltuples::bigint, reltuples >= %s FROM pg_class"
                " WHERE oid = 'trackoffers_trackoffer'::regclass",
                [EXACT_COUNT_LIMIT],
            )
            total, estimated = self.cursor.fetchone()
            if estimated:
                return total, True
        self.cursor.execute(sql, args)
        return self.cursor.fetchone()[0], False

    def link(self, page: dict, size: int) -> str:
        params = [(k, v) for k, v in self.query if not k.startswith("page[")]
        params += [*page.items(), ("page[size]", size)]
        path = self.environ["PATH_INFO"]
        return f"{self.base}{path}?{urlencode(params, safe='[],')}"

    def included(self, rows: list, include: list[str]) -> list[dict]:
        resources = {}
        position = 14
        if "track" in include:
            for row in rows:
                track = row[position : position + 10]
                resources["tracks", str(track[0])] = track
            position += 10
        if "offer" in include:
            for row in rows:
                offer = row[position : position + 12]
                resources["offers", str(offer[0])] = offer
        # DJA's order: by type, then by id as a string.
        return [
            self.track_resource(row) if kind == "tracks" else self.offer_resource(row)
            for (kind, _), row in sorted(resources.items())
        ]

    def track_offer(self, pk: int) -> dict:
        self.authenticate("view_trackoffer")
        self.cursor.execute(
            f"SELECT {TRACK_OFFER_COLUMNS} FROM trackoffers_trackoffer o"
            " JOIN offers_offer f ON f.id = o.offer_id WHERE o.id = %s",
            [pk],
        )
        row = self.cursor.fetchone()
        if row is None:
            raise HTTPError(404, "Not Found")
        return self.single(row)

    def single(self, row: tuple, url: str | None = None) -> dict:
        return {
            "data": self.track_offer_resource(row),
            "jsonapi": JSONAPI,
            "links": {"self": url or self.url()},
        }

    def track_list(self) -> dict:
        """Tracks of one offer by effective copy scan, as the API filters them."""
        self.authenticate("view_track", app="tracks")
        offer = int(self.params["filter[offer-id]"])
        scanned = self.params["filter[copy-scan]"] == "true"
        source = (
            " FROM tracks_track t JOIN offers_offer f ON f.id = %s"
            " LEFT JOIN trackoffers_trackoffer o"
            " ON o.track_id = t.id AND o.offer_id = f.id"
        )
        where = (
            " WHERE t.product_id = f.product_id"
            " AND COALESCE(o.copy_scan, f.copy_scan) = %s"
        )
        args = [offer, scanned]
        rows, meta, links = self.page(
            f"SELECT {TRACK_COLUMNS}{source}",
            where,
            args,
            f"SELECT COUNT(*){source}{where}",
            "t.id",
        )
        return {
            "links": links,
            "data": [self.track_resource(row) for row in rows],
            "meta": meta,
            "jsonapi": JSONAPI,
        }

    # Writes: one transaction each, the row locked, history written as the
    # service writes it.

    def patch(self, pk: int) -> dict:
        user, name = self.authenticate("change_trackoffer")
        body = orjson.loads(self.environ["wsgi.input"].read(content_length(self)))
        usage = body["data"]["attributes"]["usage"]
        with database().transaction():
            self.cursor.execute(
                f"SELECT {TRACK_OFFER_COLUMNS} FROM trackoffers_trackoffer o"
                " JOIN offers_offer f ON f.id = o.offer_id WHERE o.id = %s"
                " FOR UPDATE OF o",
                [pk],
            )
            row = self.cursor.fetchone()
            if row is None:
                raise HTTPError(404, "Not Found")
            new, now = usage.get("copy_scan", row[6]), datetime.now(UTC)
            self.cursor.execute(
                "UPDATE trackoffers_trackoffer SET copy_scan = %s, updated_at = %s"
                " WHERE id = %s",
                [new, now, pk],
            )
            if new != row[6]:
                self.history(row, previous=row[6], new=new, user=user, name=name)
        return self.single((*row[:6], new, row[7], row[8], now, *row[10:]))

    def create(self) -> tuple[int, dict, list]:
        user, name = self.authenticate("add_trackoffer")
        body = orjson.loads(self.environ["wsgi.input"].read(content_length(self)))
        data = body["data"]
        track = int(data["relationships"]["track"]["data"]["id"])
        offer = int(data["relationships"]["offer"]["data"]["id"])
        copy_scan = data["attributes"].get("usage", {}).get("copy_scan")
        with database().transaction():
            now = datetime.now(UTC)
            self.cursor.execute(
                "INSERT INTO trackoffers_trackoffer (track_id, offer_id, copy_scan,"
                " created_at, updated_at)"
                " SELECT t.id, f.id, %s, %s, %s FROM tracks_track t, offers_offer f"
                " WHERE t.id = %s AND f.id = %s AND t.product_id = f.product_id"
                " RETURNING id",
                [copy_scan, now, now, track, offer],
            )
            created = self.cursor.fetchone()
            if created is None:
                raise HTTPError(404, "Not Found")
            self.cursor.execute(
                f"SELECT {TRACK_OFFER_COLUMNS} FROM trackoffers_trackoffer o"
                " JOIN offers_offer f ON f.id = o.offer_id WHERE o.id = %s",
                created,
            )
            row = self.cursor.fetchone()
            if copy_scan is not None:
                self.history(row, previous=None, new=copy_scan, user=user, name=name)
        url = f"{self.api}/track-offers/{row[0]}"
        return 201, self.single(row, url), [("Location", url)]

    def delete(self, pk: int) -> tuple[int, None, list]:
        user, name = self.authenticate("delete_trackoffer")
        with database().transaction():
            self.cursor.execute(
                f"SELECT {TRACK_OFFER_COLUMNS} FROM trackoffers_trackoffer o"
                " JOIN offers_offer f ON f.id = o.offer_id WHERE o.id = %s"
                " FOR UPDATE OF o",
                [pk],
            )
            row = self.cursor.fetchone()
            if row is None:
                raise HTTPError(404, "Not Found")
            if row[6] is not None:
                self.history(row, previous=row[6], new=None, user=user, name=name)
            self.cursor.execute(
                "DELETE FROM trackoffers_trackoffer WHERE id = %s", [pk]
            )
        return 204, None, []

    def history(self, row: tuple, *, previous, new, user: int, name: str) -> None:
        self.cursor.execute(
            HISTORY_SQL,
            {
                "id": row[0],
                "track": row[1],
                "offer": row[2],
                "previous": previous,
                "new": new,
                "actor": name,
                "user": user,
            },
        )

    # Resource objects, members in the order the service writes them.

    def track_offer_resource(self, row: tuple) -> dict:
        pk, track, offer = row[0], row[1], row[2]
        overrides, offer_flags = row[3:7], row[10:14]
        url = f"{self.api}/track-offers/{pk}"
        return {
            "type": "track-offers",
            "id": str(pk),
            "attributes": {
                "usage": {
                    flag: value
                    for flag, value in zip(FLAGS, overrides, strict=True)
                    if value is not None
                },
                "release-date": iso_date(row[7]),
                "created-at": timestamp(row[8]),
                "updated-at": timestamp(row[9]),
            },
            "relationships": {
                "track": to_one(url, "track", "tracks", track),
                "offer": to_one(url, "offer", "offers", offer),
            },
            "links": {"self": url},
            "meta": {
                "effective-usage": {
                    flag: value if override is None else override
                    for flag, override, value in zip(
                        FLAGS, overrides, offer_flags, strict=True
                    )
                }
            },
        }

    def track_resource(self, row: tuple) -> dict:
        url = f"{self.api}/tracks/{row[0]}"
        return {
            "type": "tracks",
            "id": str(row[0]),
            "attributes": {
                "title": row[1],
                "isrc-code": row[2],
                "track-number": row[3],
                "volume-number": row[4],
                "artist": row[5],
                "length": row[6],
                "created-at": timestamp(row[7]),
                "updated-at": timestamp(row[8]),
            },
            "relationships": {
                "product": to_one(url, "product", "products", row[9]),
                "track-offers": to_many(url, "track-offers"),
            },
            "links": {"self": url},
        }

    def offer_resource(self, row: tuple) -> dict:
        url = f"{self.api}/offers/{row[0]}"
        return {
            "type": "offers",
            "id": str(row[0]),
            "attributes": {
                "release-date": iso_date(row[1]),
                "preorder-date": iso_date(row[2]),
                "is-default": row[3],
                "active": row[4],
                "usage": dict(zip(FLAGS, row[5:9], strict=True)),
                "created-at": timestamp(row[9]),
                "updated-at": timestamp(row[10]),
            },
            "relationships": {
                "product": to_one(url, "product", "products", row[11]),
                "track-offers": to_many(url, "track-offers"),
            },
            "links": {"self": url},
        }


def content_length(request: Request) -> int:
    return int(request.environ.get("CONTENT_LENGTH") or 0)


def to_one(url: str, name: str, kind: str, pk: int) -> dict:
    return {
        "links": {
            "self": f"{url}/relationships/{name}",
            "related": f"{url}/{name}",
        },
        "data": {"type": kind, "id": str(pk)},
    }


def to_many(url: str, name: str) -> dict:
    return {
        "links": {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"}
    }


def timestamp(moment: datetime) -> str:
    # The API's DATETIME_FORMAT, "%Y-%m-%dT%H:%M:%S.%fZ". The connection's
    # time zone is UTC, so the offset cut off here is always +00:00.
    return moment.isoformat(timespec="microseconds")[:26] + "Z"


def iso_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
