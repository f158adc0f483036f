"""The report PDF as a reader, a verifier's phone and a printer see it."""

import copy
import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdf
import pypdfium2
import pytest
import zxingcpp
from pypdf.generic import DictionaryObject, PdfObject, StreamObject

from cleanrecord.reports.example import example_snapshot, full_example_snapshot
from cleanrecord.reports.render import render_pdf

pytestmark = pytest.mark.pdf  # every test here issues, renders or reads a real PDF

DOMAINS_CSV = Path(__file__).resolve().parents[2] / "reference" / "data" / "lanzhou" / "domains.csv"
# A private-use code point: no font has a glyph for it, so it is what a missing glyph looks like.
NO_GLYPH = "\ue000"


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    return [page.get_textpage().get_text_bounded() for page in document]


def flat(text: str) -> str:
    # Table cells wrap wherever the width runs out; compare without the line breaks.
    return re.sub(r"\s+", "", text)


def _dictionary(value: PdfObject | None) -> DictionaryObject:
    assert isinstance(value, DictionaryObject), value
    return value


def glyph_chars(pdf: bytes) -> set[str]:
    """The characters for which the embedded font subsets hold a real glyph.

    Typst writes a character no font covers as glyph 0 (.notdef, the tofu box) and gives it no
    ToUnicode entry; every real glyph gets a non-zero id mapped to its character.
    """
    chars: set[str] = set()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        for font in _dictionary(_dictionary(page["/Resources"])["/Font"]).values():
            to_unicode = _dictionary(font.get_object())["/ToUnicode"]
            assert isinstance(to_unicode, StreamObject)
            cmap = to_unicode.get_data().decode("latin-1")
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for cid, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    if int(cid, 16):
                        chars.update(bytes.fromhex(dst).decode("utf-16-be"))
            for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
                for low, high, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                    first = ord(bytes.fromhex(dst).decode("utf-16-be"))
                    chars.update(chr(first + i) for i in range(int(high, 16) - int(low, 16) + 1) if int(low, 16) + i)
    return chars


def all_domains_snapshot() -> dict:
    """The example widened to all 38 domains, six of them with two records each."""
    snapshot = example_snapshot()
    listing = snapshot["details"][0]["records"][0]
    penalty = snapshot["details"][1]["records"][0]
    with DOMAINS_CSV.open(encoding="utf-8") as f:
        domains = list(csv.DictReader(f))
    with_records = {"court-enforcement", "ecology-environment", "work-safety", "market-regulation", "taxation",
                    "fire-safety"}
    snapshot["query"].update(domains=[d["code"] for d in domains], all_domains=True)
    snapshot["summary"], snapshot["details"] = [], []
    for domain in domains:
        records = []
        if domain["code"] in with_records:
            template = listing if domain["code"] == "court-enforcement" else penalty
            for i in range(2):
                record = copy.deepcopy(template)
                record["number"] = f"兰{domain['name']}罚〔2025〕{domain['order']}{i}号"
                records.append(record)
            snapshot["details"].append({"code": domain["code"], "name": domain["name"], "records": records})
            statement = f"查询期内，该主体在本领域存在 {len(records)} 条记录，详见下文"
        else:
            statement = snapshot["rules"]["nothing_found_text"]
        snapshot["summary"].append({"code": domain["code"], "name": domain["name"], "order": int(domain["order"]),
                                    "found": len(records), "statement": statement})
    return snapshot


@pytest.fixture(scope="module")
def example_pdf() -> bytes:
    return render_pdf(example_snapshot())


@pytest.fixture(scope="module")
def long_pdf() -> bytes:
    return render_pdf(all_domains_snapshot())


def test_it_prints_the_report_facts(example_pdf):
    snapshot = example_snapshot()
    text = flat("\n".join(page_texts(example_pdf)))
    for expected in (
        "经营主体专用信用报告",
        "（替代无违法违规记录证明）",
        snapshot["issuer"]["name"],
        snapshot["issuer"]["platform"],
        "兰州𡃁仔餐饮管理有限公司（䶮字号）",
        "91620102492736240N",
        "公司",
        "张三",
        "LZXY-20261126-000123",
        "7KQ2-M9XH-TRW4-CBNJ-5VPE",
        "兰州市",
        "2023年11月27日至2026年11月26日",
        "法院执行、市场监管、税务",
        "金融：申请银行贷款",
        "2026年12月26日",
    ):
        assert flat(expected) in text


def test_it_states_the_result_of_every_domain(example_pdf):
    text = flat("\n".join(page_texts(example_pdf)))
    for row in example_snapshot()["summary"]:
        assert row["name"] in text
        if row["found"] == 0:
            assert flat(row["statement"]) in text
        else:
            assert flat(f"存在 {row['found']} 条记录") in text


