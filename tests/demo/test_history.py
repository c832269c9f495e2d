"""Demo registration history: made through the register's decisions, so the national facts come
from the outbox like those of real decisions; loaded once."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select

from pharmreg.demo.history import load_history
from pharmreg.register.models import Registration, RegistrationHistory
from pharmreg.supervision.models import FactRegistration
from pharmreg.tenancy import tenant_divisions


async def test_history_reaches_the_national_facts_through_the_outbox_once(platform) -> None:
    today = date.today()
    tenant = platform.directory.get("sc")
    own = tenant_divisions(tenant, platform.directory, platform.index)
    report = await load_history(
        platform.db, tenant, own, random.Random("history-test"), today, pharmacists=12
    )
    assert report.registrations == 12
    assert report.events > report.registrations
    async with platform.db.tenant(tenant.schema) as session:
        rows = (
            await session.execute(
                select(RegistrationHistory.id, RegistrationHistory.kind, RegistrationHistory.effective_on)
                .join(Registration, Registration.id == RegistrationHistory.registration_id)
                .where(Registration.qualification_nos.like("DEMOHISSC%"))
            )
        ).all()
    assert len(rows) == report.events
    # Years of history: first registrations spread over the past, renewals of the older ones.
    assert min(day for _id, _kind, day in rows) < date(today.year - 3, today.month, 1)
    assert {"registered", "renewed"} <= {kind for _id, kind, _day in rows}

    await platform.relay().pass_once()
    async with platform.db.national() as national:
        facts = dict(
            (
                await national.execute(
                    select(FactRegistration.event_id, FactRegistration.kind).where(
                        FactRegistration.tenant == "sc",
                        FactRegistration.event_id.in_([event_id for event_id, _k, _d in rows]),
                    )
                )
            ).all()
        )
    assert facts == {event_id: kind for event_id, kind, _day in rows}

    again = await load_history(platform.db, tenant, own, random.Random("history-test"), today, pharmacists=12)
    assert again.registrations == 0
