"""What a person can click: as every kind of user of two provinces, follow every link and submit
every form the pages show, and fail on any server error or on a button that leads nowhere.

Each user signs in and starts at their home page (the visitor at the portals and the sign-in
pages), and works through what the pages offer the way a browser running htmx sends it: links
(boosted as the page boosts them), htmx requests with the headers htmx sends (`HX-Request`,
`HX-Target`, the CSRF header of the page), and forms filled in as a person would: values on the
page kept, the first real option of each select (the person's own province where one is asked
for), required empty fields given plausible values by their type and name, a small real PDF or
PNG in each file input, the captcha's digits read as a person reads the picture. A form refused
(4xx, or shown again with its errors) is sent once more with every field filled in, as a person
does after reading the errors. Downloads are opened and must be the file they claim to be.

Bounded and deterministic: URLs are grouped by pattern (ids replaced, the provinces not walked
taken as one, the query reduced to its parameter names and enumerated values such as tabs) and
each pattern is used SAMPLES times per user; pages whose form offers more choices than that
(the actions of a case) are sampled, with the pages leading to them, until each choice is made
once; every user has a cap on requests. Links are followed before forms are sent, every kind of
form once before any twice, and forms that take something away last (a large loss, such as a
withdrawal, once per user). Every form is taken from a fresh copy of its page, so it is sent as
the person would see it then. Officers and staff open each link outside their own area but do
not crawl from there: the portal is the visitor's walk.

What counts as a failure: any 5xx; a 404 (the generic "not found") or 405 for a link or form
that the page still shows when loaded again (a link to something the walk just removed is not
one); a redirect to the user's own sign-in page (a form ended the session); a download that does
not open as its type, or that htmx would swap into the page (a boosted link to a file); a CSRF
refusal of a form taken from the page. All failures are collected with the user, the page, the
request (method, URL, fields), the status and the server's error log with its traceback.
Failures today's platform still has are listed, precisely, in KNOWN_FAILURES.

Isolation: the walker sends every form, so it runs on a platform of its own: a copy of the
suite's database as loaded (`<test database>_walker`, the `own_database("walker")` marker) and a
Redis db index of its own, served by an application instance of its own. Nothing the walk
changes reaches the data other tests use. (Redis pub/sub channels are shared across db indexes,
so the two applications hear each other's policy-change announcements; each then merely re-reads
its own database.) Each user
starts in a fresh rate-limit window: each is a different person, at their own address.

Users walk in an order in which nobody is deactivated or reset before their turn, and each finds
work left by the one before: the visitor (questions with attachments for officers); per province
the applicant (applications in several states: registered, one not accepted, one asked for
supplement), the province posts in the order a case travels, the county and city officers, the
city administrator, the province administrator; national staff; the super-administrator; the
visitor again (what was published and answered, files to download). Forms that would end the
walker's own session or lock its account (sign out, sign out everywhere, changing its own
password, an administrator's forms about their own account) are not sent.

Set PHARMREG_WALKER_LOG=<file> to write every request of the walk, what it noticed (raw codes on
pages, forms refused and why) and its failures.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import logging
import os
import re
import time
import traceback
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from litestar.testing.transport import TestClientTransport as ClientTransport  # not a test class
from redis.asyncio import Redis
from sqlalchemy import select

from pharmreg.demo import DEMO_PASSWORD, demo_logins
from pharmreg.identity.models import Applicant, NationalStaff, Officer
from pharmreg.practice import list_practice_units
from pharmreg.qualifications.models import Qualification
from pharmreg.register import person_key
from pharmreg.register.models import RegisterEntry
from pharmreg.settings import Settings
from pharmreg.web import create_app
from pharmreg.wiring import build_resources
from tests.applications.files import pdf
from tests.applications.journeys import REF, officer_act, start, upload
from tests.applications.journeys import fill as fill_draft
from tests.browser import Browser
from tests.conftest import SessionResources
from tests.web.walker import (
    SITE,
    Form,
    Found,
    Node,
    Persona,
    Variant,
    download_problem,
    fill,
    form_request,
    parse_html,
    pattern,
    raw_text,
    read_page,
    same_site,
    with_query,
)

pytestmark = pytest.mark.own_database("walker")

PROVINCES = ("gd", "js")
AFTERWARDS = "anonymous, afterwards"
SAMPLES = 2  # concrete URLs per pattern, and sends per form button, for each user
MOST_SAMPLES = 5  # for a page whose form offers more choices than SAMPLES
MAX_REQUESTS = 250  # per user
# Never sent, with the reason: they end the walker's own session or lock its own account.
NOT_SENT = [
    (re.compile(r"/(logout|logout-everywhere)$"), "signs the walker out"),
    (re.compile(r"^(/p/[a-z]+/office|/national|/account)/password$"), "changes the walker's own password"),
]
# Forms (and choices) that take something away are sent after the others: a small loss (one item)
# before a large one (a whole case, an account, a delegation), so each still finds its object.
SMALL_LOSS = re.compile(r"delete|remove|moderate|/end$")
# A large loss mostly undoes what the walk itself did (a recall, a withdrawal): done once per user,
# it leaves the rest for the next user (an article still awaiting review, a case still open).
LARGE_LOSS = re.compile(r"withdraw|deactivate|revoke|cancel|refuse|not_accept|return|disable|recall")
# The query code a consultation or complaint is given, which its tracking form asks for.
QUERY_CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b")
# The generic answer for an unknown address (web/errors.py), as opposed to a page that says what
# was not found (a search with no match).
NOWHERE = "未找到您要访问的页面或资源"


@dataclass(frozen=True)
class Known:
    """A failure today's platform still has: the request (method, path pattern) and what it gets."""

    method: str
    path: str  # a regular expression the whole path matches
    status: int
    problem: str  # the start of the failure's description
    why: str


