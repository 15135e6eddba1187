"""Masking of personal data (phone and ID numbers, names): one rule for logs, lists and stored conversations."""

import re

# Mainland mobile numbers (optionally +86) and 18-digit resident ID numbers, wherever they appear in text.
MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
# A name given in free text ("我叫张三", "我的名字是欧阳明月"): the family name stays, as in mask_name. Not after
# "我叫" when a pronoun follows ("我叫他还钱" asks someone to do something; it is not a name).
SELF_NAMED = re.compile(r"(我叫|我名叫|我名字叫|我的名字叫|我的名字是|本人姓名是?|姓名[：:])\s*"
                        r"(?![他她它你我您])([\u4e00-\u9fff])([\u4e00-\u9fff]{1,3})")


def mask_phone(phone: str | None) -> str:
    """13812345678 -> 138****5678; anything shorter keeps only its last two digits."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 11:
        digits = digits[-11:]
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_name(name: str | None) -> str:
    """张三 -> 张*, 欧阳明月 -> 欧***."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


def mask_text(text: str) -> str:
    """Masks every mobile and ID number inside free text, and a name the person gives as theirs."""
    text = SELF_NAMED.sub(lambda m: f"{m.group(1)}{m.group(2)}{'*' * len(m.group(3))}", text)
    text = ID_NUMBER.sub(lambda m: f"{m.group(1)}********{m.group(2)[-1]}", text)
    return MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