def test_it_details_records_with_labels_and_explanation(example_pdf):
    text = flat("\n".join(page_texts(example_pdf)))
    for expected in (
        "（2024）甘0102执1234号",
        "兰州市城关区人民法院",
        "兰市监罚〔2025〕17号",
        "罚款 0.5 万元",
        "2024-05-10 列入，2025-05-10 移出",
        "已修复",
        "异议处理中",
        "情节严重程度说明：不属于重大违法违规行为 — 该违法行为情节轻微，已及时改正，未造成危害后果。"
        "（兰州市市场监督管理局，2025-06-01）",
        # every record kind: the penalty's new fields, the compulsion in its domain, the 刑事 section
        "违法行为类型发布虚假广告", "处罚依据《中华人民共和国广告法》第五十五条第一款", "程序普通程序",
        "行政强制决定书文号兰市监强〔2025〕5号", "强制类型行政强制措施", "强制类别查封场所设施或者财物",
        "事由涉嫌生产经营超过保质期的食品原料", "解除日期2025-09-10", "已解除",
        "五、刑事判决", "案号（2024）甘0102刑初88号", "罪名单位行贿罪", "生效日期2024-09-30", "刑罚罚金30万元",
    ):
        assert flat(expected) in text, expected
    for note in example_snapshot()["notes"]:
        assert flat(note) in text


def test_it_numbers_the_pages(example_pdf):
    texts = page_texts(example_pdf)
    assert len(texts) > 1
    for n, text in enumerate(texts, start=1):
        assert f"第 {n} 页 / 共 {len(texts)} 页" in text


def test_the_qr_code_opens_the_verification_page(example_pdf):
    page = pypdfium2.PdfDocument(example_pdf)[0]
    image = page.render(scale=3).to_pil()
    assert [barcode.text for barcode in zxingcpp.read_barcodes(image)] == [example_snapshot()["verify_url"]]


def test_rare_characters_have_real_glyphs(example_pdf):
    assert {"𡃁", "䶮"} <= glyph_chars(example_pdf)


def test_the_glyph_check_catches_a_missing_glyph():
    # Proves the check above can fail: a character no font covers is reported missing.
    snapshot = example_snapshot()
    snapshot["entity"]["name"] += NO_GLYPH
    assert NO_GLYPH not in glyph_chars(render_pdf(snapshot))


def test_markup_characters_in_a_name_print_literally():
    name = '兰州#[甲]$乙$\\丙"丁"#emph[戊]<己>@庚*辛*_壬_//癸有限公司'
    snapshot = example_snapshot()
    snapshot["entity"]["name"] = name
    text = flat(page_texts(render_pdf(snapshot))[0])
    assert flat(name) in text


def test_every_page_carries_number_and_code(long_pdf):
    texts = page_texts(long_pdf)
    assert len(texts) > 2
    for number, text in enumerate(texts, start=1):
        assert "LZXY-20261126-000123" in text
        assert "7KQ2-M9XH-TRW4-CBNJ-5VPE" in text
        assert f"第 {number} 页 / 共 {len(texts)} 页" in text


def test_an_all_domains_report_lists_every_domain(long_pdf):
    text = flat("\n".join(page_texts(long_pdf)))
    assert "全部38个领域" in text
    for row in all_domains_snapshot()["summary"]:
        assert row["name"] in text
    assert "兰市场监管罚〔2025〕250号" in text


def test_an_all_domains_report_stays_small(long_pdf):
    # The signed file must stay under 300 KB; the signature adds some tens of KB.
    assert len(long_pdf) <= 250 * 1024


def test_only_the_noto_cjk_fonts_are_embedded(example_pdf):
    reader = pypdf.PdfReader(io.BytesIO(example_pdf))
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages for font in page["/Resources"]["/Font"].values()}
    assert fonts
    assert all(re.fullmatch(r"/[A-Z]{6}\+NotoS(erif|ans)CJKsc-.*", font) for font in fonts), fonts


def test_a_report_without_records_has_no_details_section():
    snapshot = example_snapshot()
    snapshot["details"] = []
    snapshot["judgments"] = {"found": 0, "statement": "查询期内，未发现刑事判决记录", "records": []}
    for row in snapshot["summary"]:
        row.update(found=0, statement=snapshot["rules"]["nothing_found_text"])
    text = flat("\n".join(page_texts(render_pdf(snapshot))))
    assert "记录详情" not in text
    assert "四、刑事判决查询期内，未发现刑事判决记录。五、说明" in text


def test_the_same_snapshot_gives_the_same_bytes(example_pdf):
    assert render_pdf(example_snapshot()) == example_pdf


def test_concurrent_renders_do_not_mix_up_reports():
    def render(i: int) -> tuple[str, str]:
        number = f"LZXY-20261126-{i:06d}"
        return number, page_texts(render_pdf(example_snapshot(number=number)))[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        for number, text in pool.map(render, range(8)):
            assert number in text
            assert len(re.findall(r"LZXY-20261126-\d{6}", text)) == text.count(number)


def test_it_renders_without_typst_warnings(caplog):
    render_pdf(example_snapshot(number="LZXY-20261126-999999"))
    assert not [r for r in caplog.records if r.name == "cleanrecord.reports.render"]


def test_the_sample_report_has_every_domain_and_every_record_kind():
    snapshot = full_example_snapshot()
    text = flat("\n".join(page_texts(render_pdf(snapshot))))
    assert len(snapshot["summary"]) == 38 and "全部38个领域" in text
    for title in ("严重失信主体名单", "行政处罚", "行政强制", "四、记录详情", "五、刑事判决", "六、说明"):
        assert title in text
    assert {r["kind"] for block in snapshot["details"] for r in block["records"]} | {
        r["kind"] for r in snapshot["judgments"]["records"]} == {"penalty", "compulsion", "listing", "judgment"}
