"""The letters measured from their PDFs against GB/T 9704-2012 信函格式 (10.1, 7.x), within 1 mm:
发文机关标志, the red double rules, 发文字号, 标题, 主送机关, the 22 × 28 grid of the body, 附件说明, 署名 and
成文日期, 抄送 at the foot of the last page, page numbers. Rendered by the engine itself (no worker)."""

from io import BytesIO

import pdfplumber
import pytest
from django.utils.translation import override

from documents.contexts import context_for
from documents.engine import render_pdf
from documents.enums import DocumentKind as K

MM = 72 / 25.4
PITCH = 156 / 28  # one character of the grid, mm
LINE = 28 / MM  # one line of the grid (28 pt), mm
LEFT, RIGHT, TOP, BOTTOM = 28.0, 184.0, 37.0, 262.0  # the 版心
TOLERANCE = 1.0
BODY = ("围绕集成电路产业链建立专利分析与产业运行决策深度融合持续互动的产业决策机制追踪产业关键技术的国内外"
        "专利动态排查识别预警专利风险推动专利资源专业化集聚一体化运营。")
ZONE = "苏州工业园区国家专利导航产业发展实验区"


def approval_data(text):
    return {"approved": True, "document_number": "国知办函管字〔2026〕12号", "text": text, "date": "2026-05-10",
            "bureau": "江苏省知识产权局", "addressee": "江苏省知识产权局", "version": 1,
            "issuer": "国家知识产权局办公室", "zone_name": ZONE, "applicant_name": "苏州市人民政府",
            "city": "苏州市", "industry_name": "纳米技术与集成电路", "call_title": "2026年度申报",
            "plan_years": [{"year": 2027, "output_target": "300.00", "patented_sales_target": "255.00",
                            "rd_target": "18.00"}],
            "attachments": [f"{ZONE}年度建设目标"], "copy_to": ["苏州市人民政府"]}


def opinion_data(text):
    return {"opinion": text, "date": "2026-04-20", "version": 1, "rank": 1, "document_number": "苏知函〔2026〕3号",
            "snapshot": {"zone_name": ZONE, "applicant_name": "苏州市人民政府", "host_park": "苏州工业园区",
                         "industry_name": "纳米技术与集成电路"},
            "eligibility": [{"code": "gross_output", "title_zh-hans": "上一年度工业总产值", "kind": "hard",
                             "figure": "486.50", "threshold": "30", "status": "pass"}],
            "issuer": "江苏省知识产权局", "bureau": "江苏省知识产权局", "addressee": "国家知识产权局专利管理司",
            "attachments": [f"{ZONE}申报条件审核情况", f"{ZONE}申报材料"], "copy_to": ["苏州市人民政府"]}


def measure(kind, data):
    with override("zh-hans"):
        pdf = render_pdf(f"documents/{'approval' if kind == K.APPROVAL else 'provincial_opinion'}.html",
                         context_for(kind, data, None))
    pages = []
    with pdfplumber.open(BytesIO(pdf)) as doc:
        for page in doc.pages:
            rows = {}
            for c in page.chars:
                rows.setdefault(round(c["top"], 1), []).append(c)
            lines = []
            for top in sorted(rows):
                chars = sorted(rows[top], key=lambda c: c["x0"])
                lines.append({"text": "".join(c["text"] for c in chars), "top": top / MM,
                              "bottom": chars[0]["bottom"] / MM, "x0": chars[0]["x0"] / MM,
                              "x1": chars[-1]["x1"] / MM, "size": chars[0]["size"], "chars": chars})
            red = [{"top": r["top"] / MM, "bottom": r["bottom"] / MM, "x0": r["x0"] / MM, "x1": r["x1"] / MM}
                   for r in page.rects if _is_red(r.get("non_stroking_color"))]
            pages.append({"lines": lines, "red": red})
    return pages


def _is_red(color):
    return bool(color) and len(color) == 3 and color[0] > 0.8 and color[1] < 0.2 and color[2] < 0.2


def line_with(page, text):
    return next(line for line in page["lines"] if line["text"].startswith(text))


@pytest.fixture(scope="module")
def long_approval():
    return measure(K.APPROVAL, approval_data("\n".join([BODY * 3] * 6)))


@pytest.fixture(scope="module")
def opinion():
    return measure(K.PROVINCIAL_OPINION, opinion_data(BODY * 2))


def near(value, expected):
    return abs(value - expected) <= TOLERANCE