# Any other failure fails the test, and so does an entry that no longer happens: the fix removes it.
KNOWN_FAILURES: list[Known] = []


# --------------------------------------------------------------------------- who walks


@dataclass
class User:
    label: str
    realm: str | None  # "officer", "staff", "applicant" or None (anonymous)
    login: str = ""
    slug: str | None = None
    persona: Persona = field(default_factory=lambda: Persona(DEMO_PASSWORD))
    own_id: str | None = None

    @property
    def base(self) -> str:
        if self.realm == "officer":
            return f"/p/{self.slug}/office"
        return {"staff": "/national", "applicant": "/account"}.get(self.realm or "", "")

    @property
    def homes(self) -> tuple[str, ...]:
        if self.realm is None:  # the portals, and the sign-in pages of someone who has their address
            sign_in = ["/account/login", "/national/login"] + [
                f"/p/{slug}/office/login" for slug in PROVINCES
            ]
            return ("/", *(f"/p/{slug}/" for slug in PROVINCES), *sign_in)
        return (f"{self.base}/",)

    def crawls(self, path: str) -> bool:
        """Whether the walk reads a page of this path for more to do (else it only opens it)."""
        return self.realm is None or path == self.base or path.startswith(self.base + "/")


def _walking_officers(platform: SessionResources, slug: str) -> list[tuple[str, str]]:
    """(username, label) of the province's officers walked, in walking order."""
    logins = [login.username for login in demo_logins(platform.directory, platform.index)]
    city = next(u for u in logins if re.fullmatch(rf"{slug}\.\d{{4}}00\.admin", u)).split(".")[1]
    county = next(u for u in logins if re.fullmatch(rf"{slug}\.{city[:4]}\d\d\.accept", u) and city not in u)
    order = [(f"{slug}.{post}", f"{slug} {post}") for post in ("accept", "review", "decide", "cert")]
    order += [(f"{slug}.{post}", f"{slug} {post}") for post in ("publish", "editor", "stats")]
    order.append((county, f"{slug} county accept"))
    order += [(f"{slug}.{city}.{post}", f"{slug} city {post}") for post in ("accept", "review", "decide")]
    order += [(f"{slug}.{city}.admin", f"{slug} city admin"), (f"{slug}.admin", f"{slug} admin")]
    return order


async def _users(platform: SessionResources) -> list[User]:
    """Every user walked, in walking order, with what each would type into forms."""
    today = date.today()
    fresh = today + timedelta(days=400)
    users = []
    people = {}
    async with platform.db.national() as national:
        for slug in PROVINCES:
            # The first demo pharmacist of a province holds a registration and has applied for a change.
            applicant = await national.scalar(
                select(Applicant)
                .join(Qualification, Qualification.id_number == Applicant.id_number)
                .where(Qualification.certificate_no == f"DEMO{slug.upper()}00000")
            )
            assert applicant is not None
            registration = (
                await national.execute(
                    select(RegisterEntry.certificate_no, RegisterEntry.unit_name).where(
                        RegisterEntry.person_key == person_key(applicant.id_type, applicant.id_number)
                    )
                )
            ).one()
            people[slug] = (applicant, registration)
        staff = {s.username: str(s.id) for s in await national.scalars(select(NationalStaff))}
    for slug in PROVINCES:
        tenant = platform.directory.get(slug)
        assert tenant is not None
        async with platform.db.tenant(tenant.schema) as session:
            units = [
                u
                for u in await list_practice_units(session, limit=60)
                if u.status == "active" and u.unit_type.startswith("retail") and u.licence_valid_until > fresh
            ]
            officers = {o.username: str(o.id) for o in await session.scalars(select(Officer))}
        walking = _walking_officers(platform, slug)
        county = next(username for username, label in walking if "county" in label).split(".")[1]
        applicant, (certificate, registered_at) = people[slug]
        elsewhere = [u.uscc for u in units if u.name != registered_at]  # where a change would move to
        users.append(
            User(
                f"{slug} applicant",
                "applicant",
                applicant.mobile,
                slug,
                Persona(
                    DEMO_PASSWORD,
                    name=applicant.name,
                    id_number=applicant.id_number,
                    mobile=applicant.mobile,
                    qualification_no=f"DEMO{slug.upper()}00000",
                    certificate_no=certificate or "",
                    unit_uscc=elsewhere[0],
                    division_code=county,
                    province=slug,
                    today=today,
                ),
                str(applicant.id),
            )
        )
        for username, label in walking:
            # Looking up a pharmacist of the province by name.
            persona = Persona(
                DEMO_PASSWORD,
                unit_uscc=elsewhere[1],
                division_code=county,
                province=slug,
                search=applicant.name,
                today=today,
            )
            users.append(User(label, "officer", username, slug, persona, officers[username]))
    searched = people["gd"][0].name  # national staff look a pharmacist up in every province
    for username, label in (
        ("nmpa.analyst", "national analyst"),
        ("nmpa.admin", "national staff"),
        ("nmpa.root", "superadmin"),
    ):
        users.append(
            User(
                label,
                "staff",
                username,
                None,
                Persona(DEMO_PASSWORD, search=searched, today=today),
                staff[username],
            )
        )
    visitor, (visitor_certificate, _unit) = people["gd"]
    # Someone looking up their own scores and certificate, and asking a question. First, so that
    # officers find the questions asked (with their attachments); again last, when the portal
    # shows what officers published and answered during the walk.
    visitors = [
        User(
            label,
            None,
            persona=Persona(
                DEMO_PASSWORD,
                name=visitor.name,
                id_number=visitor.id_number,
                certificate_no=visitor_certificate or "",
                today=today,
            ),
        )
        for label in ("anonymous", AFTERWARDS)
    ]
    return [visitors[0], *users, visitors[1]]


