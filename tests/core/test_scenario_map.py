"""The scenario map (lms/core/scenario_map.py): a well-formed SVG of the steps and links, with what the
checker found marked, every box linked to its line, every text escaped, mirrored right to left."""
import json
import xml.etree.ElementTree as ET

import pytest

from lms.core.scenario import check_scenario, parse_scenario
from lms.core.scenario_map import NODE_W, MapLabels, direction, draw_map, summary, wrap

NS = {"svg": "http://www.w3.org/2000/svg"}

CALL = """---
title: Звонок клиента
variables:
  promised: false
outcomes:
  loyal: Постоянный клиент
  lost: Клиент потерян
pass: {outcomes: [loyal]}
---
## Звонок {#call}

- [Завтра к 12:00, обещаю.](#later) promised=true points+1
- [Не знаю, позвоните позже.](#later) experience-2

## На следующий день {#later}

- [Отправить вовремя.](#kept) points+2 if promised
- [Ничего не делать.](#check)

## Проверка {#check}

-> #lost if mood < 0
-> #kept

## Слово сдержано {#kept}

outcome: loyal

Спасибо.

## Клиент ушёл {#lost}

outcome: lost

Увы.
"""

BROKEN = """---
title: Broken
variables:
  promised: false
outcomes:
  happy: Happy
pass: {outcomes: [happy]}
---
## Hello {#start}

- [Help](#needs) points+1
- [Loop](#loop-a)

## Needs {#needs}

- [Promise](#happy) promised=true
- [Get stuck](#stuck)

## Stuck {#stuck}

- [Only if promised](#happy) if promised

## Loop A {#loop-a}

- [To B](#loop-b)

## Loop B {#loop-b}

- [To A](#loop-a)

## Orphan {#orphan}

- [Happy](#happy)

## Happy {#happy}

outcome: happy

Done.
"""


def draw(text: str, **options):
    scenario, _problems = parse_scenario(text, "course/01-m/02-call.md")
    report = check_scenario(scenario)
    svg = draw_map(scenario, report, **options)
    return scenario, report, svg, ET.fromstring(svg)


def nodes(root) -> dict:
    return {g.get("data-step"): g for g in root.iterfind(".//svg:g[@data-step]", NS)}


def edges(root) -> dict:
    return {(g.get("data-from"), g.get("data-to")): g for g in root.iterfind(".//svg:g[@class]", NS)
            if "map-edge " in g.get("class") + " " and g.get("data-from")}


def box(node):
    return node.find("svg:a/svg:rect", NS)


def classes(element) -> set[str]:
    return set(element.get("class").split())


def test_the_map_is_an_accessible_svg_with_a_box_per_step_each_linked_to_its_line():
    scenario, _report, svg, root = draw(CALL, link=lambda line: f"/edit?line={line}")
    assert root.tag == "{http://www.w3.org/2000/svg}svg" and root.get("role") == "group"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Звонок клиента" in title.text and "5 steps, 2 endings" in desc.text
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    found = nodes(root)
    assert set(found) == {"call", "later", "check", "kept", "lost"}
    for step in scenario.steps:
        link = found[step.id].find("svg:a", NS)
        assert link.get("href") == f"/edit?line={step.line}"
        assert step.title in "".join(t.text for t in link.iterfind("svg:text", NS))
    assert classes(found["call"]) >= {"kind-choice", "is-start"}
    assert "kind-route" in classes(found["check"])


def test_endings_are_coloured_by_whether_the_pass_rule_accepts_their_outcome():
    hang_up = CALL.replace("- [Не знаю, позвоните позже.](#later) experience-2",
                           "- [Не знаю, позвоните позже.](#later) experience-2\n- [Повесить трубку.](#quit)")
    hang_up += "\n## Трубку повесили {#quit}\n\noutcome: lost\n\nУвы.\n"
    _s, _r, _svg, root = draw(hang_up)
    found = nodes(root)
    assert "outcome-pass" in classes(found["kept"]) and "outcome-fail" in classes(found["lost"])
    assert box(found["kept"]).get("fill") != box(found["lost"]).get("fill")
    assert "✓" in "".join(found["kept"].itertext()) and "✗" in "".join(found["lost"].itertext())
    # both endings side by side on the last layer, below everything else
    ys = {key: float(box(node).get("y")) for key, node in found.items()}
    assert ys["kept"] == ys["lost"] == ys["quit"] == max(ys.values()) and ys["call"] == min(ys.values())


