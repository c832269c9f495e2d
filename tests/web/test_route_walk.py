"""Every route, walked by every kind of user of two provinces, with the outcome each must get.

The routes come from the application itself, so a new route is walked as soon as it exists,
and one that no rule below classifies fails the test until someone decides who may use it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest

from pharmreg.kit.codes import resident_id_check_char
from tests.browser import without_volatile
from tests.people import make_officer
from tests.pharmacists import Pharmacist, register_account

PASSWORD = "Pharmreg#2026"
SKIPPED_METHODS = {"OPTIONS", "HEAD"}
# Routes that end the walker's session: walked last, once per user.
SIGN_OUT = re.compile(r"/(logout|logout-everywhere)$")


@dataclass(frozen=True)
class User:
    label: str
    realm: str | None  # "officer", "staff", "applicant" or None (anonymous)
    slug: str | None = None  # the officer's province
    login: str = ""
    permissions: frozenset[str] = frozenset()
    at_province: bool = False
    superadmin: bool = False


ADMIN_PERMISSIONS = frozenset(
    {
        "manage_users",
        "manage_units",
        "manage_authority",
        "manage_security",
        "read_audit",
        "read_messages",
        "manage_processes",
        "manage_practice_units",
        "moderate_forum",
        "handle_disputes",
        "verify_risk",
    }
)
USERS = [
    User("anonymous", None),
    User("applicant", "applicant", login="13900007788"),
    User("national staff", "staff", login="nmpa.admin"),
    User("superadmin", "staff", login="nmpa.root", superadmin=True),
]
for slug, city in (("gd", "440100"), ("js", "320100")):
    USERS += [
        User(
            f"{slug} clerk",
            "officer",
            slug,
            f"{slug}.accept",
            frozenset({"handle_tasks", "manage_practice_units"}),
            True,
        ),
        User(f"{slug} admin", "officer", slug, f"{slug}.admin", ADMIN_PERMISSIONS, True),
        User(f"{slug} city admin", "officer", slug, f"{slug}.{city}.admin", ADMIN_PERMISSIONS, False),
    ]

# Officer routes by what they need: (path pattern, permission or None, province bureau only).
OFFICE_PUBLIC = re.compile(r"^/p/\{slug\}/office/(login|login/totp|logout|reset|reset/confirm)$")
OFFICE_RULES = [
    (re.compile(r"^/p/\{slug\}/office/admin/users"), "manage_users", False),
    (re.compile(r"^/p/\{slug\}/office/admin/units"), "manage_units", False),
    (re.compile(r"^/p/\{slug\}/office/admin/contacts"), "manage_units", False),
    (re.compile(r"^/p/\{slug\}/office/admin/sites"), "manage_units", True),
    (re.compile(r"^/p/\{slug\}/office/admin/authority"), "manage_authority", False),
    (re.compile(r"^/p/\{slug\}/office/admin/security"), "manage_security", True),
    (re.compile(r"^/p/\{slug\}/office/admin/audit$"), "read_audit", True),
    (re.compile(r"^/p/\{slug\}/office/admin/messages$"), "read_messages", True),
    (re.compile(r"^/p/\{slug\}/office/admin/(processes|registration|guides)"), "manage_processes", True),
    (re.compile(r"^/p/\{slug\}/office/practice-units"), "manage_practice_units", False),
    (re.compile(r"^/p/\{slug\}/office/register"), "handle_tasks", False),
    # The deadline view needs a post that acts on cases (or supervision, which no walker holds).
    (re.compile(r"^/p/\{slug\}/office/deadlines$"), "handle_tasks", False),
    (re.compile(r"^/p/\{slug\}/office/disputes"), "handle_disputes", True),
    # verify_risk or supervise_cases (the decision post, which no walker holds).
    (re.compile(r"^/p/\{slug\}/office/risk"), "verify_risk", True),
    # read_statistics or manage_users (administrators see their bureau's territory).
    (re.compile(r"^/p/\{slug\}/office/statistics"), "manage_users", False),
    # publish_content or review_content: none of the walkers holds either.
    (re.compile(r"^/p/\{slug\}/office/publishing"), "publish_content", False),
    # Any of handle_consultations / handle_complaints; none of the walking users holds either.
    (re.compile(r"^/p/\{slug\}/office/(consultations|faq)"), "handle_consultations", False),
    (
        re.compile(
            r"^/p/\{slug\}/office/forum/(boards|boards/\{board_id\}/edit|(threads/\{thread_id\}|posts/\{post_id\})/moderate)$"
        ),
        "moderate_forum",
        True,
    ),
    (
        re.compile(
            r"^/p/\{slug\}/office(/account.*|/tasks/.*|/cases/.*|/address-book|/messages.*|/forum.*|/password|/totp|/logout-everywhere|)$"
        ),
        None,
        False,
    ),
]
# What only super-administrators do in pages other national staff read.
NATIONAL_SUPERADMIN = re.compile(r"^/national/supervision/risk/(\{flag_id\}/send|rules/\{rule\})$")
NATIONAL_PUBLIC = re.compile(r"^/national/(login|login/totp|logout|reset|reset/confirm)$")
ACCOUNT_PUBLIC = re.compile(
    r"^/account/(login|logout|register|register/(resend|back|confirm)|reset|reset/confirm"
    r"|disputes/(new|resend|back|confirm|file|track))$"
)
PUBLIC = re.compile(
    r"^(/|/health|/ready|/divisions/search|/p/\{slug\}|/p/\{slug\}/divisions/\{code\}|/api/.*|/static/.*"
    r"|/guides.*|/verify.*|/p/\{slug\}/results|/results|/region|/contacts|/query/scores"
    r"|/articles.*|/p/\{slug\}/articles.*"
    r"|/faq|/qa|/consult/(new|track|divisions)|/complaints/new)$"
)


def need(template: str) -> tuple[str | None, str | None, bool, bool]:
    """(realm, permission, province only, superadmin only) a route requires; raises if unknown."""
    if template.startswith("/p/{slug}/office"):
        if OFFICE_PUBLIC.match(template):
            return None, None, False, False
        for pattern, permission, province_only in OFFICE_RULES:
            if pattern.match(template):
                return "officer", permission, province_only, False
    elif template.startswith("/national"):
        if NATIONAL_PUBLIC.match(template):
            return None, None, False, False
        superadmin = (
            template.startswith("/national/admin")
            or template == "/national/messages"
            or bool(NATIONAL_SUPERADMIN.match(template))
        )
        return "staff", None, False, superadmin
    elif template.startswith("/account"):
        if ACCOUNT_PUBLIC.match(template):
            return None, None, False, False
        return "applicant", None, False, False
    elif PUBLIC.match(template):
        return None, None, False, False
    raise AssertionError(f"unclassified route {template}: decide who may use it")


# Sign-in steps and sign-out send the visitor to a sign-in page by design.
TO_SIGN_IN = re.compile(r"/(login/totp|logout|logout-everywhere)$")


def expected(user: User, template: str, slug: str | None) -> set[str]:
    outcomes = {"ok", "sign in"} if TO_SIGN_IN.search(template) else set()
    return outcomes | {_expected(user, template, slug)}


def _expected(user: User, template: str, slug: str | None) -> str:
    realm, permission, province_only, superadmin = need(template)
    if realm is None:
        return "ok"
    if user.realm != realm or (realm == "officer" and user.slug != slug):
        return "sign in"
    if superadmin and not user.superadmin:
        return "forbidden"
    if permission is not None and permission not in user.permissions:
        return "forbidden"
    if province_only and not user.at_province:
        return "forbidden"
    return "ok"


def outcome(response) -> str:
    if response.status_code >= 500:
        return f"server error {response.status_code}"
    if response.status_code in (303, 302) and re.search(
        r"/(login|office/login)(\?|$)", response.headers.get("location", "")
    ):
        return "sign in"
    if response.status_code == 401:
        return "sign in"
    if response.status_code == 403:
        return "forbidden"
    return "ok"


def routes(app) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        template = re.sub(r"\{(\w+):[^}]+\}", r"{\1}", route.path)
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method not in SKIPPED_METHODS:
                    found.append((method, template))
    return sorted(set(found), key=lambda r: (bool(SIGN_OUT.search(r[1])), r[1], r[0]))


def fill(template: str, slug: str, *, officer_id: uuid.UUID) -> str:
    """A concrete path: unknown numeric ids (nothing is changed), the given officer id."""
    values = {
        "slug": slug,
        "code": "440100" if slug == "gd" else "320100",
        "file_path": "css/site.css",
        "path": "swagger",
        "tenant_slug": slug,
        "officer_id": str(officer_id),
        "staff_id": str(uuid.uuid4()),
        "task_id": "987654",
        "unit_id": "987654",
        "message_id": "987654",
        "delegation_id": "987654",
        "action": "grant",
        "ref": "9876543210",
        "attachment_id": "987654",
        "article_id": "987654",
        "entry_id": "987654",
        "notice_id": "987654",
        "registration_id": "987654",
        "matter": "first_registration",
        "name": "consent",
        "certificate_no": "0000000000",
        "board_id": "987654",
        "thread_id": "987654",
        "post_id": "987654",
        "item_id": "987654",
        "dispute_id": "987654",
        "document_id": "987654",
        "export_id": str(uuid.uuid4()),
        "flag_id": "987654",
        "rule": "frequent_changes",
        "query_id": "987654",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], template)


def _id_number() -> str:
    first17 = "11010119900307001"
    return first17 + resident_id_check_char(first17)


@pytest.fixture
async def signed_in(new_browser, platform):
    """A browser per user, signed in (the applicant registers first)."""
    browsers = {}
    for user in USERS:
        browser = new_browser()
        if user.realm == "officer":
            response = await browser.sign_in(f"/p/{user.slug}/office", user.login, PASSWORD)
        elif user.realm == "staff":
            response = await browser.sign_in("/national", user.login, PASSWORD)
        elif user.realm == "applicant":
            response = await browser.sign_in("/account", user.login, PASSWORD)
            if response.status_code == 303:  # registered by an earlier test
                browsers[user] = browser
                continue
            person = Pharmacist("路过者", _id_number(), user.login, "")
            response = await register_account(platform, browser, person, PASSWORD)
        else:
            await browser.get("/")
            response = None
        assert response is None or response.status_code == 303, (user.label, response.text[:500])
        browsers[user] = browser
    return browsers


async def test_every_route_for_every_user(app, signed_in, platform) -> None:
    stranger = await make_officer(platform, "js", "js.walk.target")  # an object of the other province
    failures = []
    walked = 0
    for user, browser in signed_in.items():
        for method, template in routes(app):
            slugs = ("gd", "js") if "{slug}" in template or "{tenant_slug}" in template else ("gd",)
            for slug in slugs:
                path = fill(template, slug, officer_id=stranger.id if slug == "gd" else uuid.uuid4())
                if method == "GET":
                    response = await browser.get(path)
                else:
                    response = await browser.post(path, {})
                walked += 1
                got, want = outcome(response), expected(user, template, slug)
                if got not in want:
                    failures.append(f"{user.label:>16} {method:4} {path}: {got}, expected {sorted(want)}")
    assert not failures, f"{len(failures)} of {walked} requests:\n" + "\n".join(failures)
    assert walked > 500


OBJECT_ROUTES = [
    ("GET", "/p/gd/office/admin/users/{id}"),
    ("POST", "/p/gd/office/admin/users/{id}/grant"),
    ("POST", "/p/gd/office/admin/users/{id}/deactivate"),
    ("POST", "/p/gd/office/admin/users/{id}/password"),
]


@pytest.mark.parametrize(("method", "template"), OBJECT_ROUTES)
async def test_another_provinces_object_answers_like_a_missing_one(
    platform, signed_in, method, template
) -> None:
    stranger = await make_officer(platform, "js", f"js.object.{uuid.uuid4().hex[:6]}")
    admin = next(b for u, b in signed_in.items() if u.label == "gd admin")

    async def call(officer_id):
        path = template.format(id=officer_id)
        data = {"position": "decision", "password": "Hijack#Pass2026"}
        response = await (admin.get(path) if method == "GET" else admin.post(path, data, htmx=True))
        return response.status_code, without_volatile(response)

    other, missing = await call(stranger.id), await call(uuid.uuid4())
    assert other[0] == 404
    assert other == missing
