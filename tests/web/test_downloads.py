"""The other files the platform serves open as they were uploaded: a complaint's attachments for
the officer handling it, a publication's attachments on the desk and on the portal. Each link is
followed from the page that shows it and the bytes are compared by SHA-256. (Case materials,
notices, certificates and receipts have their own tests in tests/applications.)"""

from __future__ import annotations

import hashlib
import io
import re

from PIL import Image

from tests.applications.files import pdf
from tests.consultations.helpers import code_of, latest, submit


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "#3a7d44").save(out, format="PNG")
    return out.getvalue()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_a_complaints_attachments_open_for_its_handling_officer(platform, new_browser) -> None:
    files = {"现场照片.png": _png(), "购药凭证.pdf": pdf("receipt of purchase")}
    visitor = new_browser()
    code_of(
        await submit(
            platform,
            visitor,
            kind="complaint",
            category="other",
            division="440606",
            title="药店执业药师不在岗",
            files=[("attachments", (name, data, "application/octet-stream")) for name, data in files.items()],
        )
    )
    item = await latest(platform, "gd")
    officer = new_browser()
    await officer.sign_in("/p/gd/office", "gd.publish")
    page = (await officer.get(f"/p/gd/office/consultations/{item.id}")).text
    links = re.findall(rf'<a href="(/p/gd/office/consultations/{item.id}/attachments/\d+)">([^<]+)</a>', page)
    assert sorted(name for _path, name in links) == sorted(files)
    for path, name in links:
        response = await officer.get(path)
        assert response.status_code == 200, response.text[:300]
        assert _digest(response.content) == _digest(files[name])
    # Another province's officer reaches none of them.
    other = new_browser()
    await other.sign_in("/p/js/office", "js.accept")
    for path, _name in links:
        assert (await other.get(path.replace("/p/gd/", "/p/js/"))).status_code in (403, 404)


async def test_a_publications_attachment_opens_on_the_desk_and_the_portal(new_browser, client) -> None:
    writer, reviewer = new_browser(), new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    await reviewer.sign_in("/p/gd/office", "gd.editor")
    created = await writer.post(
        "/p/gd/office/publishing/new",
        {
            "category": "notice",
            "title": "关于执业药师注册材料要求的说明",
            "body": "<p>见附件。</p>",
            "tags": "注册",
        },
    )
    article_id = int(re.search(r"/publishing/(\d+)", created.headers["location"]).group(1))
    form = pdf("registration materials")
    attached = await writer.post(
        f"/p/gd/office/publishing/{article_id}/attachments",
        {},
        files={"file": ("材料要求.pdf", form, "application/pdf")},
    )
    assert attached.status_code == 303
    desk = (await writer.get(f"/p/gd/office/publishing/{article_id}")).text
    link = re.search(
        rf'<a href="(/p/gd/office/publishing/{article_id}/attachments/\d+)">材料要求.pdf</a>', desk
    )
    assert link
    opened = await writer.get(link.group(1))
    assert opened.status_code == 200 and _digest(opened.content) == _digest(form)

    assert (
        await writer.post(f"/p/gd/office/publishing/{article_id}/submit", {"note": ""})
    ).status_code == 303
    assert (
        await reviewer.post(f"/p/gd/office/publishing/{article_id}/approve", {"note": ""})
    ).status_code == 303
    public = (await client.get(f"/p/gd/articles/{article_id}")).text
    portal = re.search(rf'href="(/p/gd/articles/{article_id}/files/\d+)"', public)
    assert portal
    served = await client.get(portal.group(1))
    assert served.status_code == 200 and _digest(served.content) == _digest(form)