@pytest.mark.parametrize("which", ["long_approval", "opinion"])
def test_letter_head_follows_the_letter_format(request, which):
    first = request.getfixturevalue(which)[0]
    mark = first["lines"][0]
    assert near(mark["top"], 30.0), mark  # 发文机关标志: top edge 30 mm from the top of the page
    assert all(_is_red(c["non_stroking_color"]) for c in mark["chars"])
    assert near((mark["x0"] + mark["x1"]) / 2, (LEFT + RIGHT) / 2)  # centred
    upper = min(first["red"], key=lambda r: r["top"])
    lower = max(first["red"], key=lambda r: r["bottom"])
    assert near(upper["top"], mark["bottom"] + 4.0), (upper, mark)  # 4 mm under the mark
    for rule in (upper, lower):
        assert near(rule["x1"] - rule["x0"], 170.0) and near(rule["x0"], 21.0), rule  # 170 mm, centred on the 版心
    assert near(lower["bottom"], 297.0 - 20.0), lower  # 20 mm from the foot of the page
    upper_bottom = max(r["bottom"] for r in first["red"] if r["top"] < 100)
    number = first["lines"][1]
    assert "〔2026〕" in number["text"]
    assert near(number["x1"], RIGHT), number  # 发文字号 flush right on the 版心
    assert near(number["top"], upper_bottom + 7 / 8 * 16 / MM), number  # 7/8 of a 3号 character under the rule
    title = [line for line in first["lines"] if line["size"] == pytest.approx(22, abs=0.1)]
    assert title and near(title[0]["top"], number["bottom"] + 2 * LINE), title[0]  # two lines below
    assert all(near((t["x0"] + t["x1"]) / 2, (LEFT + RIGHT) / 2) for t in title)  # centred
    addressee = first["lines"][1 + len(title) + 1]
    assert addressee["text"].endswith("\uff1a")  # 主送机关 ends with a full-width colon
    assert near(addressee["x0"], LEFT) and near(addressee["top"], title[-1]["bottom"] + LINE), addressee


def test_page_one_has_no_page_number_and_later_pages_have_them_where_the_standard_puts_them(long_approval):
    assert not any(line["text"].startswith("\u2014") for line in long_approval[0]["lines"])
    assert len(long_approval) >= 3
    for n, page in enumerate(long_approval[1:], start=2):
        number = line_with(page, "\u2014")
        assert number["text"].replace(" ", "") == f"\u2014{n}\u2014"
        assert number["size"] == pytest.approx(14, abs=0.1)  # 4号
        assert near((number["top"] + number["bottom"]) / 2, BOTTOM + 7.0), number  # dashes 7 mm under the 版心
        if n % 2:  # odd pages right, even pages left, one 4号 character in
            assert near(number["x1"], RIGHT - 14 / MM), number
        else:
            assert near(number["x0"], LEFT + 14 / MM), number


def test_body_is_set_on_the_22_by_28_grid(long_approval):
    body = [line for page in long_approval for line in page["lines"]
            if line["size"] == pytest.approx(16, abs=0.1) and line["top"] < BOTTOM]
    full = [line for line in body if near(line["x1"], RIGHT) and near(line["x0"], LEFT)]
    assert len(full) > 40
    assert all(len(line["text"]) == 28 for line in full), [line["text"] for line in full if len(line["text"]) != 28]
    starts = [line for line in body if near(line["x0"], LEFT + 2 * PITCH) and near(line["x1"], RIGHT)]
    assert starts and all(len(line["text"]) == 26 for line in starts)  # 左空二字: 26 + 2 = 28
    # A page of body text only holds 22 lines at a 28 pt pitch.
    second = [line for line in long_approval[1]["lines"] if line["size"] == pytest.approx(16, abs=0.1)]
    assert len(second) == 22
    pitches = {round(b["top"] - a["top"], 2) for a, b in zip(second, second[1:], strict=False)}
    assert all(near(p, LINE) for p in pitches), pitches


def test_attachment_signature_date_and_copy_line(long_approval):
    last = long_approval[-1]
    signed = next(page for page in long_approval if any(line["text"] == "2026\u5e745\u670810\u65e5"
                                                        for line in page["lines"]))
    date = line_with(signed, "2026\u5e74")
    issuer = next(line for line in signed["lines"] if line["text"] == "国家知识产权局办公室")
    assert near(date["x1"], RIGHT - 4 * PITCH), date  # 成文日期 右空四字
    assert near((issuer["x0"] + issuer["x1"]) / 2, (date["x0"] + date["x1"]) / 2)  # 署名 centred over the date
    assert near(date["top"] - issuer["top"], LINE)
    attachment = line_with(signed, "附件\uff1a")
    assert near(attachment["x0"], LEFT + 2 * PITCH), attachment  # 左空二字
    after = signed["lines"][signed["lines"].index(attachment) + 1]
    assert near(after["x0"], LEFT + 5 * PITCH), after  # a second line aligns after "附件："
    assert near(issuer["top"] - after["bottom"], 2 * LINE + (LINE - 16 / MM)), "署名 two lines under the text"
    copy = line_with(last, "抄送\uff1a")
    assert copy["text"].endswith("\u3002") and copy["size"] == pytest.approx(14, abs=0.1)
    assert near(copy["x0"], LEFT + 14 / MM), copy  # one 4号 character in
    assert BOTTOM - LINE <= copy["bottom"] <= BOTTOM, copy  # the last line of the 版心 on the last page
    assert not any(line["text"].startswith("抄送") for page in long_approval[:-1] for line in page["lines"])


def test_the_recommendation_letter_does_not_repeat_itself(opinion):
    text = "".join(line["text"] for page in opinion for line in page["lines"])
    assert text.count("经审核") <= 1
    assert "实验区申报国家专利导航产业发展实验区" not in text
    assert "苏知函〔2026〕3号" in text and "抄送\uff1a苏州市人民政府\u3002" in text
