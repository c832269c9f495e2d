"""The link and form walker reads pages as a browser running htmx does, and fills forms in as a
person would: its parts, checked on small pages without a server."""

from __future__ import annotations

from datetime import date

from tests.applications.files import pdf, png
from tests.web.walker import (
    Persona,
    Variant,
    download_problem,
    fill,
    parse_html,
    pattern,
    raw_text,
    read_page,
)

PAGE = """<!doctype html><html><body hx-boost="true" hx-headers='{"x-csrf-token": "t0k"}'>
<nav><a href="/account/">我的</a> <a href="https://www.nmpa.gov.cn/">国家局</a> <a href="#main">跳到</a></nav>
<a href="/p/gd/articles/3/files/1">申请表.pdf</a>
<a href="/account/registrations/gd/1/certificate" hx-boost="false" download>下载</a>
<a href="/p/gd/office/messages/" hx-get="/p/gd/office/messages/unread" hx-trigger="load">消息</a>
<div id="dialog"></div>
<button hx-get="/p/gd/office/admin/authority/cell?unit=2&amp;matter=change" hx-target="#dialog">▸</button>
<form method="get" action="/contacts?x=1"><input name="q"><select name="region">
  <option value="">请选择</option><option value="bj">北京</option>
  <option value="gd">广东</option></select></form>
<form method="post" action="/p/gd/office/cases/4420261207000001/act">
  <input type="hidden" name="_csrf_token" value="abc"><input type="hidden" name="version" value="3">
  <label><input type="radio" name="action" value="accept" required>受理</label>
  <label><input type="radio" name="action" value="supplement" required>补正</label>
  <textarea name="items"></textarea>
  <select name="target"><option value="">—</option><option value="review">审核</option></select>
  <input type="checkbox" name="declaration" value="yes">
  <button type="submit">确认办理</button>
</form>
<form hx-post="/account/applications/gd/1/attachments" hx-encoding="multipart/form-data"
      hx-target="#attachments" method="post" action="/account/applications/gd/1/attachments">
  <input type="file" name="file" accept="image/png,image/jpeg" required>
  <input name="mobile" required>
</form>
<form method="post" action="/p/gd/office/publishing/4/approve">
  <button type="submit">审核通过</button>
  <button type="submit" formaction="/p/gd/office/publishing/4/reject">退回修改</button>
</form>
</body></html>"""


def _offered(page: str = PAGE, at: str = "/p/gd/office/cases/4420261207000001"):
    return read_page(at, parse_html(page))


def test_links_are_sent_as_htmx_sends_them() -> None:
    links = {f.url: f for f in _offered() if f.kind == "link"}
    assert "https://www.nmpa.gov.cn/" not in links and "#main" not in str(links)  # other sites, anchors
    boosted = links["/p/gd/articles/3/files/1"]
    assert boosted.mode == "boosted"
    assert boosted.headers["HX-Request"] == boosted.headers["HX-Boosted"] == "true"
    assert boosted.headers["x-csrf-token"] == "t0k"
    plain = links["/account/registrations/gd/1/certificate"]
    assert (plain.mode, plain.headers, plain.download) == ("page", {}, True)
    # An anchor with its own hx-get: htmx sends that; without scripts the href is a plain page.
    assert links["/p/gd/office/messages/"].mode == "page"


def test_htmx_triggers_carry_target_and_csrf_header() -> None:
    requests = {f.url: f for f in _offered() if f.kind == "htmx"}
    unread = requests["/p/gd/office/messages/unread"]
    assert unread.method == "GET" and unread.headers["x-csrf-token"] == "t0k"
    cell = requests["/p/gd/office/admin/authority/cell?unit=2&matter=change"]
    assert cell.headers["HX-Target"] == "dialog"
    assert cell.headers["HX-Current-URL"].endswith("/p/gd/office/cases/4420261207000001")


def test_every_choice_a_form_leaves_open_is_a_way_to_send_it() -> None:
    forms = [f.form for f in _offered() if f.form is not None]
    act = next(f for f in forms if f.action.endswith("/act"))
    assert [str(v) for v in act.variants()] == ["action=accept", "action=supplement"]
    review = next(f for f in forms if f.action.endswith("/approve"))
    assert [v.submitter.action for v in review.variants() if v.submitter] == [
        None,
        "/p/gd/office/publishing/4/reject",
    ]
    upload = next(f for f in forms if f.action.endswith("/attachments"))
    assert (upload.mode, upload.multipart, upload.headers["HX-Target"]) == ("htmx", True, "attachments")
    search = next(f for f in forms if f.method == "GET")
    assert search.action == "/contacts"  # a GET form's fields replace the action's query


def test_forms_are_filled_in_as_a_person_would() -> None:
    forms = [f.form for f in _offered() if f.form is not None]
    act = next(f for f in forms if f.action.endswith("/act"))
    persona = Persona("Pharmreg#2026", province="gd", today=date(2026, 12, 7))
    fields, files = fill(act, Variant(None, ("action", "supplement")), persona, {})
    assert ("version", "3") in fields and ("_csrf_token", "abc") in fields  # values on the page kept
    assert ("action", "supplement") in fields and ("target", "review") in fields  # first real option
    assert ("items", "") in fields and not any(k == "declaration" for k, _v in fields)
    # Refused, the person fills in everything and ticks the box.
    fields, files = fill(act, Variant(None, ("action", "supplement")), persona, {}, thorough=True)
    assert dict(fields)["items"] and ("declaration", "yes") in fields
    search = next(f for f in forms if f.method == "GET")
    assert dict(fill(search, Variant(), persona, {})[0]) == {"q": "药", "region": "gd"}  # their province
    upload = next(f for f in forms if f.action.endswith("/attachments"))
    fields, files = fill(upload, Variant(), persona, {})
    assert files == [("file", ("照片.png", files[0][1][1], "image/png"))]
    assert files[0][1][1].startswith(b"\x89PNG")
    assert dict(fields)["mobile"].isdigit() and len(dict(fields)["mobile"]) == 11


def test_urls_are_grouped_by_pattern() -> None:
    others = frozenset({"bj", "sc"})
    assert (
        pattern("/p/gd/office/cases/4420261207000001/attachments/7")
        == "/p/gd/office/cases/{id}/attachments/{id}"
    )
    assert pattern("/p/bj/", others) == pattern("/p/sc/", others) == "/p/{province}/"
    assert pattern("/national/admin/staff/8527d6a1-a7c4-42b7-9c3c-cba337c7b127/deactivate") == (
        "/national/admin/staff/{id}/deactivate"
    )
    # Tabs and categories are different pages; page numbers and search words are not.
    assert pattern("/account/applications?tab=done") != pattern("/account/applications?tab=todo")
    assert pattern("/articles/?page=2&q=注册") == pattern("/articles/?page=3&q=药") == "/articles/?page&q"


def test_downloads_must_be_what_they_claim() -> None:
    assert download_problem("application/pdf", 'attachment; filename="a.pdf"', pdf()) is None
    assert download_problem("image/png", "", png()) is None
    assert download_problem("application/pdf", "", b"<html>oops</html>") == "not a readable PDF"
    assert "under the name" in (download_problem("application/pdf", 'inline; filename="a.xlsx"', pdf()) or "")
    assert download_problem("text/csv", "", "姓名,证件号\n".encode("utf-8-sig")) is None


def test_raw_codes_on_a_page_are_noticed() -> None:
    root = parse_html("<p>事项：first_registration，状态 None</p><script>var a_b = 1;</script>")
    assert raw_text(root) == ["first_registration", "None"]