def test_replies_are_solid_routes_dashed_and_conditions_are_written_on_their_line():
    _s, _r, _svg, root = draw(CALL)
    lines = edges(root)
    reply = lines[("call", "later")].find(".//svg:path[@class='map-edge-line']", NS)
    route = lines[("check", "lost")].find(".//svg:path[@class='map-edge-line']", NS)
    assert reply.get("stroke-dasharray") is None and route.get("stroke-dasharray")
    assert "is-conditional" in classes(lines[("later", "kept")])
    badges = {(g.get("data-from"), g.get("data-to")): "".join(g.itertext())
              for g in root.iterfind(".//svg:g[@data-from]", NS) if "map-edge-badge" in g.get("class")}
    assert "if promised" in badges[("later", "kept")]
    assert "×2" in badges[("call", "later")]  # two replies lead there
    assert "mood < 0" in badges[("check", "lost")]


def test_the_best_run_is_drawn_thick_and_names_the_reply_it_takes():
    _s, report, _svg, root = draw(CALL)
    assert report.best_path == ("call", "later", "kept")
    lines = edges(root)
    best = {key for key, g in lines.items() if "is-best" in classes(g)}
    assert best == {("call", "later"), ("later", "kept")}
    path = lines[("call", "later")].find(".//svg:path[@class='map-edge-line']", NS)
    assert float(path.get("stroke-width")) > 3
    # of the two replies to "later", the best run promises (only then can it keep its word)
    tooltip = lines[("call", "later")].find("svg:a/svg:title", NS).text
    assert "★ “Завтра к 12:00, обещаю.”" in tooltip and "• “Не знаю, позвоните позже.”" in tooltip
    assert all("on-best-path" in classes(nodes(root)[s]) for s in report.best_path)


def test_what_the_checker_finds_is_marked_on_the_map():
    _s, report, _svg, root = draw(BROKEN)
    assert report.unreachable_steps == ("orphan",)
    found = nodes(root)
    unreachable = found["orphan"]
    assert "is-unreachable" in classes(unreachable) and box(unreachable).get("stroke-dasharray")
    assert "Never reached" in "".join(unreachable.itertext())
    assert "Steps no run reaches" in "".join(root.itertext())  # their band below the map
    assert float(box(unreachable).get("y")) > max(float(box(n).get("y")) for k, n in found.items() if k != "orphan")
    dead = found["stuck"]
    assert "is-dead-end" in classes(dead) and box(dead).get("stroke") == "#b42318"
    assert "Dead end" in "".join(dead.itertext())
    for step in ("loop-a", "loop-b"):
        assert "is-trapped" in classes(found[step]) and box(found[step]).get("stroke") == "#b42318"
    assert "needs" not in {s for s in found if {"is-dead-end", "is-trapped", "is-unreachable"} & classes(found[s])}


def test_a_link_to_a_missing_step_gets_a_red_box_that_links_to_the_reply():
    text = CALL.replace("- [Ничего не делать.](#check)", "- [Ничего не делать.](#check)\n- [Куда-то.](#nowhere)")
    scenario, _r, _svg, root = draw(text, link=lambda line: f"#L{line}")
    missing = nodes(root)["nowhere"]
    assert "is-missing" in classes(missing)
    line = next(r.line for s in scenario.steps for r in s.replies if r.target == "nowhere")
    assert missing.find("svg:a", NS).get("href") == f"#L{line}"
    assert "to-missing" in classes(edges(root)[("later", "nowhere")])


@pytest.mark.parametrize("evil", ["<script>alert(1)</script>", "a & b \"c\" 'd' </title>", "<![CDATA[x]]>"])
def test_every_text_from_the_author_is_escaped(evil):
    text = (CALL.replace("title: Звонок клиента", f"title: {json.dumps(evil)}")
            .replace("## Звонок {#call}", f"## {evil} {{#call}}")
            .replace("[Ничего не делать.]", f"[{evil}]"))
    _s, _r, svg, root = draw(text, link=lambda line: f'/edit?a=1&line={line}"onclick="x')
    assert "<script" not in svg and "<![CDATA" not in svg
    assert root.find(".//svg:script", NS) is None
    assert evil in root.find("svg:title", NS).text
    call = nodes(root)["call"]
    assert call.find("svg:a/svg:title", NS).text.startswith(f"{evil} (#call)")
    assert call.find("svg:a", NS).get("href").endswith('"onclick="x')  # one attribute, its quotes escaped
    assert call.find("svg:a", NS).get("onclick") is None
    assert evil in edges(root)[("later", "check")].find("svg:a/svg:title", NS).text


