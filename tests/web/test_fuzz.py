"""Property-based fuzz of every form and JSON endpoint: no hostile input gets a server error.

What is fuzzed. The routes come from the application (`routes()` of the route walk), so a new
route is fuzzed as soon as it exists, each as the kinds of users who may reach it (the route
walk's `expected()`; the first two in the order below): anonymous visitors, a demo applicant,
officers of Guangdong (the province administrator, a clerk, a city administrator, the
publishing post) and national staff (the super-administrator, an administrator). Each user
first opens the pages they can reach, as a browser would, and keeps what the HTML offers: real
paths (ids, actions), real forms (fields, options, submit buttons) and the CSRF token of the
page (`csrf_input` or the `hx-headers` of the body), never one read from a cookie. Every
example then starts from a real submission and replaces some fields with hostile values (NUL
and other control characters, very long text, huge and negative numbers, `1E-100000`,
full-width digits and letters, characters outside the BMP), or sends the body in the wrong
shape (JSON for a form and the reverse, malformed multipart, odd content types), with a wrong
method, or with an impossible id in the path. Any 5xx fails, with the application's traceback.

Isolation. The fuzz submits whatever it likes as the demo people (it withdraws, approves,
deactivates, rewrites settings), so it runs in a database of its own: a copy of the loaded
test database that the session fixture makes before anything else connects (the
`own_database` marker), served by an application of its own with its own Redis database.
Nothing it does reaches the data other tests see.

Determinism and bounds. Every submission first gets a fixed battery (all its fields at once
set to one hostile value, then each default in full width); hypothesis then draws a few more
examples per route and user from a seed fixed by the route (no example database), and shrinks
only when something fails. About 550 pages and 2,400 requests: some 55 s of CPU here, one to two
minutes on two cores. `FUZZ_ONLY=<regex>` fuzzes only the matching route templates and
`FUZZ_REPORT=1` lists the routes where no example got past sign-in, permission or lookup.
"""

from __future__ import annotations

import json
import os
import re
import time
import traceback
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from litestar.testing import TestClient
from litestar.testing import transport as litestar_transport
from redis.asyncio import Redis
from sqlalchemy import select

from pharmreg.demo import demo_pharmacists
from pharmreg.identity import PostPermissions, load_officer_account, security_rules
from pharmreg.identity.models import NationalStaff, Officer
from pharmreg.kit.db import Database
from pharmreg.settings import Settings
from pharmreg.web import create_app
from tests.applications.files import png
from tests.web.test_route_walk import PASSWORD, TO_SIGN_IN, User, expected, fill, outcome, routes

pytestmark = pytest.mark.own_database("fuzz")

BASE_URL = "http://testserver.local"
SLUG = "gd"
EXAMPLES = {"GET": 1, "POST": 4}  # drawn by hypothesis, after the fixed battery
USERS_PER_ROUTE = 2  # the first people, in `_people`' order, who may reach a route
# Path parameters a page never needs to offer: the rest come from the pages' links and forms.
FILLED = {"slug", "tenant_slug", "code", "matter", "name", "file_path", "path"}

HOSTILE = [
    "\x00",
    "草稿\x00内容",
    "\x01\x02\x03\x1b[31m\x08",
    "\x7f\x85\x9f",
    "\ufffe\uffff",
    "\u202e\u200b\u2028",
    "0",
    "-1",
    "2147483648",
    "-2147483649",
    "9223372036854775808",
    "99999999999999999999999999999999999999999999",
    "1E-100000",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "0.000000001",
    "1_000",
    "0x1F",
    "１２３４５６",
    "４４０１０６１９９００３０７００１Ｘ",
    "ＡＢＣ１２３",
    "　",
    "²³",
    "٣٤٥",
    "１Ｅ－１０００００",
    "𠮷𠮷𠮷",
    "🙂\U0010ffff",
    "x" * 5000,
    "长" * 20000,
    "<script>alert(1)</script>",
    "'; DROP TABLE officer; --",
    "{{ 7*7 }}",
    "../../../etc/passwd",
    "%00%ff",
    "null",
    "[]",
    "{}",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "２０２６年１月５日",
    "",
    " ",
]
HOSTILE_IDS = ["99999999999999999999", "2147483648", "0", "-7", "１２", "1e3", "٣", "00000000000000000001"]
MAX_QUERY_VALUE = 1500
# Every field of a real submission set at once to one of these (then each default in full width).
BATTERY = ["\x00", "99999999999999999999", "²³", "1E-100000", "长" * 5000]
BROKEN_BODIES = [
    b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n',  # cut off
    b'--x\r\nContent-Disposition: form-data; name="f"; filename="a\x00\x1f.pdf"\r\n\r\n%PDF\r\n--x--\r\n',
    b'--x\r\nContent-Disposition: form-data; name="\xff\xfe"\r\n\r\n\x80\r\n--x--\r\n',
    b"--x--",
    b"x",
]
BROKEN_MULTIPART = [
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "multipart/form-data; boundary=",
]
ODD_TYPES = [
    "application/x-www-form-urlencoded",
    "application/json",
    "text/plain",
    "application/xml",
    "image/png",
    "; ;",
]
WRONG_METHODS = ["PUT", "PATCH", "DELETE"]
SHAPES = ["form"] * 4 + ["multipart", "json", "json-array", "garbage", "empty", "broken-multipart"]
SHAPES += ["wrong-method", "hostile-id"]

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=st.characters(max_codepoint=0x9F), max_size=10),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


