"""Draw the built-in course's diagrams, one SVG per language: the satisfaction formula (module 1),
the loyalty ladder and the touchpoint map (module 2).

The SVGs in the course are what learners see and what `courses check` checks (shapes and text only,
see lms/core/svg.py); this script is how they were drawn. To change a diagram, edit its words or
layout here and run `.venv/bin/python scripts/course_diagrams.py`, then look at the result.
"""
from html import escape
from pathlib import Path

COURSE = Path(__file__).resolve().parents[1] / "courses" / "service-excellence"
FONT = {"ltr": "'Noto Sans', 'Segoe UI', Arial, sans-serif",
        "rtl": "'Noto Sans Arabic', 'Noto Sans', 'Segoe UI', Tahoma, Arial, sans-serif"}
ACCENT, MUTED, TEXT = "#1f4e79", "#5a626e", "#1c2026"
RED, GREY, GREEN = "#b3261e", "#6b7280", "#2e7d32"
RED_BG, GREY_BG, GREEN_BG, BLUE_BG = "#fdecea", "#f1f3f5", "#e8f5e9", "#e7eef6"


class Svg:
    def __init__(self, width, height, lang, title, desc):
        self.w, self.h, self.lang = width, height, lang
        self.rtl = lang == "ar"
        self.parts = []
        self.title, self.desc = title, desc

    def x(self, x):
        return self.w - x if self.rtl else x

    def anchor(self, anchor):
        return anchor  # with direction="rtl", "start" is already the right-hand end

    def rect(self, x, y, w, h, fill, stroke="none", rx=8, width=1.5):
        left = self.w - x - w if self.rtl else x
        self.parts.append(f'<rect x="{left:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="{rx:g}" fill="{fill}" '
                          f'stroke="{stroke}" stroke-width="{width:g}"/>')

    def text(self, x, y, lines, size=15, weight="normal", fill=TEXT, anchor="start", gap=1.3):
        if isinstance(lines, str):
            lines = [lines]
        spans = "".join(
            f'<tspan x="{self.x(x):g}" dy="{0 if i == 0 else size * gap:g}">{escape(line)}</tspan>'
            for i, line in enumerate(lines))
        direction = ' direction="rtl"' if self.rtl else ""
        self.parts.append(f'<text x="{self.x(x):g}" y="{y:g}" font-size="{size:g}" font-weight="{weight}" '
                          f'fill="{fill}" text-anchor="{self.anchor(anchor)}"{direction}>{spans}</text>')

    def line(self, x1, y1, x2, y2, stroke=MUTED, width=2, arrow=False, dash=None):
        extra = ' marker-end="url(#arrow)"' if arrow else ""
        extra += f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{self.x(x1):g}" y1="{y1:g}" x2="{self.x(x2):g}" y2="{y2:g}" stroke="{stroke}" '
                          f'stroke-width="{width:g}"{extra}/>')

    def circle(self, x, y, r, fill, stroke="none"):
        self.parts.append(f'<circle cx="{self.x(x):g}" cy="{y:g}" r="{r:g}" fill="{fill}" stroke="{stroke}" '
                          f'stroke-width="2"/>')

    def path(self, d, fill="none", stroke=MUTED, width=2, arrow=False, dash=None):
        extra = ' marker-end="url(#arrow)"' if arrow else ""
        extra += f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="{width:g}"{extra}/>')

    def save(self, path):
        body = "\n  ".join(self.parts)
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.w} {self.h}" width="{self.w}" '
               f'height="{self.h}" role="img" aria-labelledby="title desc" xml:lang="{self.lang}" '
               f'font-family="{FONT["rtl" if self.rtl else "ltr"]}">\n'
               f'  <title id="title">{escape(self.title)}</title>\n'
               f'  <desc id="desc">{escape(self.desc)}</desc>\n'
               f'  <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
               f'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{MUTED}"/></marker></defs>\n'
               f'  <rect x="0" y="0" width="{self.w}" height="{self.h}" fill="#ffffff"/>\n'
               f'  {body}\n</svg>\n')
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(svg, encoding="utf-8")


def suffix(lang):
    return "" if lang == "ru" else f".{lang}"


