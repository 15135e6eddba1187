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
    r"跳槽", r"跳闸", r"电闸.{0,2}跳", r"跳楼价", r"心跳", r"医药费", r"药费", r"假药", r"药店", r"农药厂", r"炸药厂", r"中药",
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
_KIN = r"(孩子|小孩|儿子|女儿|闺女|娃|我妈|我爸|我妈妈|我爸爸|我母亲|我父亲|老人|老娘|老父亲|老母亲|爸妈|父母|奶奶|爷爷|姥姥|姥爷|老伴|我老婆|我媳妇|嫂子|我姐|我妹|婆婆)"
_ABUSER = r"(他|她|老公|丈夫|男人|前夫|老婆|媳妇|前妻|男朋友|女朋友|对象|儿子|女儿|我爸|我妈|我哥|我弟|公公|婆婆|继父|继母|邻居|有人|那人|那个人|对方|讨债的|催债的|要债的|债主|被告|原告)"
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


def _rule(kind: str, name: str, pattern: str, why: str, strong: bool = True) -> Rule:
    return Rule(kind, name, re.compile(pattern), strong, why)


RULES: tuple[Rule, ...] = (
    # ------------------------------------------------------------------ suicide, self-harm, acute despair
    _rule(SUICIDE, "not_want_to_live", r"不[想像向要]再?活(?:了|啦|喽|咯|下去|(?![在成得]))|不活了|活不(下去|成了|了了)|没(有)?活路|没(有)?活下去的",
          "the most common spoken form (不想活了); 像/向 for speech recognition; 活在/活成/活得 are masked"),
    _rule(SUICIDE, "life_meaningless", r"活着.{0,4}(没意思|没有意思|什么意思|没意义|没有意义|太累|好累|真累|没劲|干什么|干嘛|有啥用)",
          "活着没意思 / 活着好累: acute despair"),
    _rule(SUICIDE, "want_to_die", r"(想|要|准备|打算|只能|还不如|不如|真想|就想)(去)?死|死了算了|一死了之|一了百了|寻死|死给.{0,4}看|一起(去)?死",
          "想死, 死了算了, 一了百了; 死心/死刑/笑死 are masked"),
    _rule(SUICIDE, "dead_is_better", r"死了.{0,4}(就不用|大家|轻松|解脱|就好|也好|拉倒)",
          "死了就不用还债了 / 我死了大家都轻松"),
    _rule(SUICIDE, "die_at_place", r"我.{0,6}死在", "我就死在法院门口: self-harm as protest"),
    _rule(SUICIDE, "suicide_words", r"(我|想|要|准备|打算|去|会|就)(自杀|自残)|自杀.{0,2}(算了|了之)|轻生|紫砂|自尽|自寻短见|"
          r"结束(自己的|我的)?生命|遗书|想不开了?(?!为什么)|不想(再)?醒",
          "direct words (紫砂 is the online homophone of 自杀; 紫砂壶 is masked)"),
    _rule(SUICIDE, "suicide_named", r"自杀|自残", "自杀 named without a speaker (他自杀了, 自杀的人): weak, a procedure question "
          "about someone else's death is for the guide", strong=False),
    _rule(SUICIDE, "method", r"跳楼|跳河|跳江|跳海|跳桥|(从|往).{0,4}(楼|桥|窗|顶|上).{0,3}跳下|卧轨|烧炭|割腕|上吊|服毒|(站在|在|到了?)(楼顶|天台|桥上|河边不想)|划(自己|手腕)|伤害自己",
          "a method named is an acute sign; 跳楼价/跳槽 are masked"),
    _rule(SUICIDE, "overdose", r"(?<!误)(吃|喝|服)了?.{0,3}(安眠[药要]|农药|敌敌畏|百草枯|老鼠药|一瓶药|一把药)|(?<!误)喝(了)?药|安眠[药要].{0,6}(攒|准备|吃了|买好)|吃药走|把.{0,3}药.{0,3}(都|全)?吃(了|光)|药(都|全)吃(了|光)",
          "taking pills or poison on purpose (误喝/误吃 is an accident: medical)"),
    _rule(SUICIDE, "fear_of_self", r"(怕|会|担心).{0,3}(想不开|做傻事|伤害自己)", "我怕我会想不开"),
    # ------------------------------------------------------------------ immediate danger to the person, a child or an elder
    _rule(DANGER, "hit_me_now", rf"(又|在|正在|还在|天天|经常|老是?|总是?|一直|往死里|每天){_HURT}(了)?{_ME}|(又|在|老|天天|经常)大我|{_HURT}{_ME}.{{0,4}}(现在|还在|不敢|害怕|好怕|很怕|救)",
          "being hit now or again and again (大我: speech recognition of 打我)"),
    _rule(DANGER, "hit_me", rf"{_ABUSER}.{{0,3}}{_HURT}(了)?{_ME}(?!的(电话|手机))|{_HURT}{_ME}(了|脖子|头|脸)|用.{{0,4}}(抽|打)我|{_ABUSER}.{{0,2}}家暴我",
          "someone named hits the person", strong=False),
    _rule(DANGER, "threatened_with_death", rf"(要|想|说要|扬言|威胁.{{0,12}}|就){_KILL}(了)?{_ME}|{_KILL}{_ME}(全家)?|打断{_ME}?的?腿|(泼|拿).{{0,3}}硫酸|要(弄|整|搞){_ME}",
          "someone says they will kill or maim the person"),
    _rule(DANGER, "weapon", rf"{_ABUSER}.{{0,3}}(拿|提|举|掏|揣)(着|出|了|起)?.{{0,2}}{_WEAPON}|(拿|提|举)着?{_WEAPON}.{{0,6}}(追|砍|捅|找我|堵|在门口|要)",
          "他拿刀: a weapon in the hands of someone else"),
    _rule(DANGER, "help", r"救命|救救我|快来救|帮帮我.{0,4}(他|她)", "a cry for help"),
    _rule(DANGER, "pinned", r"(摁|按|压)在地上.{0,3}(打|揍|踢)|不敢(出门|回家|回去|出去|睡觉)", "pinned down and beaten; afraid to leave or go home"),
    _rule(DANGER, "locked_in", rf"(被|把{_ME}|把{_KIN}).{{0,6}}(锁|关|困|绑|囚禁)(在|起来|住|了)|关了{_ME}|不让{_ME}?(出门|出去|离开|走)|(堵|围)在.{{0,3}}(家|屋|门口)|(围着|往死里)打",
          "locked in, confined, cornered (被关进去 = prison is masked)"),
    _rule(DANGER, "hiding", r"(躲在|藏在).{0,6}(厕所|屋|房间|柜|车|外面)|(踹|砸|撬)(门|窗)|我(现在)?(很|好|非常)?危险|喝醉了.{0,4}(找我|打|砸)",
          "hiding from someone, a door being kicked, 我现在很危险"),
    _rule(DANGER, "kin_harmed", rf"{_KIN}.{{0,4}}(被|让|叫).{{0,8}}({_HURT}|虐待|推倒|打伤|打成|打得|欺负得|饿着)|{_HURT}{_KIN}|{_HURT}得.{{0,6}}(住院|浑身|都是伤|流血)",
          "a child or an elder harmed", strong=False),
    _rule(DANGER, "abused", r"被(他|她|人|老公|丈夫)?(家暴|虐待|殴打|打了|打伤|揍了|强奸|性侵)|(身上|浑身|脸上)(都是|全是)?(伤|青|紫)|青一块紫一块|挨打",
          "abuse named, or its marks", strong=False),
    _rule(DANGER, "starved", r"不给(饭吃|吃饭|吃的|饭|水喝)", "an elder or child kept without food"),
    _rule(DANGER, "stalked", r"跟踪{_ME}|知道{_ME}住(哪|在哪)".replace("{_ME}", _ME), "stalking with a threat"),
    _rule(DANGER, "recent_attack", r"(刚才|刚刚|现在|又)(又)?动手", "他刚才又动手了"),
    # ------------------------------------------------------------------ medical emergency
    _rule(MEDICAL, "unconscious", r"晕倒|昏倒|昏过去|晕过去|叫不醒|不省人事|没(有)?(意识|呼吸|心跳)了?|倒地|倒下(了)?.{0,3}不动|躺在地上(不动|起不来)",
          "someone collapsed"),
    _rule(MEDICAL, "breathing", r"喘不(上|过)气|呼吸困难|噎住|呛着|憋得脸", "cannot breathe"),
    _rule(MEDICAL, "acute_illness", r"抽搐|抽风|心脏病(犯|发)|心梗|中风|脑出血|脑溢血|胸口(疼|痛)得|大出血|(流|出)了?(好多|很多|一地)血|血(止不住|流不止)|止不住血|触电|溺水|煤气中毒|(误|不小心)(喝|吃|服)",
          "signs that need an ambulance"),
    _rule(MEDICAL, "fall", r"(从|在).{0,4}(楼上|高处|楼梯).{0,2}(摔|掉|跌)下来?|摔倒.{0,6}(流|血|起不来|不动)", "a bad fall"),
    _rule(MEDICAL, "ambulance", r"(快|赶紧|帮我|麻烦)?叫(个)?救护车|快打120|被车撞了.{0,4}(躺|不动|流血)", "asks for an ambulance"),
    # ------------------------------------------------------------------ threats against others (court staff included)
    _rule(THREAT, "die_together", r"同归[于与余]尽|一命(换|抵|偿)一命|跟(他|她|他们|那个.{0,6})拼(了|命)|拼了这条命|我跟.{0,6}拼了",
          "同归于尽: a threat to others (and often to oneself)"),
    _rule(THREAT, "kill_them", rf"{_ME}.{{0,8}}{_KILL}(了)?(他|她|他们|法官|那|谁|人|全家|一个)|{_ME}.{{0,6}}(砍|捅|宰|弄死|杀)了(他|她)|(他|她|他们)全家都杀|见一个(砍|杀)一个|杀(人|谁)",
          "我要杀了他, 我非宰了他不可, 谁不给钱就杀谁"),
    _rule(THREAT, "arson_bomb", r"炸(了|掉|毁)?(法院|他|她|公司|你们|政府|银行|他们|派出所)|(放火|点火|烧了?)(他|她|他们|法院|公司)|(法院|他家|门口).{0,4}放火|买了?汽油|(买|带|有|弄).{0,2}炸药",
          "arson and bombs, above all against the court"),
    _rule(THREAT, "armed_intent", rf"{_ME}.{{0,6}}(拿|带|揣)(着|上)?.{{0,2}}{_WEAPON}.{{0,4}}(去|找|到)", "the person means to go armed"),
    _rule(THREAT, "revenge", r"(让|叫)(他|她|他们|那个.{0,4})(不得好死|别想活|活不成|偿命)|(他|她|他们)别想活|不得好死|我(要|会|一定)报复",
          "wishing death or revenge on someone"),
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


_URGENT = re.compile(r"现在|正在|还在|刚才|刚刚|已经|救命|快|马上|在外面|门口|踹门|吃了|喝了|割腕了|站在|楼顶|天台|叫不醒|抽搐|流血")


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
