"""The analytic facts: fed through the outbox, free of personal data, one key per person across
provinces, rebuilt and recounted from the provinces' own tables."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from pharmreg.kit.db import transaction
from pharmreg.practice import UnitType, practice_unit_by_uscc, update_practice_unit
from pharmreg.register import (
    Decided,
    Province,
    Terms,
    active_registration,
    cancel_registration,
    change_registration,
)
from pharmreg.supervision import (
    PersonHasher,
    analytic_facts_recount,
    fact_freshness,
    rebuild_facts,
    recount_facts,
)
from pharmreg.supervision.models import (
    FactCase,
    FactCaseMonth,
    FactEnquiry,
    FactPracticeUnit,
    FactRegistration,
    FactSource,
)
from pharmreg.supervision.repository import facts_of, recompute_case_months
from pharmreg.wiring import analytic_facts
from tests.applications.journeys import fill, start, upload_required
from tests.pharmacists import add_unit, approve, seed_registration

FACT_TABLES = (FactRegistration, FactCase, FactEnquiry, FactPracticeUnit)


def _province(platform, slug: str) -> Province:
    tenant = platform.directory.get(slug)
    return Province(tenant.slug, tenant.name, tenant.authority_name, tenant.division_code)


async def _facts(platform, slug: str) -> dict[str, list[dict]]:
    """Every fact row of one province, by table, in a stable order."""
    async with platform.db.national() as session:
        return {
            model.__tablename__: sorted(await facts_of(session, model, slug), key=repr)
            for model in FACT_TABLES
        }


async def _registration_facts(platform, slug: str, registration_id: int) -> list[FactRegistration]:
    async with platform.db.national() as session:
        query = (
            select(FactRegistration)
            .where(FactRegistration.tenant == slug, FactRegistration.registration_id == registration_id)
            .order_by(FactRegistration.event_id)
        )
        return list((await session.scalars(query)).all())


async def test_a_decision_reaches_the_facts_through_the_outbox(
    platform, make_pharmacist, new_browser
) -> None:
    person, applicant = await make_pharmacist("欧阳明", division="440106")
    unit = await add_unit(platform, "gd", "440106", name="广州市天河区安康大药房")
    ref = await start(applicant, "gd", "first_registration")
    findings = await fill(
        applicant,
        "gd",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=unit,
        education="master",
        major="clinical_pharmacy",
        declaration="yes",
    )
    assert "预审通过" in findings
    await upload_required(applicant, "gd", ref)
    submitted = await applicant.post(f"/account/applications/gd/{ref}/submit", {})
    assert submitted.status_code == 303
    await approve(new_browser, "gd", ref)

    async with platform.db.national() as session:
        assert await session.get(FactCase, ("gd", ref)) is None  # nothing until the relay delivers
    await platform.relay().pass_once()

    hasher = PersonHasher(platform.settings.secret_key)
    async with platform.db.national() as session:
        case = await session.get(FactCase, ("gd", ref))
        registered = (
            await session.scalars(
                select(FactRegistration).where(
                    FactRegistration.tenant == "gd",
                    FactRegistration.person_hash == hasher(f"resident_id:{person.id_number}"),
                )
            )
        ).all()
        freshness = await fact_freshness(session, [platform.directory.get("gd").source])
    assert case is not None
    assert (case.matter, case.outcome, case.status) == ("first_registration", "approved", "approved")
    assert case.received_on and case.accepted_on and case.decided_on and case.working_days is not None
    assert case.handling_unit and not case.delegated and case.supplement_notices == 0 and not case.overdue
    assert [r.kind for r in registered] == ["registered"]
    fact = registered[0]
    assert (fact.province_code, fact.city_code, fact.county_code) == ("440000", "440100", "440106")
    assert (fact.unit_type, fact.field) == ("retail", "retail")
    assert (fact.education, fact.major, fact.birth_year) == ("master", "clinical_pharmacy", 1990)
    assert fact.sex in ("M", "F")
    assert fact.categories == "pharmacy" and fact.scope == "distribution" and fact.valid_until
    assert freshness["gd"].as_of is not None  # 数据截至
    # The consumer moved the monthly case counts with each of the case's events (received,
    # accepted, decided) to what a recount of the province's case facts gives.
    kept = await _case_months(platform, "gd")
    assert sum(r[4] for r in kept if r[1] == "decided" and r[3] == case.working_days) >= 1
    async with platform.db.national() as session, session.begin():
        await recompute_case_months(session, "gd")
    assert await _case_months(platform, "gd") == kept


async def _case_months(platform, slug: str) -> list[tuple]:
    """A province's fact_case_month rows without the ones that add nothing."""
    async with platform.db.national() as session:
        rows = await session.execute(
            select(
                FactCaseMonth.tenant,
                FactCaseMonth.side,
                FactCaseMonth.month,
                FactCaseMonth.working_days,
                FactCaseMonth.cases,
                FactCaseMonth.delegated,
                FactCaseMonth.approved,
                FactCaseMonth.overdue,
            ).where(FactCaseMonth.tenant == slug)
        )
        return sorted(tuple(r) for r in rows.all() if any(r[4:]))