# ---------------------------------------------------------------- the formula
FORMULA = {
    "ru": dict(title="Формула удовлетворённости: реальность минус ожидания",
               desc="Удовлетворённость клиента равна реальности минус ожидания. Результат меньше нуля — "
                    "разочарование: клиент уходит и отговаривает других. Около нуля — «нормально»: клиент забывает "
                    "о вас. Больше нуля — приятное удивление: клиент возвращается и рекомендует вас.",
               boxes=[("Реальность", ["что клиент получил", "и пережил"]), ("Ожидания", ["на что он рассчитывал", "заранее"]),
                      ("Удовлетворённость", ["итог, который", "подводит клиент"])],
               outcomes=[("Меньше нуля", ["Разочарование:", "уходит, жалуется,", "отговаривает других"]),
                         ("Около нуля", ["«Нормально»:", "забывает о вас", "и уходит к дешёвым"]),
                         ("Больше нуля", ["Приятное удивление:", "возвращается", "и рекомендует"])]),
    "en": dict(title="The satisfaction formula: reality minus expectations",
               desc="Customer satisfaction equals reality minus expectations. Below zero means disappointment: the "
                    "customer leaves and talks others out of buying. About zero means 'fine': the customer forgets "
                    "you. Above zero means a pleasant surprise: the customer comes back and recommends you.",
               boxes=[("Reality", ["what the customer got", "and lived through"]),
                      ("Expectations", ["what they counted on", "beforehand"]),
                      ("Satisfaction", ["the sum the", "customer does"])],
               outcomes=[("Below zero", ["Disappointment:", "leaves, complains,", "talks others out of it"]),
                         ("About zero", ["\u201cFine\u201d:", "forgets you, leaves", "for a cheaper option"]),
                         ("Above zero", ["Pleasant surprise:", "comes back", "and recommends you"])]),
    "ar": dict(title="معادلة الرضا: الواقع ناقص التوقعات",
               desc="رضا العميل يساوي الواقع ناقص التوقعات. النتيجة السالبة خيبة أمل: يرحل العميل ويُثني غيره عن "
                    "الشراء. والنتيجة القريبة من الصفر «لا بأس»: ينساك العميل. والنتيجة الموجبة مفاجأة سارة: "
                    "يعود العميل ويوصي بك.",
               boxes=[("الواقع", ["ما حصل عليه العميل", "وعاشه فعلًا"]), ("التوقعات", ["ما كان ينتظره", "مسبقًا"]),
                      ("الرضا", ["الحصيلة التي", "يخرج بها العميل"])],
               outcomes=[("أقل من الصفر", ["خيبة أمل:", "يرحل ويشتكي", "ويُثني غيره"]),
                         ("قرب الصفر", ["«لا بأس»:", "ينساك ويذهب", "إلى الأرخص"]),
                         ("أكثر من الصفر", ["مفاجأة سارة:", "يعود", "ويوصي بك"])]),
}


def formula(lang):
    t = FORMULA[lang]
    s = Svg(620, 300, lang, t["title"], t["desc"])
    xs, width = [8, 222, 436], 176
    for (label, sub), x in zip(t["boxes"], xs, strict=True):
        result = label == t["boxes"][2][0]
        s.rect(x, 14, width, 104, "#ffffff" if result else BLUE_BG, ACCENT, width=3 if result else 2)
        s.text(x + width / 2, 50, label, 15.5, "bold", ACCENT, "middle")
        s.text(x + width / 2, 78, sub, 14, fill=MUTED, anchor="middle")
    s.text(203, 80, "\u2212", 38, "bold", ACCENT, "middle")
    s.text(417, 80, "=", 38, "bold", ACCENT, "middle")
    # from the result down to the three outcomes
    centres = [x + width / 2 for x in xs]
    s.line(centres[2], 118, centres[2], 144)
    s.line(centres[0], 144, centres[2], 144)
    for x in centres:
        s.line(x, 144, x, 164, arrow=True)
    for (label, lines), x, colour, background in zip(t["outcomes"], xs, [RED, GREY, GREEN],
                                                     [RED_BG, GREY_BG, GREEN_BG], strict=True):
        s.rect(x, 170, width, 122, background, colour)
        s.text(x + width / 2, 200, label, 17, "bold", colour, "middle")
        s.text(x + width / 2, 232, lines, 15, anchor="middle", gap=1.35)
    s.save(COURSE / "01-formula" / "images" / f"formula{suffix(lang)}.svg")