# ------------------------------------------------------------------------ pages, links and forms


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> candidates, default first
    files: list[str] = field(default_factory=list)

    def add(self, name: str, value: str, *, default: bool = True) -> None:
        """A value the field may take; `default` when the page fills, checks or selects it."""
        values = self.fields.setdefault(name, [])
        if value in values:
            if not default:
                return
            values.remove(value)
        values.insert(0, value) if default else values.append(value)


class PageParser(HTMLParser):
    """Links, forms and the CSRF token of one page."""

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.links: list[tuple[str, str]] = []  # (method, url)
        self.forms: list[Form] = []
        self.token: str | None = None
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def _resolve(self, target: str) -> str | None:
        absolute = urljoin(self.url, target)
        parts = urlsplit(absolute)
        if parts.netloc not in ("", urlsplit(BASE_URL).netloc) or not parts.path.startswith("/"):
            return None
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "body" and "x-csrf-token" in a.get("hx-headers", ""):
            found = re.search(r'"x-csrf-token":\s*"([^"]+)"', a["hx-headers"])
            self.token = found.group(1) if found else self.token
        for key, method in (("href", "GET"), ("hx-get", "GET"), ("hx-post", "POST"), ("formaction", "POST")):
            if a.get(key) and (target := self._resolve(a[key])):
                self.links.append((method, target))
        if tag == "form":
            method = (
                "POST" if a.get("hx-post") else "GET" if a.get("hx-get") else a.get("method", "get").upper()
            )
            action = self._resolve(a.get("hx-post") or a.get("hx-get") or a.get("action") or self.url)
            self._form = Form(method, action or self.url)
            if "multipart" in a.get("enctype", "") or a.get("hx-encoding"):
                self._form.files.append("")
            return
        form, name = self._form, a.get("name", "")
        if form is not None and tag == "option" and self._select:
            form.add(self._select, a.get("value", ""), default="selected" in a)
            return
        if form is None or not name:
            return
        if name == "_csrf_token":
            self.token = a.get("value") or self.token
        elif tag == "input":
            kind = a.get("type", "text")
            if kind == "file":
                form.files.append(name)
            elif kind in ("checkbox", "radio"):
                form.add(name, a.get("value", "on"), default="checked" in a)
            elif kind not in ("submit", "button", "image", "reset"):
                form.add(name, a.get("value", ""))
            else:
                form.add(name, a.get("value", ""), default=False)
        elif tag == "button" and a.get("type", "submit") == "submit":
            form.add(name, a.get("value", ""))
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, [])
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            if self._form is not None:
                self._form.add(self._textarea, self._text)
            self._textarea, self._text = None, ""