async def test_no_personal_data_in_any_fact(platform, make_pharmacist) -> None:
    person, _browser = await make_pharmacist("司马青", division="440106")
    unit = await add_unit(platform, "gd", "440106", name="广州市天河区司马大药房")
    await seed_registration(platform, "gd", person, unit, date(2024, 5, 6))
    await platform.relay().pass_once()
    columns = {c.name for model in FACT_TABLES for c in model.__table__.columns}
    assert not columns & {"name", "id_number", "id_type", "mobile", "address", "principal", "uscc"}
    async with platform.db.national() as session:
        for model in FACT_TABLES:
            for row in (await session.execute(select(model.__table__))).mappings():
                text = repr(dict(row))
                assert person.id_number not in text and person.name not in text and person.mobile not in text
                assert "resident_id:" not in text


async def test_one_person_in_two_provinces_is_one_key(platform, make_pharmacist) -> None:
    person, _browser = await make_pharmacist("诸葛岚", division="440106")
    gd_unit = await add_unit(platform, "gd", "440106")
    js_unit = await add_unit(platform, "js", "320102")
    first = await seed_registration(platform, "gd", person, gd_unit, date(2022, 3, 1))
    gd = platform.directory.get("gd")
    async with (
        platform.db.tenant(gd.schema) as session,
        platform.db.national() as national,
        transaction(session),
        transaction(national),
    ):
        await cancel_registration(
            session,
            national,
            province=_province(platform, "gd"),
            registration_id=first.id,
            reason="本人申请注销",
            decided=Decided(None, "测试", date(2024, 1, 10)),
        )
    second = await seed_registration(platform, "js", person, js_unit, date(2024, 2, 1))
    await platform.relay().pass_once()

    in_gd = await _registration_facts(platform, "gd", first.id)
    in_js = await _registration_facts(platform, "js", second.id)
    assert [(f.kind, f.ground) for f in in_gd] == [("registered", None), ("cancelled", "本人申请注销")]
    assert in_gd[1].valid_until is None
    assert [f.kind for f in in_js] == ["registered"]
    assert len({f.person_hash for f in in_gd + in_js}) == 1
    assert in_js[0].person_hash == PersonHasher(platform.settings.secret_key)(
        f"resident_id:{person.id_number}"
    )
    assert in_js[0].person_hash != PersonHasher("another platform secret")(f"resident_id:{person.id_number}")


async def test_rebuild_equals_what_the_events_built(platform, make_pharmacist, new_browser) -> None:
    facts = analytic_facts(platform.settings)
    source = platform.directory.get("gd").source
    await platform.relay().pass_once()
    # Other tests deliver some events with consumers of their own: start from the province's tables.
    await rebuild_facts(platform.db, source, facts)

    # Then a first registration through the pages, a change of unit, a cancellation and a unit
    # correction, all delivered through the outbox.
    person, applicant = await make_pharmacist("上官云", division="440106")
    first_unit = await add_unit(platform, "gd", "440106")
    ref = await start(applicant, "gd", "first_registration")
    await fill(
        applicant,
        "gd",
        ref,
        qualification_no=person.qualification_no,
        categories="pharmacy",
        scope="distribution",
        unit_uscc=first_unit,
        education="bachelor",
        major="pharmacy",
        declaration="yes",
    )
    await upload_required(applicant, "gd", ref)
    assert (await applicant.post(f"/account/applications/gd/{ref}/submit", {})).status_code == 303
    await approve(new_browser, "gd", ref)
    tenant = platform.directory.get("gd")
    other_unit = await add_unit(platform, "gd", "440104", unit_type=UnitType.WHOLESALE)
    async with (
        platform.db.tenant(tenant.schema) as session,
        platform.db.national() as national,
        transaction(session),
        transaction(national),
    ):
        held = await active_registration(session, f"resident_id:{person.id_number}")
        unit = await practice_unit_by_uscc(session, other_unit)
        assert held is not None and unit is not None
        await change_registration(
            session,
            national,
            province=_province(platform, "gd"),
            registration_id=held.id,
            terms=Terms("pharmacy", "distribution", unit.id, unit.name, unit.division_code, ""),
            decided=Decided(None, "测试", date.today()),
        )
        corrected = await update_practice_unit(
            session,
            unit.id,
            {
                "name": unit.name,
                "unit_type": "wholesale",
                "licence_no": "测DA0000002",
                "licence_valid_until": "2030-06-30",
                "address": "测试路2号",
                "status": "suspended",
            },
        )
        assert corrected == {}
    await platform.relay().pass_once()
    incremental = await _facts(platform, "gd")
    changed = await _registration_facts(platform, "gd", held.id)
    assert [(f.kind, f.field) for f in changed] == [("registered", "retail"), ("changed", "wholesale")]

    written = await rebuild_facts(platform.db, source, facts)
    assert written["registration"] == len(incremental["fact_registration"])
    assert await _facts(platform, "gd") == incremental
    assert await recount_facts(platform.db, source, facts) == []


