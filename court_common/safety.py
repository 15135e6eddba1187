"""Recognises danger, suicidal crisis, threats against others and medical emergencies in one message.

Both runtimes use it: the Rasa NLU component (components/crisis.py) turns a finding into the `crisis` intent, the
12368 connector checks speech before its own keypad menus, and the service center names the kinds. Standard
library only.

How it decides (every rule below says why it exists):
1. `normalize`: full-width to half-width, a few traditional characters to simplified, spaces and punctuation out
   (speech recognition and hurried typing put them anywhere).
2. Ordinary words that merely contain an alarming character are masked first (打官司, 死亡赔偿金, 菜刀厂, 跳槽,
   笑死了 ...): they can then never match a rule.
3. Rules are regular expressions per kind. A *strong* rule fires whatever else the message says ("他拿刀",
   "我不想活了"). A *weak* rule (a past or habitual event, "被打了", "被家暴过") fires only when the message is not
   framed as a procedure question (起诉, 鉴定, 赔偿, 判几年, 以前 ...): "被打了以后做伤情鉴定要多少钱" is a question
   for the guide, "孩子被打了" is not.
4. One message can show several kinds; the primary one decides the route, in the order of `KINDS`:
   suicide (a life at stake by the person's own hand), danger (someone is hurting or threatening the person or a
   child or elder with them), medical (someone needs an ambulance), threat (the person threatens someone else).

Recall is preferred to precision: a false alarm costs one careful paragraph; a miss can cost a life. Measured on
tests/data/safety_messages.jsonl and the 315 real litigant questions by tests/service/test_safety_detector.py.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

SUICIDE, DANGER, MEDICAL, THREAT = "suicide", "danger", "medical", "threat"
KINDS = (SUICIDE, DANGER, MEDICAL, THREAT)  # priority order of the route when several kinds are present
CARD_TYPE = "crisis"  # the custom message type every channel renders (web card, WeChat card, phone transfer/numbers)
KIND_NAMES = {SUICIDE: "自伤自杀风险", DANGER: "人身危险", MEDICAL: "急症", THREAT: "伤害他人的言语"}

# National numbers (a court may override them in knowledge_base/court_profile.yml under `safety.numbers`).
NATIONAL_NUMBERS = {
    "police": {"number": "110", "name": "报警电话"},
    "ambulance": {"number": "120", "name": "急救电话"},
    "women": {"number": "12338", "name": "全国妇联妇女维权公益服务热线"},
    "mental_health": {"number": "12356", "name": "全国心理援助热线"},
}
# Which numbers each kind's card carries, most urgent first.
NUMBERS_BY_KIND = {
    SUICIDE: ("mental_health", "ambulance", "police"),
    DANGER: ("police", "women", "ambulance"),
    MEDICAL: ("ambulance",),
    THREAT: ("mental_health", "police"),
}

_TRADITIONAL = str.maketrans("殺樓藥醫傷險嚇嚮讓還會這裡邊關鎖們將燒槍斷憂鬱絕壓輕氣難過說話開門媽爺",
                             "杀楼药医伤险吓向让还会这里边关锁们将烧枪断忧郁绝压轻气难过说话开门妈爷")
_NOISE = re.compile(r"[\s\u3000,，.。!！?？;；:：、~～…·\"'“”‘’()（）\[\]【】<>《》—\-_*#]+")

# Ordinary words that contain an alarming character (each was seen in litigants' questions or is a set phrase).
_ORDINARY = re.compile("|".join([
    # 打 = to do / to call / to fight a lawsuit
    r"打官司", r"打(个|了)?(欠|借)条", r"打(个)?电话", r"打来电话", r"打我(的)?(电话|手机)", r"打工", r"打听", r"打款",
    r"打钱", r"打卡", r"打印", r"打算", r"打扰", r"打赢", r"打输", r"打折", r"打车", r"打官腔", r"打过(110|120)",
    r"打(110|120)的", r"打架", r"打水漂", r"打交道", r"打个输赢", r"打包", r"打针", r"打胎", r"打(了)?(个)?招呼",
    # 死 in legal terms and in hyperbole
    r"死亡", r"死刑", r"死缓", r"死者", r"死因", r"死心", r"死活", r"死不认账", r"死不(还|承认|给)", r"死磕",
    r"(笑|累|气|急|吓|烦|困|饿|热|冷|忙|愁)死(了|我了|人了)?", r"死账", r"死期", r"死当",
    # 杀 / 砍 / 刀 / 炸 / 跳 / 药 in ordinary words
    r"杀猪盘", r"杀价", r"砍价", r"砍(了)?(我家的)?树", r"菜刀厂", r"刀具", r"开刀", r"刀郎", r"炸鸡", r"炸串", r"油炸",
    r"跳槽", r"跳闸", r"电闸.{0,2}跳", r"跳楼价", r"心跳", r"医药费", r"药费", r"假药", r"药店", r"农药厂",
    r"炸药厂", r"中药",
    r"紫砂壶", r"拿刀砍人的", r"杀人犯", r"故意杀人罪", r"故意伤害", r"危险驾驶", r"关进去", r"关押",
    # 活 / 锁 / 拼 in ordinary words
    r"干活", r"活在(他|她|别人|过去|阴影)", r"活成", r"活得(挺|很|还|蛮)?好", r"生活费", r"门锁", r"拼多多", r"拼车",
    r"拼了(\d+|[一二三两几])年",
]))
_PROCEDURAL = re.compile(
    r"起诉|诉状|起诉书|怎么告|能告|能不能告|告他|告学校|立案|鉴定|赔偿|赔多少|怎么赔|判几年|判多少|怎么判|刑期|证据|律师|"
    r"诉讼|上诉|离婚时|以前|之前|上次|去年|前年|那年|多年前|抚养权|财产|要多少钱|怎么申请|缓刑|家属|法律|犯法|违法|罪|"
    r"能不能|可以吗|有用吗|算不算|属于|债务|要还吗|负责|责任|怎么算|费用"
)

_ME = r"(我|俺|我们|咱|我们家|我家人|我全家|我们全家)"
_KIN = ("(孩子|小孩|儿子|女儿|闺女|娃|我妈|我爸|我妈妈|我爸爸|我母亲|我父亲|老人|"
        "老娘|老父亲|老母亲|爸妈|父母|奶奶|爷爷|姥姥|姥爷|老伴|我老婆|我媳妇|嫂子|我姐|我妹|婆婆)")
_ABUSER = ("(他|她|老公|丈夫|男人|前夫|老婆|媳妇|前妻|男朋友|女朋友|对象|儿子|女儿|我爸|我妈|我哥|我弟|"
           "公公|婆婆|继父|继母|邻居|有人|那人|那个人|对方|讨债的|催债的|要债的|债主|被告|原告)")
_HURT = r"(打|揍|踢|掐|抽|踹|砍|捅|扇)"
_KILL = r"(杀|宰|砍死|捅死|弄死|整死|打死|掐死|砸死|毒死|烧死|干掉|弄残|打残)"
_WEAPON = r"(刀|菜刀|刀子|斧头|斧子|铁锹|锤子|棍子|棒子|枪|硫酸|汽油|炸药)"


@dataclass(frozen=True)
class Rule:
    kind: str
    name: str
    pattern: re.Pattern
    strong: bool
    why: str


def _rule(kind: str, name: str, why: str, *alternatives: str, strong: bool = True) -> Rule:
    return Rule(kind, name, re.compile("|".join(alternatives)), strong, why)


RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ suicide, self-harm, acute despair
    _rule(SUICIDE, "not_want_to_live",
          "the most common spoken form (不想活了); 像/向 for speech recognition; not 不想活在/活成/活得",
          r"不[想像向要]再?活(?:了|啦|喽|咯|下去|(?![在成得]))", r"不活了", r"活不(下去|成了|了了)", r"没(有)?活路",
          r"没(有)?活下去的"),
    _rule(SUICIDE, "life_meaningless", "活着没意思 / 活着好累: acute despair",
          r"活着.{0,4}(没意思|没有意思|什么意思|没意义|没有意义|太累|好累|真累|没劲|干什么|干嘛|有啥用)"),
    _rule(SUICIDE, "want_to_die", "想死, 死了算了, 一了百了; 死心/死刑/笑死 are masked",
          r"(想|要|准备|打算|只能|还不如|不如|真想|就想)(去)?死", r"死了算了", r"一死了之", r"一了百了", r"寻死",
          r"死给.{0,4}看", r"一起(去)?死"),
    _rule(SUICIDE, "dead_is_better", "死了就不用还债了 / 我死了大家都轻松",
          r"死了.{0,4}(就不用|大家|轻松|解脱|就好|也好|拉倒)"),
    _rule(SUICIDE, "die_at_place", "我就死在法院门口: self-harm as protest", r"我.{0,6}死在"),
    _rule(SUICIDE, "suicide_words", "direct words, with a speaker (紫砂: online homophone of 自杀)",
          r"(我|想|要|准备|打算|去|会|就)(自杀|自残)", r"自杀.{0,2}(算了|了之)", r"轻生", r"紫砂", r"自尽", r"自寻短见",
          r"结束(自己的|我的)?生命", r"遗书", r"想不开了?(?!为什么)", r"不想(再)?醒"),
    _rule(SUICIDE, "suicide_named",
          "自杀 without a speaker (他自杀了, 自杀的人): weak, a question about someone else's death is for the guide",
          r"自杀", r"自残", strong=False),
    _rule(SUICIDE, "method", "a method named is an acute sign; 跳楼价/跳槽 are masked",
          r"跳楼", r"跳河", r"跳江", r"跳海", r"跳桥", r"(从|往).{0,4}(楼|桥|窗|顶|上).{0,3}跳下", r"卧轨", r"烧炭",
          r"割腕", r"上吊", r"服毒", r"(站在|在|到了?)(楼顶|天台|桥上)", r"划(自己|手腕)", r"伤害自己"),
    _rule(SUICIDE, "overdose", "taking pills or poison on purpose (误喝/误吃 is an accident: medical)",
          r"(?<!误)(吃|喝|服)了?.{0,3}(安眠[药要]|农药|敌敌畏|百草枯|老鼠药|一瓶药|一把药)", r"(?<!误)喝(了)?药",
          r"安眠[药要].{0,6}(攒|准备|吃了|买好)", r"吃药走",
          r"把.{0,3}药.{0,3}(都|全)?吃(了|光)", r"药(都|全)吃(了|光)"),
    _rule(SUICIDE, "fear_of_self", "我怕我会想不开", r"(怕|会|担心).{0,3}(想不开|做傻事|伤害自己)"),
    # ------------------------------------------------------------------ danger to the person, a child or an elder
    _rule(DANGER, "hit_me_now", "being hit now or again and again (大我: speech recognition of 打我)",
          rf"(又|在|正在|还在|天天|经常|老是?|总是?|一直|往死里|每天){_HURT}(了)?{_ME}", r"(又|在|老|天天|经常)大我",
          rf"{_HURT}{_ME}.{{0,4}}(现在|还在|不敢|害怕|好怕|很怕|救)"),
    _rule(DANGER, "hit_me", "someone named hits the person",
          rf"{_ABUSER}.{{0,3}}{_HURT}(了)?{_ME}(?!的(电话|手机))", rf"{_HURT}{_ME}(了|脖子|头|脸)",
          r"用.{0,4}(抽|打)我",
          rf"{_ABUSER}.{{0,2}}家暴我", strong=False),
    _rule(DANGER, "threatened_with_death", "someone says they will kill or maim the person",
          rf"(要|想|说要|扬言|威胁.{{0,12}}|就){_KILL}(了)?{_ME}", rf"{_KILL}{_ME}(全家)?", rf"打断{_ME}?的?腿",
          r"(泼|拿).{0,3}硫酸", rf"要(弄|整|搞){_ME}"),
    _rule(DANGER, "weapon", "他拿刀: a weapon in the hands of someone else",
          rf"{_ABUSER}.{{0,3}}(拿|提|举|掏|揣)(着|出|了|起)?.{{0,2}}{_WEAPON}",
          rf"(拿|提|举)着?{_WEAPON}.{{0,6}}(追|砍|捅|找我|堵|在门口|要)"),
    _rule(DANGER, "help", "a cry for help", r"救命", r"救救我", r"快来救", r"帮帮我.{0,4}(他|她)"),
    _rule(DANGER, "pinned", "pinned down and beaten; afraid to leave or to go home",
          r"(摁|按|压)在地上.{0,3}(打|揍|踢)", r"不敢(出门|回家|回去|出去|睡觉)"),
    _rule(DANGER, "locked_in", "locked in, confined, cornered (被关进去 = prison is masked)",
          rf"(被|把{_ME}|把{_KIN}).{{0,6}}(锁|关|困|绑|囚禁)(在|起来|住|了)", rf"关了{_ME}",
          rf"不让{_ME}?(出门|出去|离开|走)", r"(堵|围)在.{0,3}(家|屋|门口)", r"(围着|往死里)打"),
    _rule(DANGER, "hiding", "hiding from someone, a door being kicked, 我现在很危险",
          r"(躲在|藏在).{0,6}(厕所|屋|房间|柜|车|外面)", r"(踹|砸|撬)(门|窗)", r"我(现在)?(很|好|非常)?危险",
          r"喝醉了.{0,4}(找我|打|砸)"),
    _rule(DANGER, "kin_harmed", "a child or an elder harmed",
          rf"{_KIN}.{{0,4}}(被|让|叫).{{0,8}}({_HURT}|虐待|推倒|打伤|打成|打得|欺负得|饿着)", rf"{_HURT}{_KIN}",
          rf"{_HURT}得.{{0,6}}(住院|浑身|都是伤|流血)", strong=False),
    _rule(DANGER, "abused", "abuse named, or its marks",
          r"被(他|她|人|老公|丈夫)?(家暴|虐待|殴打|打了|打伤|揍了|强奸|性侵)",
          r"(身上|浑身|脸上)(都是|全是)?(伤|青|紫)",
          r"青一块紫一块", r"挨打", strong=False),
    _rule(DANGER, "starved", "an elder or a child kept without food", r"不给(饭吃|吃饭|吃的|饭|水喝)"),
    _rule(DANGER, "stalked", "stalking with a threat", rf"跟踪{_ME}", rf"知道{_ME}住(哪|在哪)"),
    _rule(DANGER, "recent_attack", "他刚才又动手了", r"(刚才|刚刚|现在|又)(又)?动手"),
    # ------------------------------------------------------------------ medical emergency
    _rule(MEDICAL, "unconscious", "someone collapsed",
          r"晕倒", r"昏倒", r"昏过去", r"晕过去", r"叫不醒", r"不省人事", r"没(有)?(意识|呼吸|心跳)了?", r"倒地",
          r"倒下(了)?.{0,3}不动", r"躺在地上(不动|起不来)"),
    _rule(MEDICAL, "breathing", "cannot breathe", r"喘不(上|过)气", r"呼吸困难", r"噎住", r"呛着", r"憋得脸"),
    _rule(MEDICAL, "acute_illness", "signs that need an ambulance",
          r"抽搐", r"抽风", r"心脏病(犯|发)", r"心梗", r"中风", r"脑出血", r"脑溢血", r"胸口(疼|痛)得", r"大出血",
          r"(流|出)了?(好多|很多|一地)血", r"血(止不住|流不止)", r"止不住血", r"触电", r"溺水", r"煤气中毒",
          r"(误|不小心)(喝|吃|服)"),
    _rule(MEDICAL, "fall", "a bad fall",
          r"(从|在).{0,4}(楼上|高处|楼梯).{0,2}(摔|掉|跌)下来?", r"摔倒.{0,6}(流|血|起不来|不动)"),
    _rule(MEDICAL, "ambulance", "asks for an ambulance",
          r"(快|赶紧|帮我|麻烦)?叫(个)?救护车", r"快打120", r"被车撞了.{0,4}(躺|不动|流血)"),
    # ------------------------------------------------------------------ threats against others (court staff included)
    _rule(THREAT, "die_together", "同归于尽: a threat to others (and often to oneself)",
          r"同归[于与余]尽", r"一命(换|抵|偿)一命", r"跟(他|她|他们|那个.{0,6})拼(了|命)", r"拼了这条命",
          r"我跟.{0,6}拼了"),
    _rule(THREAT, "kill_them", "我要杀了他, 我非宰了他不可, 谁不给钱就杀谁",
          rf"{_ME}.{{0,8}}{_KILL}(了)?(他|她|他们|法官|那|谁|人|全家|一个)",
          rf"{_ME}.{{0,6}}(砍|捅|宰|弄死|杀)了(他|她)",
          r"(他|她|他们)全家都杀", r"见一个(砍|杀)一个", r"杀(人|谁)"),
    _rule(THREAT, "arson_bomb", "arson and bombs, above all against the court",
          r"炸(了|掉|毁)?(法院|他|她|公司|你们|政府|银行|他们|派出所)", r"(放火|点火|烧了?)(他|她|他们|法院|公司)",
          r"(法院|他家|门口).{0,4}放火", r"买了?汽油", r"(买|带|有|弄).{0,2}炸药"),
    _rule(THREAT, "armed_intent", "the person means to go armed",
          rf"{_ME}.{{0,6}}(拿|带|揣)(着|上)?.{{0,2}}{_WEAPON}.{{0,4}}(去|找|到)"),
    _rule(THREAT, "revenge", "wishing death or revenge on someone",
          r"(让|叫)(他|她|他们|那个.{0,4})(不得好死|别想活|活不成|偿命)", r"(他|她|他们)别想活", r"不得好死",
          r"我(要|会|一定)报复"),
)

# Words that carry distress when a crisis was just raised in the same conversation ("我还是很害怕", "没人管我").
_DISTRESS = re.compile(
    r"害怕|好怕|很怕|怕他|不敢|没人管|没人帮|没有人|救救|救命|怎么办|难受|想哭|在哭|绝望|崩溃|撑不住|撑不下去|活不|死|疼|痛|"
    r"危险|他还在|又来了|求求|求你|帮帮我|好累|太累|睡不着|一个人|孤独|没用|完了|报警|打我|不想说|说不出"
)


@dataclass(frozen=True)
class Finding:
    """What the detector found: the primary kind (route), all kinds, the rules that fired, whether it is urgent."""

    kind: str
    kinds: tuple[str, ...]
    rules: tuple[str, ...]
    urgent: bool = False
    numbers: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict:
        return {"kind": self.kind, "kinds": list(self.kinds), "rules": list(self.rules), "urgent": self.urgent}


_URGENT = re.compile(r"现在|正在|还在|刚才|刚刚|已经|救命|快|马上|在外面|门口|踹门|吃了|喝了|割腕了|站在|楼顶|天台|"
                     r"叫不醒|抽搐|流血")


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower().translate(_TRADITIONAL)
    return _NOISE.sub("", text)


def _masked(text: str) -> str:
    return _ORDINARY.sub(lambda m: "□" * len(m.group(0)), text)


def detect(text: str) -> Finding | None:
    """The crisis in `text`, or None. Button payloads ("/intent{...}") are never a crisis."""
    if not text or text.lstrip().startswith("/"):
        return None
    plain = normalize(text)[:2000]
    if not plain:
        return None
    masked = _masked(plain)
    procedural = bool(_PROCEDURAL.search(masked))
    fired = [rule for rule in RULES if (rule.strong or not procedural) and rule.pattern.search(masked)]
    if not fired:
        return None
    kinds = tuple(kind for kind in KINDS if any(rule.kind == kind for rule in fired))
    kind = kinds[0]
    urgent = kind == MEDICAL or bool(_URGENT.search(masked))
    return Finding(kind=kind, kinds=kinds, rules=tuple(f"{rule.kind}.{rule.name}" for rule in fired), urgent=urgent,
                   numbers=numbers_for(kinds))


def numbers_for(kinds: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The keys of NATIONAL_NUMBERS a card shows for these kinds, most urgent first, no repeats."""
    keys: list[str] = []
    for kind in kinds:
        for key in NUMBERS_BY_KIND.get(kind, ()):
            if key not in keys:
                keys.append(key)
    return tuple(keys)


def is_distress(text: str) -> bool:
    """A follow-up in a conversation that just had a crisis: still distress, answered with care (not the menu)."""
    if not text or text.lstrip().startswith("/"):
        return False
    return bool(_DISTRESS.search(_masked(normalize(text))))


def numbers_table(configured: dict | None = None) -> dict[str, dict[str, str]]:
    """key -> {number, name}: the national defaults, replaced by numbers the court confirmed in its profile
    (court_profile.yml `safety.numbers`: {key: {value, name, confirmed}}); unconfirmed entries are ignored."""
    table = {key: dict(value) for key, value in NATIONAL_NUMBERS.items()}
    for key, node in (configured or {}).items():
        if isinstance(node, dict) and node.get("confirmed") and node.get("value"):
            name = node.get("name") or table.get(key, {}).get("name") or str(key)
            table[str(key)] = {"number": str(node["value"]), "name": str(name)}
    return table
