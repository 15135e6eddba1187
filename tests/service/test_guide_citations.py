"""Every legal basis the guide cites exists in the official texts, and every quote is verbatim.

The project keeps the cited articles verbatim with their source in knowledge_base/legal_texts.yml, so these tests run
anywhere; where the official texts are present (LEGAL_SOURCES_DIR or ../shared/legal_sources) the kept copy must equal
what the extractor produces from them."""

import pytest

from knowledge_base import legal_texts
from knowledge_base.guide import load_guide
from knowledge_base.legal_texts import (
    KEPT,
    CitationError,
    article_text,
    build,
    chinese_number,
    cited,
    dump,
    extract,
    load_kept,
    sources_dir,
)

HAVE_SOURCES = sources_dir().is_dir()


@pytest.fixture(scope="module")
def entries():
    return load_guide()


@pytest.fixture(scope="module")
def kept():
    return {(r["law"], r["article"]): r for r in load_kept()}


def test_every_cited_article_is_kept(entries, kept):
    missing = [pair for pair in cited(entries) if pair not in kept]
    assert missing == [], f"run python -m knowledge_base.legal_texts; missing {missing}"
    for record in kept.values():
        assert record["text"].strip()
        assert record["file"] and record["repo"] and len(record["commit"]) == 40


def test_every_quote_is_verbatim(entries, kept):
    for entry in entries:
        for basis in entry.basis:
            if basis.quote:
                text = kept[(basis.law, basis.article)]["text"]
                assert basis.quote in text, f"{entry.id}: {basis.law}{basis.article} does not contain {basis.quote!r}"


def test_kept_copy_has_no_uncited_articles(entries, kept):
    assert set(kept) == set(cited(entries))


@pytest.mark.skipif(not HAVE_SOURCES, reason="official texts not present here")
def test_kept_copy_equals_the_official_text(entries):
    records = build(entries)
    assert records == load_kept()
    assert dump(records) == KEPT.read_text(encoding="utf-8")


@pytest.mark.skipif(not HAVE_SOURCES, reason="official texts not present here")
def test_extractor_reads_current_civil_procedure_law():
    text, source = extract("民事诉讼法", "第一百二十二条")
    assert text.startswith("起诉必须符合下列条件：")
    assert text.endswith("属于人民法院受理民事诉讼的范围和受诉人民法院管辖。")
    assert source.file == "民事诉讼法(2023-09-01).md" and source.repo == "LawRefBook/Laws"
    small_claims, _ = extract("民事诉讼法", "第一百六十五条")
    assert "百分之五十以下" in small_claims
    civil, source = extract("民法典", "第一百八十八条")
    assert "三年" in civil and source.file == "民法典/总则.md"
    with pytest.raises(CitationError):
        extract("民事诉讼法", "第九百九十九条")
    with pytest.raises(CitationError):
        extract("不存在的法", "第一条")


def test_article_text_quotes_a_kept_article(kept):
    (law, article), record = next(iter(kept.items()))
    assert article_text(law, article) == record["text"]
    assert article_text("不存在的法", "第一条") is None


def test_article_boundaries(tmp_path, monkeypatch):
    (tmp_path / "示例法(2020-01-01).md").write_text(
        "# 示例法\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n第一条 第一款。\n\n\u200b\n第二款。\n\n"
        "## 第二章 其他\n\n第二条 只有一款。\n第十一条 第一百条不是标题\n",
        encoding="utf-8",
    )
    (tmp_path / "编号规定(2020-01-01).md").write_text(
        "# 编号\n\n1.第一项。\n\n（1）细目；\n\n18.第十八项。\n", encoding="utf-8"
    )
    monkeypatch.setenv("LEGAL_SOURCES_DIR", str(tmp_path))
    legal_texts.reload()
    try:
        assert extract("示例法", "第一条")[0] == "第一款。\n第二款。"
        assert extract("示例法", "第二条")[0] == "只有一款。"
        assert extract("示例法", "第十一条")[0] == "第一百条不是标题"
        assert extract("编号规定", "第一条")[0] == "第一项。\n（1）细目；"
        assert extract("编号规定", "第十八条")[0] == "第十八项。"
    finally:
        legal_texts.reload()


def test_chinese_numbers():
    assert chinese_number("一") == 1
    assert chinese_number("十") == 10
    assert chinese_number("十五") == 15
    assert chinese_number("一百二十二") == 122
    assert chinese_number("一百零三") == 103
    assert chinese_number("一千二百六十") == 1260


def test_everyday_law_names_and_arabic_numbers(kept):
    from knowledge_base.legal_texts import normalize_article, normalize_law, to_chinese_number

    assert normalize_law("民诉法") == "民事诉讼法"
    assert normalize_law("《诉讼费用交纳办法》") == "诉讼费用交纳办法"
    assert normalize_article("122") == "第一百二十二条"
    assert normalize_article("第15条") == "第十五条"
    assert normalize_article("一百零三") == "第一百零三条"
    assert [to_chinese_number(n) for n in (10, 105, 110, 1001, 1260)] == [
        "十",
        "一百零五",
        "一百一十",
        "一千零一",
        "一千二百六十",
    ]
    for number in range(1, 1300):
        assert chinese_number(to_chinese_number(number)) == number
    if ("民事诉讼法", "第一百二十二条") in kept:
        assert article_text("民诉法", "122") == kept[("民事诉讼法", "第一百二十二条")]["text"]