async def test_drift_is_corrected_and_logged(platform, caplog) -> None:
    await platform.relay().pass_once()
    source = platform.directory.get("js").source
    await rebuild_facts(platform.db, source, analytic_facts(platform.settings))
    before = await _facts(platform, "js")
    lost, tampered = before["fact_registration"][0], before["fact_case"][0]
    async with platform.db.national() as session, session.begin():
        await session.execute(
            delete(FactRegistration).where(
                FactRegistration.tenant == "js", FactRegistration.event_id == lost["event_id"]
            )
        )
        await session.execute(
            update(FactCase)
            .where(FactCase.tenant == "js", FactCase.case_ref == tampered["case_ref"])
            .values(matter="reissue", overdue=not tampered["overdue"])
        )
        session.add(FactPracticeUnit(**{**before["fact_practice_unit"][0], "unit_id": 999_999}))
    with caplog.at_level(logging.WARNING):
        drift = await recount_facts(platform.db, source, analytic_facts(platform.settings))
    assert {(d.kind, d.missing, d.extra, d.changed) for d in drift} == {
        ("registration", 1, 0, 0),
        ("case", 0, 0, 1),
        ("practice_unit", 0, 1, 0),
    }
    assert "supervision.facts_drift_corrected" in caplog.text
    assert await _facts(platform, "js") == before
    async with platform.db.national() as session:
        upkeep = await session.get(FactSource, "js")
    assert upkeep is not None and upkeep.corrected == 3 and upkeep.recounted_at is not None


async def test_one_province_rebuilt_leaves_the_others_alone(platform) -> None:
    await platform.relay().pass_once()
    await rebuild_facts(platform.db, platform.directory.get("js").source, analytic_facts(platform.settings))
    js_before = await _facts(platform, "js")
    async with platform.db.national() as session, session.begin():
        await session.execute(
            update(FactRegistration).where(FactRegistration.tenant == "js").values(education="doctor")
        )
        await session.execute(
            update(FactRegistration).where(FactRegistration.tenant == "gd").values(major="x")
        )
    await rebuild_facts(platform.db, platform.directory.get("gd").source, analytic_facts(platform.settings))
    async with platform.db.national() as session:
        gd_wrong = await session.scalar(
            select(func.count()).where(FactRegistration.tenant == "gd", FactRegistration.major == "x")
        )
        js_rows = await facts_of(session, FactRegistration, "js")
    assert gd_wrong == 0
    assert js_rows and all(row["education"] == "doctor" for row in js_rows)  # untouched by gd's rebuild
    await rebuild_facts(platform.db, platform.directory.get("js").source, analytic_facts(platform.settings))
    assert await _facts(platform, "js") == js_before


async def test_practice_unit_changes_reach_the_facts(platform) -> None:
    code = await add_unit(platform, "sc", "510104", licence_until=date.today() - timedelta(days=3))
    await platform.relay().pass_once()
    tenant = platform.directory.get("sc")
    async with platform.db.tenant(tenant.schema) as session:
        unit = await practice_unit_by_uscc(session, code)
    assert unit is not None
    async with platform.db.national() as session:
        fact = await session.get(FactPracticeUnit, ("sc", unit.id))
    assert fact is not None
    assert (fact.unit_type, fact.field, fact.division_code, fact.status) == (
        "retail",
        "retail",
        "510104",
        "active",
    )
    assert fact.licence_valid_until < date.today()


async def test_the_nightly_job_recounts_every_province(platform) -> None:
    await platform.relay().pass_once()
    facts = analytic_facts(platform.settings)
    sources = [platform.directory.get(slug).source for slug in ("bj", "sc")]
    for source in sources:
        await rebuild_facts(platform.db, source, facts)
    async with platform.db.national() as session, session.begin():
        changed = await session.execute(
            update(FactPracticeUnit)
            .where(FactPracticeUnit.tenant == "bj", FactPracticeUnit.status != "closed")
            .values(status="closed")
        )
        rows = changed.rowcount
    assert rows > 0
    job = analytic_facts_recount(facts)
    assert await job(platform.job_ctx(sources=sources)) == {"corrected": rows, "deferred": 0}
    assert await job(platform.job_ctx(sources=sources)) == {"corrected": 0, "deferred": 0}
