"""Tenant administrators manage officers: create, posts, passwords, (de)activation; own tenant only."""

import re
from datetime import timedelta

import pytest

from pharmreg.kit.clock import china_today
from tests.people import STRONG, audit_actions, make_officer, unit_ids

ADMIN = "/p/gd/office/admin/users"


def new_officer(units: dict[str, int], **overrides: object) -> list[tuple[str, str]]:
    data: dict[str, object] = {
        "username": "gd.newcomer",
        "name": "何晓东",
        "unit_id": str(units["440100"]),
        "password": "Initial#Pass2026",
        "mobile": "13755556666",
        "email": "",
        "positions": ["acceptance", "review"],
    }
    data.update(overrides)
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append((key, str(item)))
    return pairs


async def test_admin_creates_an_officer_who_must_change_the_password(platform, browser, new_browser) -> None:
    units = await unit_ids(platform, "gd")
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/new")
    created = await browser.post(f"{ADMIN}/", new_officer(units))
    assert created.status_code == 303
    page = await browser.get(created.headers["location"])
    assert "何晓东" in page.text and "广州市" in page.text

    newcomer = new_browser()
    await newcomer.sign_in("/p/gd/office", "gd.newcomer", "Initial#Pass2026")
    first = await newcomer.get("/p/gd/office/")
    assert first.status_code == 303 and first.headers["location"].endswith("/office/password")
    assert "officer_created" in await audit_actions(platform, "gd", "何晓东（gd.newcomer）")


@pytest.mark.parametrize(
    ("overrides", "field_messages"),
    [
        ({"username": "9bad name"}, ["用户名为 3 至 64 位"]),
        ({"username": "gd.accept"}, ["该用户名已被使用"]),
        ({"name": "x"}, ["真实姓名"]),
        ({"unit_id": "999999"}, ["请选择本省的一个监管单位"]),
        ({"mobile": "12"}, ["手机号码应为 11 位数字"]),
        ({"positions": ["acceptance", "emperor"]}, ["岗位不存在：emperor"]),
        ({"password": "short"}, ["密码长度至少"]),
        ({"username": "", "name": "", "password": ""}, ["用户名", "真实姓名", "密码"]),
    ],
)
async def test_refused_officer_forms_keep_input_and_change_nothing(
    platform, browser, overrides, field_messages
) -> None:
    units = await unit_ids(platform, "gd")
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/new")
    form = new_officer(units, **{"username": "gd.refused", **overrides})
    response = await browser.post(f"{ADMIN}/", form)
    assert response.status_code == 400
    for message in field_messages:
        assert message in response.text
    assert "Initial#Pass2026" not in response.text  # the password is never sent back
    if "mobile" not in overrides:
        assert 'value="13755556666"' in response.text  # what was typed is kept
    listing = await browser.get(f"{ADMIN}/?q=gd.refused")
    assert "gd.refused" not in listing.text.replace('value="gd.refused"', "")


async def test_posts_take_effect_on_the_next_request(platform, browser, new_browser) -> None:
    officer = await make_officer(platform, "gd", "gd.rotating", positions=())
    worker = new_browser()
    await worker.sign_in("/p/gd/office", "gd.rotating", STRONG)
    assert "不办理注册申请" in (await worker.get("/p/gd/office/")).text  # no post, no case
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/{officer.id}")
    granted = await browser.post(f"{ADMIN}/{officer.id}/grant", {"position": "acceptance"}, htmx=True)
    assert granted.status_code == 200 and "已授予岗位" in granted.text
    todo = await worker.get("/p/gd/office/")
    assert re.search(r"44\d{14}", todo.text), "the acceptance pool appears at once"
    withdrawn = await browser.post(f"{ADMIN}/{officer.id}/withdraw", {"position": "acceptance"}, htmx=True)
    assert "已收回岗位" in withdrawn.text
    assert not re.search(r"44\d{14}", (await worker.get("/p/gd/office/")).text)
    assert await audit_actions(platform, "gd", "测试员（gd.rotating）") == [
        "officer_created",
        "position_granted",
        "position_withdrawn",
    ]


async def test_deactivation_ends_sessions_and_blocks_sign_in(platform, browser, new_browser) -> None:
    officer = await make_officer(platform, "gd", "gd.leaving")
    worker = new_browser()
    await worker.sign_in("/p/gd/office", "gd.leaving", STRONG)
    assert (await worker.get("/p/gd/office/")).status_code == 200
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/{officer.id}")
    done = await browser.post(f"{ADMIN}/{officer.id}/deactivate", htmx=True)
    assert "已停用该账号" in done.text
    assert (await worker.get("/p/gd/office/")).status_code == 303
    again = await worker.sign_in("/p/gd/office", "gd.leaving", STRONG)
    assert again.status_code == 400
    await browser.post(f"{ADMIN}/{officer.id}/activate", htmx=True)
    assert (await worker.sign_in("/p/gd/office", "gd.leaving", STRONG)).status_code == 303


async def test_admin_password_reset_forces_a_change_and_signs_out(platform, browser, new_browser) -> None:
    officer = await make_officer(platform, "gd", "gd.locked.out")
    worker = new_browser()
    await worker.sign_in("/p/gd/office", "gd.locked.out", STRONG)
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/{officer.id}")
    weak = await browser.post(f"{ADMIN}/{officer.id}/password", {"password": "weak"}, htmx=True)
    assert weak.status_code == 400 and "密码长度至少" in weak.text
    await browser.post(f"{ADMIN}/{officer.id}/password", {"password": "Temporary#Pass2026"}, htmx=True)
    assert (await worker.get("/p/gd/office/")).status_code == 303
    await worker.sign_in("/p/gd/office", "gd.locked.out", "Temporary#Pass2026")
    forced = await worker.get("/p/gd/office/")
    assert forced.headers["location"].endswith("/office/password")