# ---------------------------------------------------------------- the loyalty ladder
LADDER = {
    "ru": dict(title="Лестница лояльности",
               desc="Четыре ступени: доволен, покупает повторно, лоялен, рекомендует. На каждую следующую ступень "
                    "поднимается лишь часть клиентов. Те, кого привели по рекомендации, начинают с первой ступени.",
               steps=[("Доволен", ["первая покупка", "прошла", "хорошо"]), (["Покупает", "повторно"], ["вспоминает о вас,", "когда нужно снова"]),
                      ("Лоялен", ["остаётся,", "даже если", "рядом дешевле"]), ("Рекомендует", ["приводит", "коллег, друзей,", "родных"])],
               note="На каждую ступень поднимается лишь часть клиентов",
               back="Новые клиенты по рекомендации начинают с первой ступени"),
    "en": dict(title="The loyalty ladder",
               desc="Four steps: satisfied, buys again, loyal, recommends. Only some customers climb to each next "
                    "step. The people they bring in start again at the first step.",
               steps=[("Satisfied", ["the first", "purchase", "went well"]), ("Buys again", ["remembers you", "when the need", "comes back"]),
                      ("Loyal", ["stays even when", "a cheaper option", "is nearby"]), ("Recommends", ["brings in", "colleagues,", "friends, family"])],
               note="Only some customers climb each step",
               back="People who come on a recommendation start at the first step"),
    "ar": dict(title="سُلَّم الولاء",
               desc="أربع درجات: راضٍ، ثم يشتري مرة أخرى، ثم وفيّ، ثم يوصي بك. لا يصعد إلى كل درجة تالية إلا جزء من "
                    "العملاء. ومن يأتون بتوصية يبدؤون من الدرجة الأولى.",
               steps=[("راضٍ", ["جرت أول", "عملية شراء", "على ما يرام"]), (["يشتري", "مرة أخرى"], ["يتذكرك حين", "تتجدد حاجته"]),
                      ("وفيّ", ["يبقى معك", "ولو وُجد الأرخص", "بجوارك"]), ("يوصي بك", ["يأتيك بزملائه", "وأصدقائه", "وأقاربه"])],
               note="لا يصعد إلى كل درجة إلا جزء من العملاء",
               back="من يأتون بتوصية يبدؤون من الدرجة الأولى"),
}


def ladder(lang):
    t = LADDER[lang]
    s = Svg(620, 400, lang, t["title"], t["desc"])
    width, rise, base = 146, 52, 318
    shades = ["#dbe6f1", "#c3d5e8", "#a9c3de", ACCENT]
    for i, ((label, lines), shade) in enumerate(zip(t["steps"], shades, strict=True)):
        x = 8 + i * (width + 8)
        top = base - 70 - (i + 1) * rise
        s.rect(x, top, width, base - top, shade, "none", rx=6)
        colour = "#ffffff" if i == 3 else ACCENT
        label_lines = label if isinstance(label, list) else [label]
        s.text(x + width / 2, top + 28, label_lines, 16, "bold", colour, "middle", gap=1.2)
        s.text(x + width / 2, top + 34 + 19 * len(label_lines), lines, 14, fill="#ffffff" if i == 3 else TEXT,
               anchor="middle")
    s.text(8, 28, t["note"], 15, "bold", ACCENT)
    # the people recommended start again at the bottom
    right, left = 8 + 3 * (width + 8) + width / 2, 8 + width / 2
    s.path(f"M {s.x(right):g} {base + 4} C {s.x(right):g} {base + 46}, {s.x(left):g} {base + 46}, {s.x(left):g} {base + 8}",
           stroke=GREEN, width=2, arrow=True, dash="6 5")
    s.text(310, base + 66, t["back"], 14.5, fill=GREEN, anchor="middle")
    s.save(COURSE / "02-three-keys" / "images" / f"loyalty-ladder{suffix(lang)}.svg")


