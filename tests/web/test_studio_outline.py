"""The studio: a course as its outline (titles, not file names), edited as drafts; the editor never overwrites
another editor's save unseen."""
import re

from sqlalchemy import select

from lms.models import AuditEntry, Draft
from lms.state import db_session

from support import csrf_from, make_editor

OUTLINE = "/training/author/sample/"


def action(name):
    return f"/training/author/sample/outline/{name}"


def editor(client, auth, app):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    return csrf_from(client.get(OUTLINE).get_data(as_text=True))


def drafts(app):
    with app.app_context():
        return {d.path: d.data for d in db_session().scalars(select(Draft))}


def test_the_course_page_is_an_outline_by_title_with_editions(client, auth, app, sample_course):
    editor(client, auth, app)
    page = client.get(OUTLINE).get_data(as_text=True)
    assert "Основы" in page or "module-01-basics" in page
    assert 'id="activity-01-basics-02-speed"' in page
    # titles are the links; file names are not the visible text of the outline
    assert not re.search(r">\s*01-basics/02-speed\.md\s*<", page)
    assert "edition-present" in page


def test_a_trainer_builds_a_module_from_the_outline_alone(client, auth, app, sample_course):
    token = editor(client, auth, app)
    response = client.post(action("add-module"), data={"csrf_token": token, "title": "Возражения"})
    assert response.status_code == 302
    created = {}
    for kind, title in (("lesson", "Цена и ценность"), ("quiz", "Проверка"), ("scenario", "Звонок"),
                        ("task", "На работе")):
        response = client.post(action("add-activity"), data={"csrf_token": token, "module": "03-vozrazheniya",
                                                               "kind": kind, "title": title})
        assert response.status_code == 302 and "/edit?path=03-vozrazheniya/" in response.location
        created[kind] = response.location.split("path=")[1]
        editor_page = client.get(response.location).get_data(as_text=True)
        assert title in editor_page  # the editor opens on the new file, titled
    page = client.get(OUTLINE).get_data(as_text=True)
    for title in ("Возражения", "Цена и ценность", "Проверка", "Звонок", "На работе"):
        assert title in page
    saved = drafts(app)
    assert b"03-vozrazheniya" in saved["course.md"]
    assert b"type: scenario" in saved[created["scenario"]]
    # the new module and its activities have no problems: the course can be published as it is
    assert "problems must be fixed" not in page and "problem must be fixed" not in page