async def test_the_last_administrator_stays(platform, browser) -> None:
    await browser.sign_in("/p/bt/office", "bt.admin")
    page = await browser.get("/p/bt/office/admin/users/?q=bt.admin")
    admin_id = re.search(r"/p/bt/office/admin/users/([0-9a-f-]{36})", page.text).group(1)
    for action, data in (("deactivate", {}), ("withdraw", {"position": "tenant_admin"})):
        refused = await browser.post(f"/p/bt/office/admin/users/{admin_id}/{action}", data, htmx=True)
        assert refused.status_code == 400 and "至少需要保留一名在岗的系统管理员" in refused.text
    assert (await browser.get("/p/bt/office/admin/users/")).status_code == 200  # still an admin


async def test_officers_without_the_admin_post_are_refused(browser) -> None:
    await browser.sign_in("/p/gd/office", "gd.accept")
    response = await browser.get(f"{ADMIN}/")
    assert response.status_code == 403 and "您没有执行此操作的权限" in response.text


async def test_another_provinces_officers_look_nonexistent(platform, browser) -> None:
    stranger = await make_officer(platform, "js", "js.stranger")
    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/")
    for action, data in (
        ("deactivate", {}),
        ("grant", {"position": "decision"}),
        ("password", {"password": "Hijack#Pass2026"}),
    ):
        response = await browser.post(f"{ADMIN}/{stranger.id}/{action}", data, htmx=True)
        assert response.status_code == 404
    assert (await browser.get(f"{ADMIN}/{stranger.id}")).status_code == 404
    assert await audit_actions(platform, "js", "测试员（js.stranger）") == ["officer_created"]
    # And gd's administrator is not signed in at js at all.
    assert (await browser.get("/p/js/office/admin/users/")).status_code == 303


async def test_cases_held_by_a_deactivated_officer_go_back_to_the_pool(
    platform, browser, new_browser
) -> None:
    officer = await make_officer(platform, "gd", "gd.holding")
    worker = new_browser()
    await worker.sign_in("/p/gd/office", "gd.holding", STRONG)
    todo = (await worker.get("/p/gd/office/")).text
    task_id = re.search(r"/p/gd/office/tasks/(\d+)", todo).group(1)
    page = (await worker.get(f"/p/gd/office/tasks/{task_id}")).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    await worker.post(f"/p/gd/office/tasks/{task_id}/claim", {"version": version}, htmx=True)

    await browser.sign_in("/p/gd/office", "gd.admin")
    await browser.get(f"{ADMIN}/{officer.id}")
    done = await browser.post(f"{ADMIN}/{officer.id}/deactivate", htmx=True)
    assert "其认领的 1 项任务已退回待办池" in done.text
    colleague = new_browser()
    await colleague.sign_in("/p/gd/office", "gd.accept")
    back = (await colleague.get(f"/p/gd/office/tasks/{task_id}")).text
    assert "待认领" in back and "办理人账号已停用，任务退回待办池" in back


async def test_ending_a_work_delegation_twice_is_explained(platform, new_browser) -> None:
    await make_officer(platform, "gd", "gd.wd.from")
    mate = await make_officer(platform, "gd", "gd.wd.to", name="受托人")
    me = new_browser()
    await me.sign_in("/p/gd/office", "gd.wd.from", STRONG)
    await me.get("/p/gd/office/account/")
    today = china_today()
    made = await me.post(
        "/p/gd/office/account/work-delegation",
        {
            "to_officer_id": str(mate.id),
            "valid_from": f"{today}",
            "valid_to": f"{today + timedelta(days=3)}",
            "reason": "出差",
        },
    )
    assert made.status_code == 303
    page = (await me.get("/p/gd/office/account/")).text
    end = re.search(r"/p/gd/office/account/work-delegation/(\d+)/end", page).group(0)
    assert (await me.post(end)).status_code == 303
    again = await me.post(end)
    assert again.status_code == 409 and "该委托已经结束" in again.text


async def test_work_delegation_offers_only_colleagues_of_the_same_post_and_only_to_case_handlers(
    platform, new_browser
) -> None:
    await make_officer(platform, "gd", "gd.wd.acceptor", ("acceptance",), name="受理甲")
    same = await make_officer(platform, "gd", "gd.wd.peer", ("acceptance",), name="受理乙")
    other = await make_officer(platform, "gd", "gd.wd.reviewer", ("review",), name="审核丙")
    me = new_browser()
    await me.sign_in("/p/gd/office", "gd.wd.acceptor", STRONG)
    page = (await me.get("/p/gd/office/account/")).text
    assert f'value="{same.id}"' in page and f'value="{other.id}"' not in page
    # A publishing officer handles no cases: nothing to hand over, so no form.
    writer = new_browser()
    await writer.sign_in("/p/gd/office", "gd.publish")
    own = (await writer.get("/p/gd/office/account/")).text
    assert "没有可委托的待办" in own and 'action="/p/gd/office/account/work-delegation"' not in own