# --------------------------------------------------------------------------- the walker's own platform


def _own_redis_db(url: str) -> str:
    """A Redis database of the walker's own (the fuzz takes the one below the suite's)."""
    parts = urlsplit(url)
    index = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(index - 2) % 16}").geturl()


class _Portal(httpx.AsyncBaseTransport):
    """Into the application running in the test client's portal; server errors come back as 500s."""

    def __init__(self, client: AsyncTestClient[Litestar]) -> None:
        self._inner = ClientTransport(client=client, raise_server_exceptions=False)  # type: ignore[arg-type]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)


@dataclass
class Site:
    platform: SessionResources
    client: AsyncTestClient[Litestar]
    redis: Redis
    users: list[User]
    others: frozenset[str]  # the provinces not walked
    publishers: dict[str, Browser] = field(default_factory=dict)  # signed in, by login
    spared: frozenset[str] = frozenset()  # ids of accounts no administrator's form may touch

    def http(self) -> httpx.AsyncClient:
        """A browser of its own (cookies) on the walker's application."""
        return httpx.AsyncClient(transport=_Portal(self.client), base_url=SITE)


async def _arrange_applicant(site: Site, user: User) -> None:
    """Applications in several states beside the registration held: the demo's change of
    registration not accepted (closed, with its notice), a new change asked for supplement (open)."""
    slug = user.slug
    assert slug is not None
    async with site.http() as applicant_http, site.http() as officer_http:
        applicant, officer = Browser(applicant_http), Browser(officer_http)
        assert (await applicant.sign_in("/account", user.login)).status_code == 303
        assert (await officer.sign_in(f"/p/{slug}/office", f"{slug}.accept")).status_code == 303
        listing = await applicant.get("/account/applications?tab=done")
        refs = {m.group(2) for m in REF.finditer(listing.text) if m.group(1) == slug}
        assert len(refs) == 1, listing.text[listing.text.find("<main") :][:1500]

        async def act(ref: str, action: str, items: str) -> None:
            case = await officer.get(f"/p/{slug}/office/cases/{ref}")
            for link in re.findall(rf'href="(/p/{slug}/office/cases/{ref}/attachments/\d+)"', case.text):
                await officer.get(link)  # an officer opens the materials before acting on them
            answer = await officer_act(officer, slug, ref, action, items=items, note="经审查")
            assert answer.status_code == 303, answer.text[answer.text.find("<main") :][:1500]

        await act(refs.pop(), "not_accept", "拟执业单位与聘用证明不一致")
        ref = await start(applicant, slug, "change")
        await fill_draft(
            applicant,
            slug,
            ref,
            declaration="yes",
            categories="pharmacy",
            scope="distribution",
            unit_uscc=user.persona.unit_uscc,
        )
        uploaded = await upload(
            applicant, slug, ref, "consent", "聘用证明.pdf", pdf("consent"), "application/pdf"
        )
        assert uploaded.status_code == 200, uploaded.text[:800]
        submitted = await applicant.post(f"/account/applications/{slug}/{ref}/submit", {})
        assert submitted.status_code == 303, submitted.text[submitted.text.find("<main") :][:1500]
        await act(ref, "supplement", "聘用证明需加盖单位公章")