# ---------------------------------------------------------------- the touchpoint map
TOUCHPOINTS = {
    "ru": dict(title="Карта точек контакта: путь покупателя в супермаркете",
               desc="Путь покупателя от рекламы до покупок дома проходит через шесть точек контакта, и в каждой "
                    "впечатление может испортиться. Реклама: акции нет в магазине. Магазин: тесная парковка, грязный "
                    "вход. Цены: ценник не совпал с кассой. Сотрудники: не знают, где товар, или отвечают грубо. Охрана: грубо "
                    "просит показать сумку. Касса и выдача: работает одна касса из шести.",
               heading="Путь покупателя: от рекламы до покупок дома",
               legend="Под каждой точкой — что может пойти не так",
               points=[("Реклама", ["акции нет", "в магазине"]), ("Магазин", ["тесная парковка,", "грязный вход"]),
                       ("Цены", ["ценник не совпал", "с кассой"]), ("Сотрудники", ["не знают, где товар,", "отвечают грубо"]),
                       ("Охрана", ["грубо просит", "показать сумку"]), ("Касса и выдача", ["одна касса", "из шести"])]),
    "en": dict(title="Touchpoint map: a shopper's path through a supermarket",
               desc="A shopper's path from the advert to the shopping unpacked at home passes six touchpoints, and "
                    "at each the impression can go wrong. Advert: the offer is not in the shop. Shop: cramped "
                    "parking, a dirty entrance. Prices: the shelf label does not match the till. Staff: do not know "
                    "where things are, or are rude. Security: rudely asks to see a bag. Checkout: one till open out "
                    "of six.",
               heading="The shopper's path: from the advert to the shopping at home",
               legend="Under each touchpoint: what can go wrong",
               points=[("Advert", ["the offer is not", "in the shop"]), ("Shop", ["cramped parking,", "dirty entrance"]),
                       ("Prices", ["label does not", "match the till"]), ("Staff", ["don't know where", "things are, or rude"]),
                       ("Security", ["rudely asks", "to see a bag"]), ("Checkout", ["one till open", "out of six"])]),
    "ar": dict(title="خريطة نقاط الاتصال: رحلة المتسوق في متجر كبير",
               desc="تمر رحلة المتسوق من الإعلان حتى تفريغ المشتريات في البيت بست نقاط اتصال، وفي كل منها قد "
                    "يسوء الانطباع. الإعلان: العرض غير موجود في المتجر. المتجر: موقف ضيق ومدخل متسخ. الأسعار: "
                    "السعر على الرف يخالف ما عند الصندوق. الموظفون: لا يعرفون مكان السلعة أو يردّون بجفاء. "
                    "الأمن: يطلب تفتيش الحقيبة بفظاظة. الدفع والتسليم: صندوق واحد يعمل من أصل ستة.",
               heading="رحلة المتسوق: من الإعلان إلى المشتريات في البيت",
               legend="تحت كل نقطة: ما الذي قد يسوء فيها",
               points=[("الإعلان", ["العرض غير موجود", "في المتجر"]), ("المتجر", ["موقف ضيق", "ومدخل متسخ"]),
                       ("الأسعار", ["سعر الرف يخالف", "سعر الصندوق"]), ("الموظفون", ["لا يعرفون السلعة", "أو يردّون بجفاء"]),
                       ("الأمن", ["يطلب تفتيش", "الحقيبة بفظاظة"]), ("الدفع والتسليم", ["صندوق واحد يعمل", "من أصل ستة"])]),
}


def touchpoints(lang):
    t = TOUCHPOINTS[lang]
    s = Svg(620, 400, lang, t["title"], t["desc"])
    s.text(8, 28, t["heading"], 17, "bold", ACCENT)
    s.text(8, 52, t["legend"], 14.5, fill=MUTED)
    rows, columns = (122, 292), (105, 310, 515)
    x = s.x
    s.path(f"M {x(30):g} {rows[0]} H {x(560):g} C {x(608):g} {rows[0]}, {x(608):g} {rows[1]}, {x(560):g} {rows[1]} "
           f"H {x(34):g}", stroke=ACCENT, width=3, arrow=True)
    # the path runs along the first row, turns, and comes back along the second
    places = [(columns[i], rows[0]) for i in range(3)] + [(columns[2 - i], rows[1]) for i in range(3)]
    for (cx, cy), (label, lines) in zip(places, t["points"], strict=True):
        s.circle(cx, cy, 13, "#ffffff", ACCENT)
        s.circle(cx, cy, 6, ACCENT)
        s.text(cx, cy - 24, label, 16, "bold", ACCENT, "middle")
        s.rect(cx - 92, cy + 30, 184, 64, RED_BG, RED, rx=6, width=1.2)
        s.line(cx, cy + 14, cx, cy + 30, RED, 1.5)
        s.text(cx, cy + 57, lines, 14, fill=TEXT, anchor="middle")
    s.save(COURSE / "02-three-keys" / "images" / f"touchpoint-map{suffix(lang)}.svg")


if __name__ == "__main__":
    for language in ("ru", "en", "ar"):
        formula(language)
        ladder(language)
        touchpoints(language)