def test_rename_move_reorder_and_delete_are_drafts_and_audited(client, auth, app, sample_course):
    token = editor(client, auth, app)
    assert client.post(action("rename"), data={"csrf_token": token, "path": "01-basics/02-speed.md",
                                                "module": "01-basics", "stem": "02-speed",
                                                "title": "Скорость ответа"}).status_code == 302
    assert "Скорость ответа" in client.get(OUTLINE).get_data(as_text=True)
    assert client.post(action("move"), data={"csrf_token": token, "module": "02-practice",
                                              "direction": "up"}).status_code == 302
    page = client.get(OUTLINE).get_data(as_text=True)
    assert page.index('id="module-02-practice"') < page.index('id="module-01-basics"')
    # the drag-and-drop order, as outline.js posts it
    stems = re.findall(r'id="activity-01-basics-([a-z0-9-]+)"', page)
    reordered = ",".join(reversed(stems))
    response = client.post(action("order"), data={"csrf_token": token, "module": "01-basics", "order": reordered},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["message"]
    page = client.get(OUTLINE).get_data(as_text=True)
    assert re.findall(r'id="activity-01-basics-([a-z0-9-]+)"', page) == list(reversed(stems))
    bad = client.post(action("order"), data={"csrf_token": token, "module": "01-basics", "order": stems[0]},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400 and bad.get_json()["message"]
    assert client.post(action("delete"), data={"csrf_token": token, "module": "01-basics",
                                                "stem": stems[0]}).status_code == 302
    saved = drafts(app)
    assert saved[f"01-basics/{stems[0]}.md"] is None
    with app.app_context():
        actions = set(db_session().scalars(select(AuditEntry.action)))
    assert {"course.outline.rename", "course.outline.move", "course.outline.order",
            "course.outline.delete"} <= actions


def test_a_missing_edition_starts_from_the_original(client, auth, app, sample_course):
    token = editor(client, auth, app)
    response = client.post(action("edition"), data={"csrf_token": token, "path": "01-basics/01-welcome.md",
                                                     "language": "en"})
    assert response.status_code == 302 and "01-welcome.en.md" in response.location
    refused = client.post(action("edition"), data={"csrf_token": token, "path": "01-basics/01-welcome.md",
                                                    "language": "de"})
    assert refused.status_code == 400


def test_outline_edits_need_csrf_an_editor_and_a_known_action(client, auth, app, sample_course):
    token = editor(client, auth, app)
    assert client.post(action("add-module"), data={"title": "Без токена"}).status_code == 400
    assert client.post(action("explode"), data={"csrf_token": token}).status_code == 404
    refused = client.post(action("add-module"), data={"csrf_token": token, "title": "  "})
    assert refused.status_code == 302 and "course.md" not in drafts(app)
    client.post("/logout", data={"csrf_token": token})
    auth.as_role("trainer", email="other@example.com")
    token = csrf_from(client.get("/training/author/").get_data(as_text=True))
    assert client.post(action("add-module"), data={"csrf_token": token, "title": "Чужой"}).status_code == 403
    assert drafts(app) == {}


def test_two_editors_on_one_file_get_a_conflict_with_both_versions_not_an_overwrite(app, sample_course, auth):
    first, second = app.test_client(), app.test_client()
    type(auth)(app, first).as_role("trainer")  # each editor signs in in a browser of their own
    make_editor(app, "sample", "trainer@example.com")
    type(auth)(app, second).as_role("trainer", email="second@example.com", name="Вторая Редакторша")
    make_editor(app, "sample", "second@example.com")
    url = "/training/author/sample/edit?path=01-basics/02-speed.md"
    page_one = first.get(url).get_data(as_text=True)
    page_two = second.get(url).get_data(as_text=True)
    base_one = re.search(r'name="base"[^>]*value="([0-9a-f]+)"', page_one).group(1)
    base_two = re.search(r'name="base"[^>]*value="([0-9a-f]+)"', page_two).group(1)
    saved = second.post(url, data={"csrf_token": csrf_from(page_two), "text": "---\ntitle: Их\n---\nИх текст.\n",
                                   "action": "save", "base": base_two})
    assert saved.status_code == 302
    clash = first.post(url, data={"csrf_token": csrf_from(page_one), "text": "---\ntitle: Мой\n---\nМой текст.\n",
                                  "action": "save", "base": base_one})
    body = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert "Их текст." in body and "Мой текст." in body and "Вторая Редакторша" in body
    assert drafts(app)["01-basics/02-speed.md"] == "---\ntitle: Их\n---\nИх текст.\n".encode()
    # having seen theirs, the first editor saves again from the new base: now it is saved
    new_base = re.search(r'name="base"[^>]*value="([0-9a-f]+)"', body).group(1)
    again = first.post(url, data={"csrf_token": csrf_from(body), "text": "---\ntitle: Мой\n---\nМой текст.\n",
                                  "action": "save", "base": new_base})
    assert again.status_code == 302
    assert drafts(app)["01-basics/02-speed.md"] == "---\ntitle: Мой\n---\nМой текст.\n".encode()


def test_the_editor_opens_at_a_line_and_lists_problems_with_lines(client, auth, app, sample_course):
    token = editor(client, auth, app)
    page = client.get("/training/author/sample/edit?path=02-practice/03-quiz.md&line=12").get_data(as_text=True)
    assert 'data-line="12"' in page and "syntax-help" in page
    live = client.post("/training/author/sample/preview?path=02-practice/03-quiz.md",
                       data={"text": "---\ntype: quiz\ntitle: Q\n---\n## Вопрос {#q}\n\n- [ ] a\n- [ ] b\n"},
                       headers={"X-CSRFToken": token}).get_json()
    assert live["problems"] and all({"line", "severity", "message", "label"} <= set(p) for p in live["problems"])
    # the quiz preview is the author's view of the questions, correct answers marked
    quiz = client.get("/training/author/sample/edit?path=02-practice/03-quiz.md").get_data(as_text=True)
    assert "preview-correct" in quiz
