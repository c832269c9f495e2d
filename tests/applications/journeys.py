"""Steps of the application journey as the pages take them, shared by the tests."""

from __future__ import annotations

import re

from tests.applications.files import pdf, png

REF = re.compile(r"/account/applications/([a-z]+)/(\d{10,20})")
REQUIRED = {
    "photo": ("photo.png", png, "image/png"),
    "id_copy": ("id.pdf", pdf, "application/pdf"),
    "qualification": ("qual.pdf", pdf, "application/pdf"),
    "consent": ("consent.pdf", pdf, "application/pdf"),
}


async def start(browser, slug: str, matter: str) -> str:
    response = await browser.post("/account/apply", {"matter": matter, "province": slug})
    assert response.status_code == 303, response.text[:800]
    found = REF.search(response.headers["location"])
    assert found, response.headers["location"]
    return found.group(2)


async def fill(browser, slug: str, ref: str, **fields) -> str:
    data = [(k, v) for k, v in fields.items() if k != "categories"]
    data += [("categories", c) for c in fields.get("categories", "").split(",") if c]
    response = await browser.post(f"/account/applications/{slug}/{ref}/save", data, htmx=True)
    assert response.status_code == 200, response.text[:800]
    return response.text


async def upload(browser, slug: str, ref: str, material: str, name: str, content: bytes, mime: str):
    return await browser.post(
        f"/account/applications/{slug}/{ref}/attachments",
        {"material": material},
        htmx=True,
        files={"file": (name, content, mime)},
    )


async def upload_required(
    browser, slug: str, ref: str, materials=("photo", "id_copy", "qualification", "consent")
):
    for material in materials:
        name, make, mime = REQUIRED[material]
        response = await upload(browser, slug, ref, material, name, make(), mime)
        assert response.status_code == 200, response.text[:800]


async def open_materials(browser, slug: str, ref: str) -> dict[int, bytes]:
    """Open every material the officer's case page links to, as an officer reading the files does."""
    page = await browser.get(f"/p/{slug}/office/cases/{ref}")
    assert page.status_code == 200, page.text[:500]
    opened = {}
    for path, attachment_id in sorted(
        set(re.findall(rf'href="(/p/{slug}/office/cases/{ref}/attachments/(\d+))"', page.text))
    ):
        response = await browser.get(path)
        assert response.status_code == 200, response.text[:500]
        opened[int(attachment_id)] = response.content
    return opened


async def officer_act(browser, slug: str, ref: str, action: str, *, read_first: bool = True, **fields):
    """Take an action on the case page; first open the materials, as an officer must before deciding."""
    if read_first:
        await open_materials(browser, slug, ref)
    page = await browser.get(f"/p/{slug}/office/cases/{ref}")
    assert page.status_code == 200, page.text[:500]
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version, f"no action form for {action}: " + page.text[page.text.find("办理</h2>") :][:600]
    return await browser.post(
        f"/p/{slug}/office/cases/{ref}/act", {"action": action, "version": version.group(1), **fields}
    )