# Who puts files on line for the visitor's second walk: signed in before anyone walks, so that no
# administrator's or security settings' change on the way stops them (their accounts are spared).
PUBLISHERS = [(f"/p/{slug}/office", f"{slug}.publish", f"{slug}.editor") for slug in PROVINCES]
PUBLISHERS.append(("/national", "nmpa.admin", "nmpa.root"))


async def _publish_with_attachment(author: Browser, editor: Browser, desk: str) -> None:
    """An article with a file on line (written, a PDF attached, submitted, approved by a reviewer)."""
    await author.get(f"{desk}/new")
    values = {"category": "notice", "title": "执业药师注册申请表下载", "body": "<p>附件为申请表。</p>"}
    drafted = await author.post(f"{desk}/new", values)
    assert drafted.status_code == 303, drafted.text[:600]
    article = re.search(r"/publishing/(\d+)", drafted.headers["location"])
    assert article is not None
    base = f"{desk}/{article.group(1)}"
    attached = await author.post(
        f"{base}/attachments", {}, files={"file": ("申请表.pdf", pdf("form"), "application/pdf")}
    )
    assert attached.status_code == 303, attached.text[:600]
    assert (await author.post(f"{base}/submit", {})).status_code == 303
    approved = await editor.post(f"{base}/approve", {"note": "同意发布"})
    assert approved.status_code == 303, approved.text[:600]


async def _public_files(site: Site) -> None:
    """What the visitor finds on the portal includes files to download, whatever the officers'
    walks took off line."""
    for base, writer, reviewer in PUBLISHERS:
        await _publish_with_attachment(
            site.publishers[writer], site.publishers[reviewer], f"{base}/publishing"
        )


@pytest.fixture(scope="module")
async def site(settings: Settings, platform: SessionResources) -> AsyncIterator[Site]:
    own = msgspec.structs.replace(
        settings, database_url=platform.copies["walker"], redis_url=_own_redis_db(settings.redis_url)
    )
    redis = Redis.from_url(own.redis_url)
    await redis.flushdb()
    walked = SessionResources(
        resources=build_resources(own, pool_size=4), index=platform.index, directory=platform.directory
    )
    await walked.reload_directory()
    platform = walked
    users = await _users(platform)
    others = frozenset(t.slug for t in platform.directory.provinces(include_disabled=True)) - set(PROVINCES)
    try:
        async with AsyncTestClient(app=create_app(own), base_url=SITE) as client:
            built = Site(platform, client, redis, users, others)
            for user in users:
                if user.realm == "applicant":
                    await _arrange_applicant(built, user)
            async with contextlib.AsyncExitStack() as stack:
                for base, *logins in PUBLISHERS:
                    for login in logins:
                        browser = Browser(await stack.enter_async_context(built.http()))
                        assert (await browser.sign_in(base, login)).status_code == 303
                        built.publishers[login] = browser
                ids = {u.login: u.own_id for u in users}
                built.spared = frozenset(ids[login] for login in built.publishers if ids.get(login))
                yield built
    finally:
        await redis.aclose()
        await platform.resources.close()


# --------------------------------------------------------------------------- one user's walk


