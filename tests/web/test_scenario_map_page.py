"""The map of a role-play in the studio: for the course's editors, drawn from the draft, escaped."""
import re
import xml.etree.ElementTree as ET

from support import ROOT, csrf_from, make_editor

SCENARIO = "02-practice/02-call.md"
MAP = f"/training/author/sample/map?path={SCENARIO}"
SVG_RE = re.compile(r"<svg[^>]*class=\"scenario-map[^\"]*\".*?</svg>", re.DOTALL)


def svg_of(page: str) -> ET.Element:
    match = SVG_RE.search(page)
    assert match, "no map on the page"
    return ET.fromstring(match.group(0))


def steps_of(svg: ET.Element) -> dict[str, ET.Element]:
    return {g.get("data-step"): g for g in svg.iter("{http://www.w3.org/2000/svg}g") if g.get("data-step")}


def save_draft(client, text: str, path: str = SCENARIO) -> None:
    edit = f"/training/author/sample/edit?path={path}"
    token = csrf_from(client.get(edit).get_data(as_text=True))
    response = client.post(edit, data={"csrf_token": token, "text": text, "action": "save"})
    assert response.status_code == 302, response.status_code


def test_an_editor_reads_the_map_with_every_step_linked_to_its_line_in_the_editor(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    response = client.get(MAP, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    svg = svg_of(page)
    assert svg.get("role") == "group" and svg.get("viewBox")
    steps = steps_of(svg)
    assert set(steps) == {"call", "later", "letter", "check", "kept", "lost", "pending"}
    source = (ROOT / "tests/data/courses/sample" / SCENARIO).read_text(encoding="utf-8").splitlines()
    line = source.index("## На следующий день {#later}") + 1
    link = steps["later"].find("{http://www.w3.org/2000/svg}a").get("href")
    assert link == f"/training/author/sample/edit?path={SCENARIO}&line={line}"
    assert "is-start" in steps["call"].get("class")
    assert "outcome-pass" in steps["kept"].get("class") and "outcome-fail" in steps["lost"].get("class")
    # the text version: the best run, step by step, and every step with where it leads
    best = page[page.index('id="best-heading"'):page.index('id="problems-heading"')]
    assert [m for m in re.findall(r"<code dir=\"ltr\">#([\w-]+)</code>", best)] == ["call", "later", "kept"]
    assert "7 steps" in page and "3 endings" in page and "Every step can be reached and every run can end." in page
    assert 'style="' not in page.split("<main", 1)[1]  # nothing the Content-Security-Policy would block


def test_the_map_is_drawn_from_the_draft_and_marks_what_the_checker_finds(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    draft = (ROOT / "tests/data/courses/sample" / SCENARIO).read_text(encoding="utf-8")
    draft = draft.replace("- [Ничего не делать.](#check)", "- [Ничего не делать.](#check)\n- [Тупик.](#stuck)")
    draft += "\n## Тупик {#stuck}\n\n- [Только если обещали](#kept) if promised\n\n## Сирота {#orphan}\n\n-> #lost\n"
    save_draft(client, draft)
    page = client.get(MAP).get_data(as_text=True)
    steps = steps_of(svg_of(page))
    assert "is-dead-end" in steps["stuck"].get("class")
    assert "is-unreachable" in steps["orphan"].get("class")
    problems = page[page.index('id="problems-heading"'):page.index('id="steps-heading"')]
    assert "#stuck" in problems and "#orphan" in problems


def test_only_the_courses_editors_see_its_maps(client, auth, app, sample_course):
    auth.as_role("trainer")
    assert client.get(MAP).status_code == 403
    auth.logout()
    auth.as_role("learner")
    assert client.get(MAP).status_code == 403


def test_a_path_that_is_not_a_role_play_has_no_map(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    for path in ("01-basics/02-speed.md", "02-practice/03-quiz.md", "02-practice/99-missing.md", "course.md",
                 "../sample/02-practice/02-call.md", "01-basics/images/smile.png", ""):
        assert client.get(f"/training/author/sample/map?path={path}").status_code == 404, path
    assert client.get(f"/training/author/nowhere/map?path={SCENARIO}").status_code == 404


def test_titles_and_replies_written_as_html_are_shown_as_text(client, auth, app, sample_course):
    auth.as_role("trainer")
    make_editor(app, "sample", "trainer@example.com")
    draft = (ROOT / "tests/data/courses/sample" / SCENARIO).read_text(encoding="utf-8")
    draft = draft.replace("title: Звонок клиента", "title: \"<img src=x onerror=alert(1)>\"")
    draft = draft.replace("## Звонок {#call}", "## <script>alert('call')</script> & co {#call}")
    draft = draft.replace("[Не знаю, позвоните позже.]", "[</title><script>alert(2)</script>]")
    save_draft(client, draft)
    page = client.get(MAP).get_data(as_text=True)
    assert "<script>" not in page and "<img src=x" not in page
    svg = svg_of(page)  # still well-formed XML
    assert "&lt;script&gt;alert(" in page
    title = steps_of(svg)["call"].find("{http://www.w3.org/2000/svg}a/{http://www.w3.org/2000/svg}title").text
    assert title.startswith("<script>alert('call')</script> & co (#call)")


def test_the_map_of_the_builtin_role_play_reads_right_to_left_in_arabic(client, auth, app, runner):
    result = runner.invoke(args=["lms", "courses", "import", str(ROOT / "courses")])
    assert result.exit_code == 0, result.output
    auth.as_role("trainer")
    make_editor(app, "service-excellence", "trainer@example.com")
    url = "/training/author/service-excellence/map?path=02-three-keys/06-roleplay.ar.md"
    page = client.get(url, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'dir="rtl"' in page
    svg = svg_of(page)
    assert "is-rtl" in svg.get("class")
    steps = steps_of(svg)
    assert len(steps) == 15 and "on-best-path" in steps["prep"].get("class")
    russian = client.get("/training/author/service-excellence/map?path=03-proposal/05-roleplay.md",
                         headers={"Accept-Language": "ru"}).get_data(as_text=True)
    assert "is-rtl" not in svg_of(russian).get("class") and "Заявка с сайта" in russian
