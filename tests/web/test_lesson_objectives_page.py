"""A lesson's objectives at the top of the learner's page, in the edition's language."""
import re

FILES = {
    "course.md": "---\ntitle: Курс\nlanguage: ru\nmodules: [01-m]\n---\nОписание.\n",
    "course.en.md": "---\ntitle: Course\n---\nAbout.\n",
    "course.ar.md": "---\ntitle: دورة\nfallback: en\n---\nنبذة.\n",
    "01-m/module.md": "---\ntitle: Модуль\n---\n",
    "01-m/01-formula.md": ("---\ntitle: Формула\nobjectives:\n  - Считать удовлетворённость клиента\n"
                           "  - Отличать ожидания от реальности\n---\nТекст урока.\n"),
    "01-m/01-formula.en.md": ("---\ntitle: The formula\nobjectives:\n  - Work out a customer's satisfaction\n"
                              "  - Keep <b>promises</b> & deadlines\n---\nThe lesson.\n"),
    "01-m/01-formula.ar.md": "---\ntitle: المعادلة\nobjectives:\n  - أن تحسب رضا العميل\n---\nنص الدرس.\n",
    "01-m/02-plain.md": "---\ntitle: Без целей\n---\nТекст.\n",
}
URL = "/training/courses/objectives/01-m/"


def objectives_box(html: str) -> str | None:
    match = re.search(r'<section class="lesson-objectives".*?</section>', html, re.S)
    return match.group(0) if match else None


def items(box: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", box)


def test_the_lesson_page_opens_with_its_objectives_in_the_editions_language(client, auth, runner, tmp_path):
    folder = tmp_path / "objectives"
    for path, text in FILES.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_text(text, encoding="utf-8")
    assert runner.invoke(args=["lms", "courses", "import", str(tmp_path)]).exit_code == 0
    auth.as_role("learner")
    token = auth.csrf("/training/courses/objectives/")

    client.post("/training/courses/objectives/edition", data={"language": "ru", "csrf_token": token})
    russian = client.get(URL + "01-formula", headers={"Accept-Language": "en"}).get_data(as_text=True)
    box = objectives_box(russian)
    assert box is not None and "In this lesson you will learn to:" in box
    assert items(box) == ["Считать удовлетворённость клиента", "Отличать ожидания от реальности"]
    assert russian.index("lesson-objectives") < russian.index("Текст урока.")  # at the top, before the text

    client.post("/training/courses/objectives/edition", data={"language": "en", "csrf_token": token})
    english = objectives_box(client.get(URL + "01-formula", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert items(english) == ["Work out a customer&#39;s satisfaction", "Keep &lt;b&gt;promises&lt;/b&gt; &amp; deadlines"]

    client.post("/training/courses/objectives/edition", data={"language": "ar", "csrf_token": token})
    arabic = client.get(URL + "01-formula", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in arabic and items(objectives_box(arabic)) == ["أن تحسب رضا العميل"]

    assert objectives_box(client.get(URL + "02-plain").get_data(as_text=True)) is None  # no objectives: no box
