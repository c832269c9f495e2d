"""No row ever crosses tenants, however requests interleave on pooled connections."""

import asyncio

from pharmreg.identity import list_units
from pharmreg.practice import list_practice_units

PROVINCES = ("gd", "js", "sc", "bj", "bt", "xj")


async def expected_rows(platform) -> dict[str, tuple[set[str], set[str]]]:
    """Per province, read one tenant at a time: unit codes and practice-unit credit codes."""
    expected = {}
    for slug in PROVINCES:
        tenant = platform.directory.get(slug)
        async with platform.db.tenant(tenant.schema) as session:
            units = {u.division_code for u in await list_units(session)}
            practice = {p.uscc for p in await list_practice_units(session, limit=500)}
        expected[slug] = (units, practice)
    return expected


async def test_concurrent_requests_never_cross_tenants(platform, client) -> None:
    expected = await expected_rows(platform)
    # Every province's sets are distinct, so any crossed row would be noticed.
    assert all(expected[a][0].isdisjoint(expected[b][0]) for a in PROVINCES for b in PROVINCES if a != b)

    paths = []
    for round_ in range(40):
        for offset, slug in enumerate(PROVINCES):
            kind = "units" if (round_ + offset) % 2 == 0 else "practice-units?limit=500"
            paths.append((slug, kind, f"/api/v1/tenants/{slug}/{kind}"))
    assert len(paths) >= 200

    responses = await asyncio.gather(*[client.get(path) for _slug, _kind, path in paths])
    for (slug, kind, path), response in zip(paths, responses, strict=True):
        assert response.status_code == 200, path
        units, practice = expected[slug]
        if kind == "units":
            assert {row["division_code"] for row in response.json()} == units, path
        else:
            assert {row["uscc"] for row in response.json()} == practice, path


async def test_concurrent_pages_show_their_own_province(client, platform) -> None:
    slugs = [PROVINCES[i % len(PROVINCES)] for i in range(60)]
    responses = await asyncio.gather(*[client.get(f"/p/{slug}/") for slug in slugs])
    for slug, response in zip(slugs, responses, strict=True):
        tenant = platform.directory.get(slug)
        assert response.status_code == 200
        assert f"<h1>{tenant.name}执业药师注册</h1>" in response.text
        others = [platform.directory.get(s).authority_name for s in PROVINCES if s != slug]
        assert not any(name in response.text for name in others)
