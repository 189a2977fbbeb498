"""Server-side SVG charts: valid markup, text alternatives, no inline style, sizes that follow the data."""
import xml.etree.ElementTree as ET

from lms.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ET.Element:
    assert "style=" not in markup and "<script" not in markup
    return ET.fromstring(markup)


def test_every_chart_has_a_title_and_description_it_is_labelled_by():
    for markup in (charts.line_chart("c1", [(1, 1), (3, 4)], title="T <1>", desc="D & more"),
                   charts.bar_chart("c2", [1, 2], ["a", "b"], title="T", desc="D"),
                   charts.progress_bars("c3", [("x", 1, 2, "1 / 2")], title="T", desc="D")):
        svg = parse(markup)
        chart_id = svg.get("id")
        assert svg.get("role") == "img"
        assert svg.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
        assert svg.find(f"{SVG}title").get("id") == f"{chart_id}-title"
        assert svg.find(f"{SVG}desc").get("id") == f"{chart_id}-desc"
    svg = parse(charts.line_chart("c1", [(1, 1)], title="T <1>", desc="D & more"))
    assert svg.find(f"{SVG}title").text == "T <1>" and svg.find(f"{SVG}desc").text == "D & more"


def test_bars_are_as_tall_as_their_counts():
    svg = parse(charts.bar_chart("h", [0, 2, 4], ["0-9", "10-19", "20-29"], title="T", desc="D"))
    heights = [float(rect.get("height")) for rect in svg.iter(f"{SVG}rect")]
    assert heights[0] == 0 and heights[2] == 2 * heights[1] > 0
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "0-9" in labels and "4" in labels


def test_the_line_rises_with_each_point_and_marks_it():
    svg = parse(charts.line_chart("l", [(0, 1), (5, 3), (6, 7)], title="T", desc="D", x_labels=("May 1", "May 7")))
    dots = list(svg.iter(f"{SVG}circle"))
    assert len(dots) == 3
    ys = [float(dot.get("cy")) for dot in dots]
    assert ys[0] > ys[1] > ys[2]  # higher counts are drawn higher up
    assert [t.text for t in svg.iter(f"{SVG}text")][-2:] == ["May 1", "May 7"]


def test_progress_bars_share_one_scale_and_outline_the_best():
    svg = parse(charts.progress_bars("p", [("Speed", 1.0, 2.0, "1 / 2"), ("Needs", 2.0, 4.0, "2 / 4")],
                                     title="T", desc="D"))
    best = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-best"]
    bars = [float(r.get("width")) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]
    assert best[1] == 2 * best[0] and bars == [best[0] / 2, best[1] / 2]


def test_empty_data_still_makes_a_labelled_chart():
    for markup in (charts.line_chart("e1", [], title="T", desc="D"), charts.bar_chart("e2", [], [], title="T", desc="D"),
                   charts.progress_bars("e3", [], title="T", desc="D")):
        assert parse(markup).find(f"{SVG}title").text == "T"