class ErrorLog(logging.Handler):
    """The server's error log lines, with the project's frames of their tracebacks."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        event = record.msg if isinstance(record.msg, dict) else {"event": record.getMessage()}
        text = " ".join(f"{k}={v}" for k, v in event.items() if k not in ("exc_info", "timestamp", "level"))
        error = event.get("exc_info") or (record.exc_info[1] if record.exc_info else None)
        if isinstance(error, BaseException):
            frames = traceback.extract_tb(error.__traceback__)
            ours = [f for f in frames if "/src/pharmreg/" in f.filename] or frames[-3:]
            for frame in ours:
                where = frame.filename.split("/src/", 1)[-1]
                text += f"\n  {where}:{frame.lineno} in {frame.name}: {(frame.line or '').strip()}"
            text += f"\n  {type(error).__name__}: {str(error)[:300]}"
        self.lines.append(f"{record.name}: {text}")


@dataclass
class Failure:
    user: str
    page: str
    request: str
    status: int
    problem: str
    method: str  # of the request that answered badly
    path: str
    log: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        out = f"[{self.user}] on {self.page}\n  {self.request}\n  -> {self.status}: {self.problem}"
        return out + "".join("\n    " + line.replace("\n", "\n    ") for line in self.log)


Origin = tuple[str, str, dict[str, str]]  # (method, URL, headers) that load a page again


@dataclass(order=True)
class Todo:
    priority: int
    seq: int
    found: Found = field(compare=False)
    page: str = field(compare=False)  # the page it is on
    origin: Origin | None = field(compare=False)  # how that page was loaded
    loaded_at: int = field(compare=False)  # how many changes the walk had sent by then


@dataclass
class Answer:
    response: httpx.Response
    url: str  # after redirects
    hops: list[tuple[str, str, int]]  # (method, URL, status) of every request it took

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def html(self) -> bool:
        return "text/html" in self.response.headers.get("content-type", "")


class Walk:
    """One user's walk: links first, then forms (those that take something away last)."""

    def __init__(self, site: Site, user: User, log: ErrorLog, trace: list[str]) -> None:
        self.site, self.user, self.log, self.trace = site, user, log, trace
        self.http = site.http()
        self.queue: list[Todo] = []
        self.seq = itertools.count()
        self.queued: set[object] = set()
        self.used: Counter[tuple[str, ...]] = Counter()
        # Pages of a pattern whose form offers more choices than SAMPLES are sampled more, and so
        # are the pages that lead to them; links skipped at the limit wait in reserve for that.
        self.limit: dict[str, int] = {}
        self.parent: dict[str, str] = {}
        self.reserve: dict[str, list[Todo]] = {}
        self.requests = 0
        self.changes = 0
        self.failures: list[Failure] = []
        self.notes: list[str] = []
        self.left: Counter[str] = Counter()
        self.signed_out = False

    # -- requests

    async def _send(self, method: str, url: str, headers: dict[str, str], fields, files) -> httpx.Response:
        self.requests += 1
        if method != "GET":
            self.changes += 1
        started = time.perf_counter()
        if method == "GET":
            response = await self.http.get(with_query(url, fields or []), headers=headers)
        else:
            data: dict[str, list[str]] = {}
            for key, value in fields or []:
                data.setdefault(key, []).append(value)
            response = await self.http.request(method, url, headers=headers, data=data, files=files or None)
        took = (time.perf_counter() - started) * 1000
        self.trace.append(f"{self.user.label}\t{method}\t{url}\t{response.status_code}\t{took:.0f} ms")
        if "text/html" in response.headers.get("content-type", ""):
            given = QUERY_CODE.search(response.text)
            if given and method == "POST":
                self.user.persona.query_code = given.group(0)
        return response

    async def request(
        self, method: str, url: str, headers: dict[str, str], fields=None, files=None
    ) -> Answer:
        """Send as the browser would, following redirects and htmx's HX-Redirect / HX-Location."""
        response = await self._send(method, url, headers, fields, files)
        hops = [(method, url, response.status_code)]
        current = url
        for _ in range(6):
            location = response.headers.get("location")
            if response.status_code in (301, 302, 303, 307, 308) and location:
                target = same_site(urljoin(SITE + current, location))
                if target is None:
                    break
                if response.status_code in (301, 302, 303):
                    method, fields, files = "GET", None, None
                    headers = {k: v for k, v in headers.items() if k != "Origin"}
                # XMLHttpRequest follows a redirect with the same headers.
                response = await self._send(method, target, headers, fields, files)
            elif response.headers.get("hx-redirect"):  # htmx navigates the whole page
                method, headers = "GET", {}
                target = same_site(urljoin(SITE + current, response.headers["hx-redirect"])) or current
                response = await self._send(method, target, headers, None, None)
            elif response.headers.get("hx-location"):
                raw = response.headers["hx-location"]
                path = msgspec.json.decode(raw)["path"] if raw.startswith("{") else raw
                method, target = "GET", same_site(urljoin(SITE + current, path)) or current
                response = await self._send(method, target, headers, None, None)
            elif response.headers.get("hx-refresh") == "true":
                method, headers, target = "GET", {}, current
                response = await self._send(method, target, headers, None, None)
            else:
                break
            current = target
            hops.append((method, current, response.status_code))
        return Answer(response, current, hops)

    async def sign_in(self) -> bool:
        if self.user.realm is None:
            return True
        browser = Browser(self.http)
        response = await browser.sign_in(self.user.base, self.user.login, DEMO_PASSWORD)
        self.requests += 2
        return response.status_code == 303 and "/login" not in response.headers.get("location", "")

    # -- what the pages offer

    def pattern(self, url: str) -> str:
        return pattern(url, self.site.others)

    def key(self, found: Found, variant: Variant | None = None) -> tuple[str, ...]:
        method, url = (
            found.method,
            with_query(found.url, found.values) if found.method == "GET" else found.url,
        )
        if found.form is not None:
            method, url = form_request(found.form, variant or Variant())
        return (method, self.pattern(url), found.mode, str(variant or ""))

    def discover(self, answer: Answer, page: str, origin: Origin | None, parent: str | None = None) -> None:
        """Queue what the page (or fragment) offers; `origin` loads it again, None if it cannot be."""
        if not answer.html or answer.status >= 400:
            return
        root = parse_html(answer.response.text)
        for text in raw_text(root):
            self.notes.append(f"{page}: shows {text!r}")
        if not self.user.crawls(page.split("?", 1)[0]):
            return
        here = self.pattern(page)
        if parent is not None and parent != here:
            self.parent.setdefault(here, parent)
        offered = read_page(page, root)
        choices = max((len(f.form.variants()) for f in offered if f.form and f.method == "POST"), default=0)
        if choices > SAMPLES:  # sample enough pages like this one for every choice to be made once
            self.raise_limit(here, min(MOST_SAMPLES, choices), set())
        for found in offered:
            self.enqueue(found, page, origin)

    def raise_limit(self, here: str, limit: int, seen: set[str]) -> None:
        if here in seen or self.limit.get(here, SAMPLES) >= limit:
            return
        seen.add(here)
        self.limit[here] = limit
        for todo in self.reserve.pop(here, []):
            heapq.heappush(self.queue, todo)
        if here in self.parent:
            self.raise_limit(self.parent[here], limit, seen)

    def enqueue(self, found: Found, page: str, origin: Origin | None) -> None:
        identity: object = (found.method, with_query(found.url, found.values), found.mode)
        if found.form is not None:
            identity = found.form.identity()
        path = found.url.split("?", 1)[0]
        if identity in self.queued or (
            found.method != "GET" and any(regex.search(path) for regex, _why in NOT_SENT)
        ):
            return
        self.queued.add(identity)
        if found.method == "GET":
            priority = 0
        elif origin is None:  # the next step of what was just sent (a code to confirm): now
            priority = 1
        else:
            priority = 4 if LARGE_LOSS.search(found.url) else 3 if SMALL_LOSS.search(found.url) else 2
        heapq.heappush(self.queue, Todo(priority, next(self.seq), found, page, origin, self.changes))

    def allowed(self, key: tuple[str, ...]) -> int:
        return self.limit.get(key[1], SAMPLES) if key[0] == "GET" else SAMPLES

    # -- walking

    async def walk(self) -> None:
        if not await self.sign_in():
            self.fail("-", f"sign in as {self.user.login}", 0, "the demo account cannot sign in", "POST", "")
            return
        for home in self.user.homes:
            answer = await self.request("GET", home, {})
            self.judge(answer, home, f"GET {home} (home page)", None)
            self.discover(answer, answer.url, ("GET", answer.url, {}))
        while self.queue and self.requests < MAX_REQUESTS:
            if self.signed_out:  # reported; sign in again to go on
                self.signed_out = not await self.sign_in()
                if self.signed_out:
                    return
            todo = heapq.heappop(self.queue)
            if todo.found.form is not None and self.sent(todo) and self.unsent_waiting(todo):
                # Every kind of form once before any twice: a reply does not take the place of a
                # transfer of the next item.
                todo.seq = next(self.seq)
                heapq.heappush(self.queue, todo)
                continue
            if todo.found.form is not None:
                await self.submit(todo)
            else:
                await self.follow(todo)
        for todo in self.queue:
            key = self.key(todo.found)
            if self.used[key] < self.allowed(key):
                self.left[key[1]] += 1
        await self.http.aclose()

    def sent(self, todo: Todo) -> bool:
        """Whether a form like this one (same address pattern) was sent already by this user."""
        assert todo.found.form is not None
        return any(self.used[self.key(todo.found, v)] for v in todo.found.form.variants())

    def unsent_waiting(self, todo: Todo) -> bool:
        return any(
            t.priority == todo.priority and t.found.form is not None and not self.sent(t) for t in self.queue
        )

    async def follow(self, todo: Todo) -> None:
        found = todo.found
        key = self.key(found)
        if self.used[key] >= self.allowed(key):
            self.reserve.setdefault(key[1], []).append(todo)
            return
        self.used[key] += 1
        headers = found.headers | {"Referer": SITE + todo.page}
        if found.method != "GET":
            headers["Origin"] = SITE
        answer = await self.request(found.method, found.url, headers, found.values)
        if self.leads_nowhere(answer) and todo.loaded_at != self.changes:
            # The page was loaded before the walk's last change: is the link still on it?
            if not await self.still_offered(todo):
                return
            answer = await self.request(found.method, found.url, headers, found.values)
        self.judge(answer, todo.page, self.describe(found, found.method, found.url, found.values), found)
        self.discover_after(answer, todo, found.method, found.url, found.values)

    def discover_after(self, answer: Answer, todo: Todo, method: str, url: str, fields) -> None:
        found = todo.found
        parent = self.pattern(todo.page)
        if found.mode == "htmx" and len(answer.hops) == 1:  # a fragment swapped into the page
            # Loaded again by the same request when it reads (GET); after a change, the fresh
            # page it was swapped into shows the same (a list with the item just added).
            origin = ("GET", with_query(url, fields or []), found.headers) if method == "GET" else todo.origin
            self.discover(answer, todo.page, origin, parent)
        elif method != "GET" and len(answer.hops) == 1:  # a page only this answer shows
            self.discover(answer, answer.url, None, parent)
        else:
            headers = found.headers if found.mode != "page" else {}
            self.discover(answer, answer.url, ("GET", answer.url, headers), parent)

    async def reload(self, todo: Todo) -> list[Found] | None:
        """What the page offers now (None when it cannot be loaded again as it was)."""
        if todo.origin is None:
            return None
        method, url, headers = todo.origin
        answer = await self.request(method, url, headers)
        if answer.status != 200 or not answer.html:
            return None
        return read_page(todo.page, parse_html(answer.response.text))

    async def still_offered(self, todo: Todo) -> bool:
        if todo.origin is None:
            return True
        return any(self.same(todo.found, f) for f in await self.reload(todo) or [])

    @staticmethod
    def same(a: Found, b: Found) -> bool:
        if a.form is not None or b.form is not None:
            return a.form is not None and b.form is not None and a.form.identity() == b.form.identity()
        return (a.method, a.url, a.mode, a.values) == (b.method, b.url, b.mode, b.values)

    def loss(self, variant: Variant) -> int:
        return 2 if LARGE_LOSS.search(str(variant)) else 1 if SMALL_LOSS.search(str(variant)) else 0

    async def submit(self, todo: Todo) -> None:
        """Send a form once per choice it offers (from a fresh copy of the page each time), each
        choice up to SAMPLES times per user; refused, send it again with every field filled in."""
        found = todo.found
        assert found.form is not None
        form = found.form
        stale = todo.loaded_at != self.changes
        tried: set[str] = set()
        for _ in range(MOST_SAMPLES):
            if not [v for v in form.variants() if self.open(found, form, v, tried)]:
                return
            if stale and todo.origin is None and tried:
                return  # a page only an answer showed: its form is sent once
            if stale and todo.origin is not None:
                fresh = await self.reload(todo)
                match = next((f for f in fresh or [] if self.same(found, f)), None)
                if match is None or match.form is None:
                    return  # gone from the page: what it acted on has changed
                form = match.form
            choices = [v for v in form.variants() if self.open(found, form, v, tried)]
            if not choices:
                return
            variant = min(choices, key=lambda v: (self.used[self.key(found, v)], self.loss(v)))
            tried.add(variant.ident())
            self.used[self.key(found, variant)] += 1
            method, url = form_request(form, variant)
            spared = {self.user.own_id, *self.site.spared} - {None}
            if "/admin/" in url and any(str(account) in url for account in spared):
                # An administrator's own account (deactivating or resetting it ends the walk), or
                # one the walk needs later.
                return
            for thorough in (False, True):
                fields, files = fill(
                    form, variant, self.user.persona, await self.captchas(form), thorough=thorough
                )
                sent_from = {"Referer": SITE + todo.page} | ({"Origin": SITE} if method != "GET" else {})
                answer = await self.request(
                    method, url, form.headers | sent_from, fields, files if method == "POST" else None
                )
                self.judge(answer, todo.page, self.describe(found, method, url, fields, files), found)
                said = _messages(parse_html(answer.response.text)) if answer.html and method == "POST" else ""
                refused = 400 <= answer.status < 500 or (answer.status == 200 and said)
                if refused:
                    self.notes.append(
                        f"{todo.page}: {method} {url} {'(all fields) ' if thorough else ''}answers "
                        f"{answer.status}: {said or '(no message)'}"
                    )
                if not refused or answer.status >= 500 or thorough or method != "POST":
                    break
                fresh = await self.reload(todo) if todo.origin else None
                match = next((f for f in fresh or [] if self.same(found, f)), None)
                if match is None or match.form is None:
                    break
                form = match.form  # a fresh copy: new CSRF token, new captcha
            self.discover_after(answer, todo, method, url, fields)
            stale = True

    def open(self, found: Found, form: Form, variant: Variant, tried: set[str]) -> bool:
        """Whether this choice of the form is still to be made by this user."""
        _method, url = form_request(form, variant)
        samples = 1 if LARGE_LOSS.search(url) or LARGE_LOSS.search(str(variant)) else SAMPLES
        return variant.ident() not in tried and self.used[self.key(found, variant)] < samples

    async def captchas(self, form) -> dict[str, str]:
        """The digits of each captcha picture on the form, as a person reads them."""
        answers = {}
        for control in form.controls:
            if control.name == "captcha_token" and control.value:
                value = await self.site.redis.get(f"pharmreg:captcha:{control.value}")
                if value is not None:
                    answers[control.value] = value.decode()
        return answers

    # -- judging

    def describe(self, found: Found, method: str, url: str, fields, files=None) -> str:
        shown = [f"{k}={v[:40]}" for k, v in fields or [] if k != "_csrf_token"]
        shown += [f"{k}=<{f[0]}>" for k, f in files or []]
        what = f"{found.mode} {found.kind} {found.label!r}"
        return f"{method} {url} ({what}{'; ' + ', '.join(shown) if shown else ''})"

    def fail(
        self, page: str, request: str, status: int, problem: str, method: str, path: str, log=()
    ) -> None:
        failure = Failure(
            self.user.label, page, request, status, problem, method, path.split("?", 1)[0], list(log)
        )
        self.failures.append(failure)

    @staticmethod
    def leads_nowhere(answer: Answer) -> bool:
        return answer.status == 405 or (answer.status in (404, 410) and NOWHERE in answer.response.text)

    def judge(self, answer: Answer, page: str, described: str, found: Found | None) -> None:
        log, self.log.lines[:] = self.log.lines[:], []
        method, url, status = answer.hops[-1]
        if len(answer.hops) > 1:
            described += "\n  via " + " -> ".join(f"{m} {u} {s}" for m, u, s in answer.hops)
        response = answer.response

        def fail(problem: str) -> None:
            self.fail(page, described, status, problem, method, url, log)

        if status >= 500:
            fail("server error")
        elif self.leads_nowhere(answer):
            fail("a link or form on the page leads nowhere")
        elif status == 403 and "页面已过期" in response.text:
            fail("the CSRF check refused a form taken from the page")
        elif status in (401, 403):
            self.notes.append(f"{page}: {described} answers {status}: offered to someone who may not use it")
        if self.user.realm is not None and any(
            u.split("?", 1)[0] == f"{self.user.base}/login" for _m, u, _s in answer.hops[1:]
        ):
            fail("the walk was sent to its own sign-in page: the form ended its session")
            self.signed_out = True
        if status != 200 or found is None:
            pass
        elif not answer.html:
            problem = download_problem(
                response.headers.get("content-type", ""),
                response.headers.get("content-disposition", ""),
                response.content,
            )
            if problem:
                fail(f"the download is {problem}")
            elif found.mode != "page" and len(answer.hops) == 1:
                fail(
                    f"htmx would swap this {response.headers.get('content-type')} file into the page "
                    '(the link needs hx-boost="false")'
                )
        elif found.mode == "boosted" and len(answer.hops) == 1 and "<body" not in response.text:
            fail("a boosted link or form answered with a fragment: the page would lose its layout")


