"""The main ask of a long, messy question: the clause that asks, what kind of ask it is, and whether it asks about the
merits of the person's own case.

Real questions carry a story, several questions and typos ("我起诉离婚已经分居三年了，法院交了诉讼涵。多久才能开庭。。
为什么说得等三到六个月"). The search is run with the clause that asks (plus the clause before it when it is too short to
name its subject), so the story does not pull the answer towards a topic neighbour; the ask type ("多久") lets the
search check that the entry it found answers that kind of question at all (entries declare their ``asks``).

Ask types (``ASK_TYPES``): duration 多久, cost 多少钱, materials 要什么材料, where 去哪里, can 能不能, how 怎么办,
meaning 什么意思, consequence 有什么后果. ``can`` and ``how`` are generic: every entry answers some "can I / how do I"
question, so only the other six are checked against an entry's asks.

Merits: "胜算多大", "能判多少", "会不会坐牢", "我这种情况能赢吗" ask for a judgement of a case, which the assistant
must not give; ``procedural`` is what remains to be answered once the merits clauses are taken out (or empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ASK_TYPES = {
    "duration": "多久", "cost": "多少钱", "materials": "要什么材料", "where": "去哪里",
    "can": "能不能", "how": "怎么办", "meaning": "什么意思", "consequence": "有什么后果",
}
GENERIC_ASKS = frozenset({"can", "how"})

# The first type whose cue occurs in the asking clause wins: specific kinds before the generic ones.
_CUES: list[tuple[str, re.Pattern]] = [(kind, re.compile(cues)) for kind, cues in [
    ("cost", r"多少钱|多钱|几个钱|费用|[诉讼起上执行保全律师调解申请退]费|收费|交钱|花多少|要钱|退钱|退款"),
    ("duration", r"多久|多长时间|多少天|几天|几个月|多少年|几年|多长|什么时候|啥时候|何时|哪天|几号|期限|时效|"
                 r"有效期|时间限制|最迟|最晚|时间规定"),
    ("materials", r"材料|准备什么|准备啥|带什么|带啥|手续|什么证据|哪些证据|需要什么|需要啥|要些什么|几份"),
    ("where", r"哪里|哪儿|哪个法院|哪个地方|去哪|在哪|哪个城市|什么地方|哪个部门|什么部门"),
    ("meaning", r"什么意思|啥意思|是什么|是啥|什么叫|怎么回事|指什么|算不算|算是"),
    ("consequence", r"后果|会怎样|会怎么样|会如何|影响|有没有关系|有关系吗|没关系吧"),
    ("how", r"怎么办|怎么|如何|咋|怎样|办法|流程|步骤"),
    ("can", r"能不能|能否|可不可以|可以|能|是否|会不会|行不行|行吗|有没有|要不要|需不需要|用不用|还用|必须|一定"),
]]
# How strongly a clause asks: a question mark, a final particle, an interrogative word, a bare 能/可以.
_PARTICLE_END = re.compile(r"[吗么嘛呢吧][啊呀]?$")
_INTERROGATIVE = re.compile(r"多久|多长|多少|多钱|几天|几个|几年|几号|怎么|怎样|如何|咋|什么|啥|哪个|哪些|哪天|去哪|"
                            r"为什么|是否|能否|能不能|可不可以|有没有|会不会|要不要|需不需要|用不用|算不算|行不行")
_WEAK = re.compile(r"能|可以|需要|还用")

# Asking for a judgement of one's own case: the outcome, the amount, the sentence, the chances.
_MERITS = re.compile(
    r"胜算|胜诉率|胜诉的?(几率|概率|可能|把握|希望)|赢的?(几率|概率|可能性?|把握|希望)|"
    r"(能|会|可以)(不能|不会)?(打)?赢|能不能赢|会不会赢|(有|没)有?(希望|把握)[吗么]?$|"
    r"会不会输|能不能胜诉|(能|可以|会)胜诉|胜诉[吗么]|会败诉|会不会败诉|"
    r"(能|会|可以)?判(多少|几年)|能赔多少|赔多少合适|能(要|拿|追)回多少|"
    r"坐牢|判刑|蹲监狱|"
    r"(能|会|可以)(不能|不会)?判(离|决离婚|给我|给谁)|会不会判|能不能判|直接判离|判离[吗么]|"
    r"(可以|能)?追得?回[吗么来]|追不回|要得回|要不回|打水漂|"
    r"法院会(支持|认定|采纳|相信)|对.{0,8}判决有影响"
)
_SENTENCE = re.compile(r"[。！？!?；;\n]+")
_CLAUSE = re.compile(r"[，,、\s]+")
_NOISE = re.compile(r"[\s。，,！？!?；;：:、…~“”\"'（）()]+")
MIN_CLAUSE_CHARS = 10  # a shorter asking clause ("多久才能开庭") takes the clause before it for its subject


@dataclass(frozen=True)
class Ask:
    text: str          # the whole message
    clause: str        # the clause that asks (with the clause before it when it was short); "" when none asks
    ask_type: str      # one of ASK_TYPES
    merits: bool       # asks for a judgement of the person's own case
    procedural: str    # the part left to answer as procedure once merits clauses are removed ("" if none)

    @property
    def specific(self) -> bool:
        return self.ask_type not in GENERIC_ASKS

    def public(self) -> dict:
        return {"clause": self.clause, "type": self.ask_type, "type_name": ASK_TYPES[self.ask_type],
                "merits": self.merits, "procedural": self.procedural}


def ask_type(clause: str) -> str:
    for kind, pattern in _CUES:
        if pattern.search(clause):
            return kind
    return "how"


def _clauses(text: str) -> list[tuple[str, bool]]:
    """(clause, ends a sentence that was a question) in order."""
    out: list[tuple[str, bool]] = []
    for match in re.finditer(r"[^。！？!?；;\n]+([。！？!?；;\n]*)", text):
        sentence, end = match.group(0), match.group(1)
        body = sentence[: len(sentence) - len(end)]
        parts = [p for p in _CLAUSE.split(body) if p]
        for i, part in enumerate(parts):
            out.append((part, i == len(parts) - 1 and ("？" in end or "?" in end)))
    return out


def _strength(clause: str, question_mark: bool) -> float:
    return (3 * question_mark + 2 * bool(_PARTICLE_END.search(clause)) + bool(_INTERROGATIVE.search(clause))
            + 0.3 * bool(_WEAK.search(clause)))


def _asking_clause(clauses: list[tuple[str, bool]]) -> str:
    """The clause that asks most plainly (the first of equals), with the clauses before it while it is too short
    to name its subject."""
    if not clauses:
        return ""
    strengths = [_strength(c, q) for c, q in clauses]
    best = max(strengths)
    if best == 0:
        return ""
    i = strengths.index(best)
    chosen, j = clauses[i][0], i
    while len(_NOISE.sub("", chosen)) < MIN_CLAUSE_CHARS and j > 0:
        j -= 1
        chosen = clauses[j][0] + "，" + chosen
    return chosen


def main_ask(text: str) -> Ask:
    text = (text or "").strip()
    clauses = _clauses(text)
    merits = bool(_MERITS.search(text))
    procedural_clauses = [c for c in clauses if not _MERITS.search(c[0])] if merits else clauses
    clause = _asking_clause(procedural_clauses)
    procedural = clause if merits else text
    if merits and not clause:
        clause = _asking_clause(clauses)
    return Ask(text, clause, ask_type(clause or text), merits, procedural)