def test_characters_xml_forbids_are_dropped_and_the_svg_stays_well_formed():
    _s, _r, svg, root = draw(CALL.replace("## Звонок {#call}", "## Зво\x01нок\x0b {#call}"))
    assert "\x01" not in svg and "Звонок" in "".join(nodes(root)["call"].itertext())


def test_right_to_left_mirrors_the_layout():
    _s, _r, _ltr_svg, ltr = draw(CALL)
    _s, _r, _rtl_svg, rtl = draw(CALL, rtl=True, labels=MapLabels(start="البداية", choice="اختيار المتعلم"))
    width = float(ltr.get("width"))
    assert float(rtl.get("width")) == width and "is-rtl" in rtl.get("class") and rtl.get("direction") == "rtl"
    left, right = nodes(ltr), nodes(rtl)
    xs = set()
    for key in left:
        x = float(box(left[key]).get("x"))
        assert float(box(right[key]).get("x")) == pytest.approx(width - x - NODE_W, abs=0.1)
        assert box(right[key]).get("y") == box(left[key]).get("y")
        xs.add(x)
    assert len(xs) > 1  # a real test of mirroring: the boxes do not all sit in one column
    assert "البداية" in "".join(rtl.itertext()) and "اختيار المتعلم" in "".join(right["call"].itertext())


def test_boxes_never_overlap_and_long_titles_are_cut_with_the_full_title_in_the_tooltip():
    long_title = "Очень длинный заголовок шага, который не помещается в две строки узкого прямоугольника никак"
    _s, _r, _svg, root = draw(CALL.replace("## На следующий день {#later}", f"## {long_title} {{#later}}"))
    later = nodes(root)["later"]
    shown = [t.text for t in later.iterfind("svg:a/svg:text[@class='map-node-title']", NS)]
    assert len(shown) == 2 and shown[-1].endswith("…")
    assert later.find("svg:a/svg:title", NS).text.startswith(long_title)
    boxes = [(float(box(n).get("x")), float(box(n).get("y"))) for n in nodes(root).values()]
    for i, (x1, y1) in enumerate(boxes):
        for x2, y2 in boxes[i + 1:]:
            assert abs(x1 - x2) >= NODE_W or y1 != y2


def test_the_summary_lists_the_best_run_and_the_problems():
    scenario, _problems = parse_scenario(BROKEN, "b.md")
    facts = summary(scenario, check_scenario(scenario))
    assert [s.id for s in facts.best_path] == ["start", "needs", "happy"]
    assert [s.id for s in facts.unreachable] == ["orphan"]
    assert [s.id for s in facts.dead_ends] == ["stuck"]
    assert {s.id for s in facts.trapped} == {"loop-a", "loop-b"} and facts.problems == 4
    happy = next(s for s in facts.steps if s.id == "happy")
    assert happy.passes is True and happy.targets == () and happy.outcome_label == "Happy"


def test_a_scenario_whose_check_stops_at_the_cap_is_still_drawn():
    text = CALL.replace("- [Ничего не делать.](#check)", "- [Ничего не делать.](#check)\n- [Ещё раз.](#call) points+1")
    scenario, _problems = parse_scenario(text, "c.md")
    report = check_scenario(scenario, max_states=50)
    assert report.cap_hit
    root = ET.fromstring(draw_map(scenario, report))
    assert set(nodes(root)) == {"call", "later", "check", "kept", "lost"}


def test_text_helpers():
    assert direction("Привет") == "ltr" and direction("  مرحبا") == "rtl" and direction("123") == "ltr"
    assert wrap("one two three", 1000, 13) == ["one two three"]
    assert len(wrap("word " * 40, 100, 13)) == 2 and wrap("word " * 40, 100, 13)[-1].endswith("…")
