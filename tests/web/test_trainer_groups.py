"""Groups as a trainer builds them: create, add people one by one or as a pasted list, remove."""
import html as htmllib

from sqlalchemy import func, select

from lms.models import GroupMember, User
from lms.site import SiteUserStore
from lms.state import db_session

from support import csrf_from
from support.trainer import TRAINER, add_members, create_group, flashes, group_named, post


def members_of(app, group_id: int) -> dict[str, str]:
    with app.app_context():
        return dict(db_session().execute(
            select(User.email, GroupMember.role).join(GroupMember, GroupMember.user_id == User.id)
            .where(GroupMember.group_id == group_id)).all())


def test_a_trainer_creates_a_group_and_trains_it(client, auth, app):
    auth.as_role("trainer")
    group_id = create_group(client, "Магазин на Арбате")
    assert members_of(app, group_id) == {"trainer@example.com": "trainer"}
    listing = client.get(TRAINER + "/").get_data(as_text=True)
    assert f'href="/training/trainer/groups/{group_id}"' in listing and "Магазин на Арбате" in listing
    # the navigation offers the workspace to trainers
    assert 'href="/training/trainer/"' in client.get("/training/").get_data(as_text=True)


def test_a_second_group_with_the_same_name_is_refused(client, auth, app):
    auth.as_role("trainer")
    create_group(client, "Склад")
    response = post(client, TRAINER + "/groups", {"name": " склад ", "kind": "team"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert [category for category, _ in flashes(page)] == ["error"]
    with app.app_context():
        from lms.models import Group

        assert db_session().scalar(select(func.count()).select_from(Group)) == 1


def test_pasting_a_list_reports_added_unknown_and_already_members(client, auth, app):
    for email in ("anna@example.com", "boris@example.com", "vera@example.com"):
        auth.create(email, email.split("@")[0].title())
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    pasted = "Boris <BORIS@example.com>, anna@example.com\nnobody@example.com; vera@example.com\n\nnot-an-email"
    response = add_members(client, group_id, pasted)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/groups/{group_id}/members")
    page = htmllib.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    messages = dict(flashes(page))
    assert "boris@example.com" in messages["success"] and "vera@example.com" in messages["success"]
    assert "2" in messages["success"]
    assert "anna@example.com" in messages["info"]
    assert "nobody@example.com" in messages["error"]
    assert members_of(app, group_id) == {"trainer@example.com": "trainer", "anna@example.com": "member",
                                         "boris@example.com": "member", "vera@example.com": "member"}
    assert page.count('class="member-row role-member"') == 3


def test_someone_in_the_sites_accounts_but_never_signed_in_is_mirrored_and_added(client, auth, app):
    auth.as_role("trainer")
    with app.app_context():
        from lms.site.models import db

        SiteUserStore().create("newcomer@example.com", "Новенький", ("learner",), "password123")
        db.session.commit()
        assert db_session().scalar(select(User).where(User.email == "newcomer@example.com")) is None
    group_id = create_group(client)
    add_members(client, group_id, "newcomer@example.com")
    assert members_of(app, group_id)["newcomer@example.com"] == "member"
    with app.app_context():
        assert db_session().scalar(select(User.name).where(User.email == "newcomer@example.com")) == "Новенький"


def test_only_people_with_the_trainer_role_become_trainers(client, auth, app):
    auth.create("coach@example.com", "Coach", ("trainer",))
    auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "coach@example.com anna@example.com", role="trainer")
    assert members_of(app, group_id) == {"trainer@example.com": "trainer", "coach@example.com": "trainer"}
    page = client.get(f"{TRAINER}/groups/{group_id}/members").get_data(as_text=True)
    assert "anna@example.com" in dict(flashes(page))["error"]


def test_removing_a_member_keeps_the_last_trainer(client, auth, app):
    anna = auth.create("anna@example.com", "Anna")
    auth.as_role("trainer")
    group_id = create_group(client)
    add_members(client, group_id, "anna@example.com")
    page = f"{TRAINER}/groups/{group_id}/members"
    response = post(client, f"{TRAINER}/groups/{group_id}/members/{anna}/remove", page=page)
    assert response.status_code == 302
    assert "anna@example.com" not in members_of(app, group_id)
    with app.app_context():
        trainer_id = db_session().scalar(select(User.id).where(User.email == "trainer@example.com"))
    response = post(client, f"{TRAINER}/groups/{group_id}/members/{trainer_id}/remove", page=page)
    assert response.status_code == 302
    assert members_of(app, group_id) == {"trainer@example.com": "trainer"}
    assert [c for c, _ in flashes(client.get(page).get_data(as_text=True))] == ["error"]
    # someone not in the group cannot be removed from it
    assert post(client, f"{TRAINER}/groups/{group_id}/members/{anna}/remove", page=page).status_code == 404


def test_forms_without_a_csrf_token_are_refused(client, auth, app):
    auth.as_role("trainer")
    response = client.post(TRAINER + "/groups", data={"name": "Без токена"})
    assert response.status_code == 400
    assert group_named(app, "Без токена") is None
    assert csrf_from(client.get(TRAINER + "/").get_data(as_text=True))