def _messages(root: Node) -> str:
    """The error messages a page shows (alerts and field errors)."""
    said = []
    for node in root.iter():
        classes = (node.get("class") or "").split()
        if "field-error" in classes or "alert-error" in classes or node.get("role") == "alert":
            said.append(" ".join(node.text().split()))
    return "；".join(dict.fromkeys(s for s in said if s))


def _known(failure: Failure) -> int | None:
    for index, known in enumerate(KNOWN_FAILURES):
        if (
            (known.method, known.status) == (failure.method, failure.status)
            and failure.problem.startswith(known.problem)
            and re.fullmatch(known.path, failure.path)
        ):
            return index
    return None


async def _fresh_window(redis: Redis) -> None:
    """Each user comes from their own address: rate limits and the address brake start afresh."""
    keys = [key async for key in redis.scan_iter("pharmreg:rate:*")]
    keys += [key async for key in redis.scan_iter("pharmreg:signin:addr:*")]
    if keys:
        await redis.delete(*keys)


def _write_log(
    destination: str, summary: list[str], trace: list[str], notes: list[str], failures: list[Failure]
) -> None:
    with open(destination, "w", encoding="utf-8") as out:
        out.write("\n".join(summary) + "\n\nREQUESTS\n" + "\n".join(trace))
        out.write("\n\nNOTES\n" + "\n".join(dict.fromkeys(notes)))
        out.write("\n\nFAILURES\n" + "\n\n".join(str(f) for f in failures) + "\n")