def template_pattern(template: str) -> re.Pattern[str]:
    """A regular expression matching the concrete paths of a route template (`{x:int}` etc.)."""

    def group(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        body = {"int": r"[0-9]+", "path": r".+", "uuid": r"[0-9a-fA-F-]{36}"}.get(kind, r"[^/]+")
        return f"(?P<{name}>{body})"

    parts = re.split(r"(\{\w+:\w+\})", template)
    regex = "".join(
        re.sub(r"\{(\w+):(\w+)\}", group, part) if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(f"^{regex}/?$")


# -------------------------------------------------------------------------------- the people


@dataclass(eq=False)
class Person:
    """One fuzzing user: a browser of their own, and what their pages offered."""

    user: User
    http: httpx.Client
    own_ids: set[str] = field(default_factory=set)  # their own account ids: never deactivated
    # Request id -> traceback of what the application did not handle (one dict for everyone).
    server_errors: dict[str, str] = field(default_factory=dict)
    token: str = ""
    links: set[tuple[str, str]] = field(default_factory=set)
    forms: list[Form] = field(default_factory=list)
    pages: int = 0
    sent: int = 0
    statuses: dict[str, Counter[int]] = field(default_factory=dict)  # route -> answers it gave
    current: str = ""

    def read(self, response: httpx.Response, url: str) -> None:
        if "text/html" not in response.headers.get("content-type", ""):
            return
        parser = PageParser(urljoin(BASE_URL, url))
        parser.feed(response.text)
        self.token = parser.token or self.token
        self.links.update(parser.links)
        self.forms.extend(parser.forms)

    def get(self, url: str) -> httpx.Response:
        response = self.http.get(url)
        self.pages += 1
        self.read(response, url)
        return response

    def sign_in(self) -> None:
        base = {"officer": f"/p/{self.user.slug}/office", "staff": "/national", "applicant": "/account"}
        if self.user.realm is None:
            self.get("/")
            return
        home = base[self.user.realm]
        self.get(f"{home}/login")
        response = self.http.post(
            f"{home}/login",
            data={
                "login": self.user.login,
                "password": PASSWORD,
                "next": f"{home}/",
                "_csrf_token": self.token,
            },
        )
        assert response.status_code == 303, (self.user.label, response.status_code, response.text[:300])
        self.get(response.headers["location"])


def may_reach(user: User, template: str) -> bool:
    return "ok" in expected(user, template, SLUG)


# ---------------------------------------------------------------------------------- the world


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # with the parameter types: /articles/{article_id:int}
    query: tuple[str, ...]  # the query parameters the handler declares

    @property
    def plain(self) -> str:
        return re.sub(r"\{(\w+):[^}]+\}", r"{\1}", self.template)


@dataclass
class World:
    people: list[Person]
    routes: list[Route]  # in the route walk's order: sign-out last
    field_pool: list[str]  # every field name the pages showed, for submissions without a form


def record_server_errors(app) -> dict[str, str]:
    """Keep the traceback of each unhandled exception, so that a failure shows where it arose."""
    seen: dict[str, str] = {}
    handle = app.exception_handlers[Exception]

    def recording(request, exc):
        request_id = request.scope.get("state", {}).get("request_id", "")
        seen[request_id] = "".join(traceback.format_exception(exc))
        return handle(request, exc)

    app.exception_handlers[Exception] = recording
    return seen


def _fuzz_settings(base: Settings, database_url: str) -> Settings:
    redis = urlsplit(base.redis_url)
    index = int(redis.path.strip("/") or 0)
    other = redis._replace(path=f"/{(index - 1) % 16}").geturl()  # a Redis database of its own
    return Settings.from_env(
        {},
        database_url=database_url,
        redis_url=other,
        environment="test",
        log_level="WARNING",
        outbox_poll_seconds=0.5,
    )


async def _people(db: Database, settings: Settings, client: TestClient) -> list[Person]:
    permissions = PostPermissions.from_file(settings.policies_dir / "permissions.csv")
    async with db.national() as session:
        pharmacists = await demo_pharmacists(session)
        staff_ids = {s.username: str(s.id) for s in await session.scalars(select(NationalStaff))}
    mobile = next(m for m, _name, certificate in pharmacists if certificate.startswith(f"DEMO{SLUG.upper()}"))
    users = [
        User("anonymous", None),
        User("applicant", "applicant", login=mobile),
    ]
    officers: dict[str, str] = {}
    async with db.tenant(f"tenant_{SLUG}") as session:
        rules = await security_rules(session)
        for label, login in (
            ("gd admin", "gd.admin"),
            ("gd clerk", "gd.accept"),
            ("gd city admin", "gd.440100.admin"),
            ("gd publisher", "gd.publish"),
        ):
            officer = await session.scalar(select(Officer).where(Officer.username == login))
            assert officer is not None, login
            account = await load_officer_account(session, SLUG, officer.id, rules, permissions)
            assert account is not None
            officers[login] = str(officer.id)
            users.append(User(label, "officer", SLUG, login, account.permissions, account.at_province))
    users += [
        User("superadmin", "staff", login="nmpa.root", superadmin=True),
        User("national staff", "staff", login="nmpa.admin"),
    ]
    own = set(officers.values()) | {staff_ids[u.login] for u in users if u.realm == "staff"}
    people = []
    for user in users:
        http = httpx.Client(
            transport=litestar_transport.TestClientTransport(client, raise_server_exceptions=False),  # type: ignore[arg-type]
            base_url=BASE_URL,
            follow_redirects=False,
        )
        people.append(Person(user, http, own_ids=own))
    return people


@pytest.fixture(scope="module")
async def world(settings: Settings, platform) -> AsyncIterator[World]:
    fuzz_settings = _fuzz_settings(settings, platform.copies["fuzz"])
    redis = Redis.from_url(fuzz_settings.redis_url)
    await redis.flushdb()
    await redis.aclose()
    db = Database(fuzz_settings.database_url, pool_size=2)
    app = create_app(fuzz_settings)
    server_errors = record_server_errors(app)
    with TestClient(app=app, base_url=BASE_URL, raise_server_exceptions=False) as client:
        people = await _people(db, fuzz_settings, client)
        for person in people:
            person.server_errors = server_errors
        await db.dispose()
        every = app_routes(app)
        started, cpu = time.monotonic(), time.process_time()
        for person in people:
            person.sign_in()
            walk_pages(person, every)
            if person.user.realm == "applicant":
                start_draft(person)
        pool = sorted({name for p in people for form in p.forms for name in form.fields} - {"_csrf_token"})
        walked = sum(p.pages for p in people)
        took = f"{time.monotonic() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)"
        print(f"\npage walk: {walked} pages in {took}")
        if only := os.environ.get("FUZZ_ONLY"):
            every = [r for r in every if re.search(only, r.template)]
        yield World(people, every, pool)


_NOT_QUERY = {"request", "socket", "headers", "cookies", "query", "scope", "state", "body", "data"}


def app_routes(app) -> list[Route]:
    """The route walk's routes, with their parameter types and the query parameters they declare."""
    found: dict[tuple[str, str], Route] = {}
    for route in app.routes:
        plain = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            ignored = _NOT_QUERY | set(handler.resolve_dependencies()) | set(re.findall(r"\{(\w+)", plain))
            query = tuple(sorted(set(handler.parsed_fn_signature.parameters) - ignored))
            for method in handler.http_methods:
                found[(method, plain)] = Route(method, route.path, query)
    return [found[key] for key in routes(app)]


def walk_pages(person: Person, every: list[Route]) -> None:
    """Open one page of every kind the person may reach: those the pages so far link to (real
    ids, real queries), else those needing no id; four rounds, each following the last."""
    gets = [r for r in every if r.method == "GET" and may_reach(person.user, r.plain)]
    opened: set[Route] = set()
    tried: set[str] = set()
    for _round in range(4):
        progress = False
        for route in gets:
            if route in opened:
                continue
            candidates = concrete_paths(person, "GET", route.template)
            if set(re.findall(r"\{(\w+):", route.template)) <= FILLED:
                candidates.append(fill(route.plain, SLUG, officer_id=""))
            path = next((c for c in candidates if c not in tried), None)
            if path is None:
                continue
            tried.add(path)
            progress = True
            if person.get(path).status_code == 200:
                opened.add(route)
        if not progress:
            break


def concrete_paths(person: Person, method: str, template: str) -> list[str]:
    """Paths of the template that the person's pages offered (links or form actions), sorted."""
    pattern = template_pattern(template)
    found = {url for m, url in person.links if m == method} | {
        f.action for f in person.forms if f.method == method
    }
    return sorted(
        {url for url in found if pattern.match(urlsplit(url).path) and not _own(person, url)},
        key=lambda url: (len(url), url),
    )


def _own(person: Person, url: str) -> bool:
    return any(own in url for own in person.own_ids)


def start_draft(person: Person) -> None:
    """The applicant's own draft with a photo, so that the draft's forms have something to work on."""
    person.get("/account/apply")
    response = person.http.post(
        "/account/apply", data={"matter": "first_registration", "province": SLUG, "_csrf_token": person.token}
    )
    assert response.status_code == 303, response.text[:300]
    draft = response.headers["location"].split("?")[0].rstrip("/")
    response = person.http.post(
        f"{draft}/attachments",
        data={"material": "photo"},
        files={"file": ("photo.png", png(), "image/png")},
        headers={"hx-request": "true", "x-csrf-token": person.token},
    )
    assert response.status_code == 200, response.text[:300]
    person.get(draft)


# -------------------------------------------------------------------------------- the examples


@dataclass(frozen=True)
class Target:
    path: str
    fields: dict[str, list[str]]
    files: tuple[str, ...]


def targets(person: Person, route: Route, pool: list[str]) -> list[Target]:
    """Real submissions of the route (forms on the person's pages), else its paths the pages
    link to (or, unlinked, the route walk's) with the fields the handler may read."""
    pattern = template_pattern(route.template)
    found = [
        Target(form.action, form.fields, tuple(form.files))
        for form in person.forms
        if form.method == route.method
        and pattern.match(urlsplit(form.action).path)
        and not _own(person, form.action)
    ]
    unique = list({(t.path, tuple(sorted(t.fields))): t for t in found}.values())[:3]
    if unique:
        return unique
    paths = concrete_paths(person, route.method, route.template)[:2]
    paths = paths or [fill(route.plain, SLUG, officer_id="0" * 32)]
    names = route.query if route.method == "GET" else tuple(pool)
    chosen = []
    for path in paths:
        # A link's own query is a submission too: its parameters are fields with real defaults.
        parts = urlsplit(path)
        fields = {name: [""] for name in names} | {
            k: [v] for k, v in parse_qsl(parts.query, keep_blank_values=True)
        }
        chosen.append(Target(parts.path, fields, ()))
    return chosen


@dataclass
class Request:
    """One request as the fuzz sends it; `body` is what a failure report shows."""

    method: str
    path: str
    shape: str
    headers: dict[str, str]
    kwargs: dict[str, Any]
    body: Any


def form_request(person: Person, method: str, path: str, values: dict[str, str], *, htmx: bool) -> Request:
    """A submission as the page makes it: query for GET, urlencoded with the page's token otherwise."""
    headers = {"x-csrf-token": person.token} | ({"hx-request": "true"} if htmx else {})
    if method in ("GET", "DELETE"):
        # Within what browsers and proxies carry in a URL; longer text goes in bodies.
        query = {name: value[:MAX_QUERY_VALUE] for name, value in values.items()}
        return Request(method, path, "query", headers, {"params": query}, query)
    body = {**values, "_csrf_token": person.token}
    return Request(method, path, "form", headers, {"data": body}, body)


def send(person: Person, request: Request) -> None:
    """Send it; a 5xx fails with what was sent and the application's traceback."""
    person.sent += 1

    try:
        response = person.http.request(
            request.method, request.path, headers=request.headers, **request.kwargs
        )
    except UnicodeEncodeError:  # the client cannot send it; nothing reached the server
        return
    person.statuses.setdefault(person.current, Counter())[response.status_code] += 1
    if response.status_code >= 500:
        where = person.server_errors.get(response.headers.get("x-request-id", ""), "")
        text = repr(request.body)
        shown = f"{text[:600]}{'…' if len(text) > 600 else ''}"
        kind = request.headers.get("content-type", "")
        raise AssertionError(
            f"{person.user.label}: {response.status_code} for {request.method} {request.path} "
            f"({request.shape} {kind}) {shown}\n{where[-2500:]}"
        )
    if outcome(response) == "sign in" and not TO_SIGN_IN.search(urlsplit(request.path).path):
        person.token = ""  # the session ended (a sign-out, a deactivation): sign in again afterwards


def send_battery(person: Person, method: str, target: Target) -> None:
    """The fixed examples every submission gets first: every field at once set to one hostile value."""
    defaults = {name: candidates[0] for name, candidates in target.fields.items() if candidates}
    battery = BATTERY if method == "POST" else BATTERY[1:3]
    for value in [*battery, None]:
        values = {name: full_width(v) if value is None else value for name, v in defaults.items()}
        send(person, form_request(person, method, target.path, values or {"q": value or ""}, htmx=False))


def send_example(person: Person, method: str, target: Target, data: st.DataObject, pool: list[str]) -> None:
    shape = data.draw(st.sampled_from(SHAPES), label="shape")
    path = target.path
    if shape == "hostile-id" and re.search(r"/[0-9]+(/|$|\?)", path):
        bad = data.draw(st.sampled_from(HOSTILE_IDS), label="id")
        path = re.sub(r"/[0-9]+(?=/|$|\?)", f"/{bad}", path, count=1)
    if shape == "wrong-method":
        method = data.draw(st.sampled_from([*WRONG_METHODS, "POST" if method == "GET" else "GET"]))
    values = {name: candidates[0] for name, candidates in target.fields.items() if candidates}
    names = sorted(target.fields) or ["q"]
    everything = data.draw(st.booleans(), label="every field")
    chosen = (
        names
        if everything
        else data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    )
    for name in chosen:
        candidates = target.fields.get(name) or [""]
        values[name] = data.draw(
            st.one_of(hostile_text, st.sampled_from(candidates), st.just(full_width(candidates[0]))),
            label=name,
        )
    if data.draw(st.booleans(), label="extra field"):
        values[data.draw(st.sampled_from(pool or ["q"]))] = data.draw(hostile_text)
    request = form_request(person, method, path, values, htmx=data.draw(st.booleans(), label="htmx"))
    if request.shape == "query" or shape in ("form", "wrong-method", "hostile-id"):
        send(person, request)
        return
    headers, token = request.headers, person.token
    if shape == "multipart":
        name = (target.files or ("file",))[0] or "file"
        filename = data.draw(
            st.one_of(
                st.sampled_from(["a.pdf", "照片.png", "a\x00.pdf", "𠮷.jpg", "x" * 300]), st.text(max_size=20)
            )
        )
        content = data.draw(st.one_of(st.just(b"%PDF-1.4\n%%EOF\n"), st.binary(max_size=200)))
        files = {name: (filename, content, "application/octet-stream")}
        body = {**request.body, f"<file {name}>": (filename, content[:40])}
        send(person, Request(method, path, shape, headers, {"data": request.body, "files": files}, body))
    elif shape in ("json", "json-array"):
        body = values if shape == "json" else [values, values]
        content = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
        headers = headers | {"content-type": "application/json", "x-csrf-token": token}
        send(person, Request(method, path, shape, headers, {"content": content}, body))
    else:
        if shape == "broken-multipart":
            content = data.draw(st.sampled_from(BROKEN_BODIES))
            kind = data.draw(st.sampled_from(BROKEN_MULTIPART))
        elif shape == "garbage":
            content, kind = data.draw(st.binary(max_size=300)), data.draw(st.sampled_from(ODD_TYPES))
        else:
            content, kind = b"", ""
        headers = headers | ({"content-type": kind} if kind else {})
        send(person, Request(method, path, shape, headers, {"content": content}, content))


def fuzz_route(person: Person, route: Route, pool: list[str]) -> None:
    choices = targets(person, route, pool)
    person.current = f"{person.user.label:>14} {route.method:4} {route.template}"
    send_battery(person, route.method, choices[0])

    @seed(zlib.crc32(f"{person.user.label} {route.method} {route.template}".encode()))
    @settings(
        max_examples=EXAMPLES.get(route.method, 8),
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @given(st.data())
    def run(data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(choices), label="target")
        send_example(person, route.method, target, data, pool)

    run()


def test_no_hostile_input_gets_a_server_error(world: World) -> None:
    started, cpu = time.monotonic(), time.process_time()
    failures: list[str] = []
    for person in world.people:
        for route in [r for r in world.routes if person in _reachers(world, r.plain)]:
            try:
                if not person.token:
                    person.sign_in()  # the session ended: a sign-out, or an account the fuzz changed
            except AssertionError as exc:
                failures.append(f"{person.user.label} could not sign in again: {exc}")
                break
            try:
                fuzz_route(person, route, world.field_pool)
            except Exception as exc:  # collected: every failing route is reported, not only the first
                failures.append(f"{route.method} {route.template}: {str(exc)[:3500]}")
    sent = sum(p.sent for p in world.people)
    # Answers that stop before the handler read anything: sign-in, forbidden, not found, method.
    shallow = [
        f"{key} {dict(counts)}"
        for p in world.people
        for key, counts in p.statuses.items()
        if set(counts) <= {302, 303, 401, 403, 404, 405}
    ]
    print(f"routes where every example stopped before the handler read its input: {len(shallow)}")
    if os.environ.get("FUZZ_REPORT"):
        print("\n".join(shallow))
    took = f"{time.monotonic() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU)"
    print(f"fuzz: {sent} requests in {took}")
    assert not failures, f"{len(failures)} routes answered 5xx:\n" + "\n\n".join(failures)
    assert os.environ.get("FUZZ_ONLY") or sent > 2000


def _reachers(world: World, template: str) -> list[Person]:
    return [p for p in world.people if may_reach(p.user, template)][:USERS_PER_ROUTE]
