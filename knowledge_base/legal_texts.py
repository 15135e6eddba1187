"""Verbatim text of the articles the guide cites, kept in knowledge_base/legal_texts.yml with its source.

`python -m knowledge_base.legal_texts` reads every citation (law, article) of the guide, extracts each article
verbatim from the official texts in LEGAL_SOURCES_DIR (default: ../shared/legal_sources next to the project)
and writes legal_texts.yml with the source file, repository and commit from SOURCES.tsv. `--check` only
compares and exits 1 when the kept copy differs. `article_text(law, article)` is what the service center uses
to quote an article when a litigant asks "依据是什么".

Law names are the source file titles without the date, e.g. 民事诉讼法 for 民事诉讼法(2023-09-01).md; 民法典
is the folder 民法典/ (one file per book, articles numbered through the whole code). An article runs from its
"第…条" line to the next article or heading; blank lines are dropped and paragraphs joined with a newline.
Files numbered "1." instead of "第一条" (执行工作规定) are read the same way, 第十八条 meaning item 18.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KEPT = Path(__file__).resolve().parent / "legal_texts.yml"
CIVIL_CODE = "民法典"

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL = "零一二三四五六七八九十百千"
ARTICLE_LINE = re.compile(rf"^第([{_NUMERAL}]+)条[ \u3000]+(.*)$")
ITEM_LINE = re.compile(r"^(\d+)\.(.*)$")
DATED_TITLE = re.compile(r"^(.*)\((\d{4}-\d{2}-\d{2})\)$")
_INVISIBLE = str.maketrans("", "", "\u200b\ufeff")


class CitationError(LookupError):
    """A cited law or article is not in the official texts."""


def sources_dir() -> Path:
    """The official texts: $LEGAL_SOURCES_DIR, else the first shared/legal_sources above the project root."""
    env = os.environ.get("LEGAL_SOURCES_DIR")
    if env:
        return Path(env)
    for base in (PROJECT_ROOT.parent, PROJECT_ROOT.parent.parent):
        candidate = base / "shared" / "legal_sources"
        if candidate.is_dir():
            return candidate
    return PROJECT_ROOT.parent / "shared" / "legal_sources"


def chinese_number(text: str) -> int:
    """一百二十二 -> 122, 十五 -> 15, 一千零一 -> 1001."""
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (digit or 1) * _UNITS[char]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {text!r}")
    return total + digit


@dataclass(frozen=True)
class Source:
    law: str
    file: str  # path relative to the sources folder
    repo: str
    path: str
    commit: str


def _sources_tsv(root: Path) -> dict[str, tuple[str, str, str]]:
    table = root / "SOURCES.tsv"
    if not table.exists():
        return {}
    with open(table, encoding="utf-8", newline="") as handle:
        return {
            row["file"]: (row["repo"], row["path"], row["commit"]) for row in csv.DictReader(handle, delimiter="\t")
        }


def law_files(root: Path | None = None) -> dict[str, list[Source]]:
    """Law name -> its source files (several for 民法典)."""
    root = root or sources_dir()
    tsv = _sources_tsv(root)
    laws: dict[str, list[Source]] = {}
    files = sorted(root.glob("*.md")) + sorted((root / CIVIL_CODE).glob("*.md"))
    for file in files:
        relative = file.relative_to(root).as_posix()
        if file.parent.name == CIVIL_CODE:
            law = CIVIL_CODE
        else:
            match = DATED_TITLE.match(file.stem)
            law = match.group(1) if match else file.stem
        key = relative if relative in tsv else file.name
        repo, path, commit = tsv.get(key, ("", "", ""))
        laws.setdefault(law, []).append(Source(law, relative, repo, path, commit))
    return laws


@lru_cache(maxsize=64)
def _parse(file: Path) -> dict[int, str]:
    """Article number -> verbatim text (paragraphs joined by newline) for one source file."""
    lines = [line.translate(_INVISIBLE).rstrip() for line in file.read_text(encoding="utf-8").splitlines()]
    if "<!-- INFO END -->" in lines:
        lines = lines[lines.index("<!-- INFO END -->") + 1 :]
    numbered = any(ARTICLE_LINE.match(line) for line in lines)
    articles: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#") or stripped.startswith("<!--"):
            current = None
            continue
        heading = ARTICLE_LINE.match(stripped) if numbered else ITEM_LINE.match(stripped)
        if heading:
            number = chinese_number(heading.group(1)) if numbered else int(heading.group(1))
            if number in articles:  # a later repeat (e.g. quoted text) never overrides the first
                current = None
                continue
            current = articles[number] = [heading.group(2).strip()] if heading.group(2).strip() else []
            continue
        if current is not None:
            current.append(stripped)
    return {number: "\n".join(parts) for number, parts in articles.items()}


def extract(law: str, article: str, root: Path | None = None) -> tuple[str, Source]:
    """The verbatim text of one article and its source; CitationError if absent."""
    root = root or sources_dir()
    sources = law_files(root).get(law)
    if not sources:
        raise CitationError(f"no official text for law {law!r} in {root}")
    match = re.fullmatch(rf"第([{_NUMERAL}]+)条", article)
    if not match:
        raise CitationError(f"bad article {article!r}")
    number = chinese_number(match.group(1))
    for source in sources:
        text = _parse(root / source.file).get(number)
        if text:
            return text, source
    raise CitationError(f"{law} has no {article}")


def cited(entries: Iterable) -> list[tuple[str, str]]:
    """Distinct (law, article) pairs cited by guide entries, sorted by law then article number."""
    pairs = {(basis.law, basis.article) for entry in entries for basis in entry.basis}
    return sorted(pairs, key=lambda pair: (pair[0], chinese_number(pair[1][1:-1])))


def build(entries: Iterable, root: Path | None = None) -> list[dict]:
    """The records of legal_texts.yml for these entries. Raises CitationError listing every missing article."""
    records, missing = [], []
    for law, article in cited(entries):
        try:
            text, source = extract(law, article, root)
        except CitationError as exc:
            missing.append(str(exc))
            continue
        records.append(_record(law, article, text, source))
    if missing:
        raise CitationError("\n".join(missing))
    return records


def _record(law: str, article: str, text: str, source: Source) -> dict:
    """One kept article: its verbatim text and where it was taken from."""
    return {"law": law, "article": article, "text": text, "file": source.file, "repo": source.repo,
            "path": source.path, "commit": source.commit}


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)

HEADER = (
    "# Verbatim text of every article the procedure guide cites, with its official source.\n"
    "# Generated by `python -m knowledge_base.legal_texts` from LEGAL_SOURCES_DIR; do not edit by hand.\n"
)


def dump(records: list[dict]) -> str:
    return HEADER + yaml.dump({"articles": records}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def load_kept(path: Path | None = None) -> list[dict]:
    target = path or KEPT
    if not target.exists():
        return []
    with open(target, encoding="utf-8") as handle:
        return (yaml.safe_load(handle) or {}).get("articles", [])


@lru_cache(maxsize=1)
def _kept_index() -> dict[tuple[str, str], dict]:
    return {(record["law"], record["article"]): record for record in load_kept()}


# Everyday names people (and the conversation) use for the laws the guide cites -> the official short title.
ALIASES = {
    "民诉法": "民事诉讼法",
    "中华人民共和国民事诉讼法": "民事诉讼法",
    "民诉法解释": "最高人民法院关于适用《民事诉讼法》的解释",
    "民事诉讼法解释": "最高人民法院关于适用《民事诉讼法》的解释",
    "民事诉讼法司法解释": "最高人民法院关于适用《民事诉讼法》的解释",
    "交纳办法": "诉讼费用交纳办法",
    "诉讼费交纳办法": "诉讼费用交纳办法",
    "中华人民共和国民法典": "民法典",
    "证据规定": "最高人民法院关于民事诉讼证据的若干规定",
    "民事证据规定": "最高人民法院关于民事诉讼证据的若干规定",
    "登记立案规定": "最高人民法院关于人民法院登记立案若干问题的规定",
    "特邀调解规定": "最高人民法院关于人民法院特邀调解的规定",
    "财产保全规定": "最高人民法院关于人民法院办理财产保全案件若干问题的规定",
    "法院专递规定": "最高人民法院关于以法院专递方式邮寄送达民事诉讼文书的若干规定",
    "司法确认规定": "最高人民法院关于人民调解协议司法确认程序的若干规定",
    "诉讼时效规定": "最高人民法院关于审理民事案件适用诉讼时效制度若干问题的规定",
    "反家暴法": "反家庭暴力法",
}
_ARABIC_ARTICLE = re.compile(r"^第?\s*(\d+)\s*条?$")


def normalize_law(law: str) -> str:
    """The official short title for a law name or one of its everyday names (unknown names pass through)."""
    name = law.strip()
    if name.startswith("《") and name.endswith("》"):
        name = name[1:-1]
    return ALIASES.get(name, name)


def normalize_article(article: str) -> str:
    """第一百二十二条 for '第一百二十二条', '122', '第122条' or '一百二十二'."""
    text = article.strip()
    match = _ARABIC_ARTICLE.match(text)
    if match:
        return f"第{to_chinese_number(int(match.group(1)))}条"
    if not text.startswith("第"):
        text = "第" + text
    if not text.endswith("条"):
        text += "条"
    return text


def to_chinese_number(number: int) -> str:
    """122 -> 一百二十二, 10 -> 十, 105 -> 一百零五, 1260 -> 一千二百六十 (1..9999)."""
    if not 0 < number < 10000:
        raise ValueError(f"article number out of range: {number}")
    digits = "零一二三四五六七八九"
    parts, zero = [], False
    for unit, value in (("千", 1000), ("百", 100), ("十", 10), ("", 1)):
        digit = number // value % 10
        if digit:
            if zero and parts:
                parts.append("零")
            parts.append(("" if unit == "十" and digit == 1 and not parts else digits[digit]) + unit)
            zero = False
        elif parts:
            zero = True
    return "".join(parts)


def article_record(law: str, article: str) -> dict | None:
    """The kept record {law, article, text, file, repo, path, commit}; else extracted live when the official
    texts are present; None when the article cannot be found. Accepts everyday law names and arabic numbers."""
    law, article = normalize_law(law), normalize_article(article)
    record = _kept_index().get((law, article))
    if record is not None:
        return record
    if sources_dir().is_dir():
        try:
            text, source = extract(law, article)
        except CitationError:
            return None
        return _record(law, article, text, source)
    return None


def article_text(law: str, article: str) -> str | None:
    """Verbatim text of one article (e.g. article_text("民事诉讼法", "第一百二十二条")), or None."""
    record = article_record(law, article)
    return record["text"] if record else None


def reload() -> None:
    """Forget cached texts (after the guide or legal_texts.yml changed)."""
    _kept_index.cache_clear()
    _parse.cache_clear()


def main(argv: list[str] | None = None) -> int:
    from knowledge_base.guide import load_guide

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 if legal_texts.yml is stale")
    parser.add_argument("--output", type=Path, default=KEPT)
    args = parser.parse_args(argv)
    root = sources_dir()
    if not root.is_dir():
        print(f"official texts not found at {root}; set LEGAL_SOURCES_DIR", file=sys.stderr)
        return 2
    try:
        text = dump(build(load_guide(), root))
    except CitationError as exc:
        print(f"citations not found in the official texts:\n{exc}", file=sys.stderr)
        return 1
    current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if args.check:
        if current != text:
            print(f"{args.output} is stale: run python -m knowledge_base.legal_texts", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {text.count('- law: ')} articles to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