async def test_every_link_and_form_as_every_user(site: Site) -> None:
    log = ErrorLog()
    logging.getLogger().addHandler(log)
    trace: list[str] = []
    failures: list[Failure] = []
    notes: list[str] = []
    happened: set[int] = set()
    summary = []
    try:
        for user in site.users:
            await _fresh_window(site.redis)
            if user.label == AFTERWARDS:
                await _public_files(site)
            walk = Walk(site, user, log, trace)
            await walk.walk()
            await site.platform.relay().pass_once()  # as the worker would, between two people's visits
            for failure in walk.failures:
                known = _known(failure)
                if known is None:
                    failures.append(failure)
                else:
                    happened.add(known)
            notes += [f"[{user.label}] {note}" for note in walk.notes]
            left = f", {sum(walk.left.values())} left at the cap" if walk.left else ""
            summary.append(f"{user.label}: {walk.requests} requests, {len(walk.used)} patterns{left}")
    finally:
        logging.getLogger().removeHandler(log)
        destination = os.environ.get("PHARMREG_WALKER_LOG")
        if destination:
            _write_log(destination, summary, trace, notes, failures)
    report = "\n\n".join(str(f) for f in failures)
    assert not failures, f"{len(failures)} failures in {len(trace)} requests:\n\n{report}"
    gone = [KNOWN_FAILURES[i] for i in range(len(KNOWN_FAILURES)) if i not in happened]
    assert not gone, "known failures that no longer happen, remove them from KNOWN_FAILURES: " + "; ".join(
        f"{k.method} {k.path} {k.status}" for k in gone
    )
    assert len(trace) > 1000, "the walk reached too little of the site"
