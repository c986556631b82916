"""Sensitive viewer questions: the class of questions a virtual host must never answer on its own.

A question is sensitive when answering it wrongly can hurt the viewer or the seller: health and
medical effects (能治痘吗, does it cure acne), pregnancy and breastfeeding, allergies, children
and babies, authenticity (是不是正品, genuine, fake), invoices (发票) and payment methods
(货到付款, cash on delivery, 花呗). Detection is a lexicon of general terms (Chinese and English)
plus a few patterns; it does not depend on any catalog.

:func:`sensitive_reason` names the class; :func:`efficacy_claim` finds a medical-efficacy claim in
text the host is about to say (cosmetics and food must never claim to treat or cure).
"""

from __future__ import annotations

import re
import unicodedata

# (reason, zh terms, en patterns). Terms are general vocabulary of the class, not bench phrases.
_CLASSES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("pregnancy", ("孕妇", "孕期", "怀孕", "备孕", "哺乳", "孕早期", "孕晚期", "产妇", "月子", "坐月子", "孕"),
     (r"pregnan\w*", r"breast ?feed\w*", r"nursing mothers?", r"expecting (a )?(baby|mother)")),
    ("children", ("婴儿", "宝宝能", "小孩", "儿童", "孩子", "幼儿", "新生儿", "小朋友", "几岁", "岁的", "学生能", "岁能",
                  "岁可以", "岁用", "岁吃"),
     (r"bab(y|ies)", r"infants?", r"toddlers?", r"kids?", r"child(ren)?", r"newborns?", r"\d+ ?(years?|yrs?) old")),
    ("allergy", ("过敏", "敏感体质", "乳糖不耐", "麸质", "花生", "坚果过敏", "致敏", "过敏原"),
     (r"allerg\w*", r"lactose", r"gluten", r"peanuts?", r"nut[- ]free")),
    ("health", ("治", "疗效", "药", "病", "医", "糖尿病", "高血压", "血糖", "血压", "减肥", "瘦身", "降", "消炎",
                "祛斑", "祛痘", "去痘", "痘痘", "痘", "湿疹", "皮炎", "副作用", "激素", "荧光剂", "抗癌", "防癌",
                "养胃", "护肝", "失眠", "便秘", "保健", "胆固醇", "心脏", "手术", "伤口", "癌", "痛风", "吃了会", "安全吗",
                "有害", "致癌", "甲醛", "有毒", "辐射", "重金属", "能吃吗", "老人能", "长辈能"),
     (r"cure\w*", r"heal\w*", r"treat(s|ment)?", r"acne", r"pimples?", r"eczema", r"medic\w*", r"diabet\w*",
      r"blood (pressure|sugar)", r"cholesterol", r"weight loss", r"lose weight", r"side effects?", r"steroids?",
      r"hormones?", r"cancer", r"disease\w*", r"doctor", r"therap\w*", r"safe (for|to)", r"is it safe",
      r"toxic", r"harmful", r"surgery", r"wound", r"prescription")),
    ("authenticity", ("正品", "真货", "假货", "假的", "仿品", "高仿", "山寨", "水货", "原装", "授权", "专柜", "防伪", "翻新",
                      "官方", "是真的吗"),
     (r"genuine", r"authentic\w*", r"fakes?", r"counterfeit", r"replicas?", r"original( product)?\??$", r"knock-?offs?",
      r"refurbished", r"legit")),
    ("invoice", ("发票", "开票", "专票", "普票", "税票", "报销", "收据"),
     (r"invoices?", r"receipts?", r"\bvat\b", r"tax (receipt|invoice)", r"fapiao")),
    ("trade-in", ("以旧换新", "旧机回收", "回收旧", "旧换新", "折价换", "抵扣旧"),
     (r"trade[- ]?ins?\b", r"trade (in )?my old", r"part[- ]exchange")),
    ("payment", ("货到付款", "到付", "花呗", "分期", "信用卡", "白条", "先用后付", "支付宝", "微信支付", "付款方式",
                 "怎么付款", "现金", "转账", "借呗", "免息"),
     (r"cash on delivery", r"\bcod\b", r"pay (on|at|upon) delivery", r"instal+ments?", r"credit cards?", r"paypal",
      r"payment (method|option)s?", r"how (do|can) i pay", r"pay later", r"bank transfer", r"wechat pay", r"alipay")),
)

_COMPILED = tuple(
    (reason, zh, re.compile(r"\b(?:" + "|".join(en) + r")", re.IGNORECASE)) for reason, zh, en in _CLASSES
)

# words that contain a health character but are not health questions (治 in 政治, 药 in 芍药 ...)
_NOT_HEALTH = ("政治", "自治", "医保卡", "降价", "降了", "下降", "降温", "病毒式", "芍药", "吃药没", "痘印粉")
# "how old" for children only when the message asks about suitability
_CHILD_NEEDS = re.compile(r"(能|可以|适合|用|吃|穿|戴|玩)")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def sensitive_reason(text: str) -> str | None:
    """The sensitive class of a viewer's question, or ``None``.

    Args:
        text: the viewer's message (any language; Chinese and English are recognised).

    Returns:
        ``"pregnancy"``, ``"children"``, ``"allergy"``, ``"health"``, ``"authenticity"``,
        ``"invoice"`` or ``"payment"``; ``None`` when the message is not sensitive.
    """
    t = _norm(text or "")
    if not t.strip():
        return None
    for reason, zh, en in _COMPILED:
        hit = False
        for term in zh:
            i = t.find(term)
            if i < 0:
                continue
            if reason == "health" and any(n in t for n in _NOT_HEALTH if term in n):
                continue
            if reason == "health" and term == "降" and not re.search(r"降(血|糖|压|脂|火)", t):
                continue
            if reason == "children" and term in ("几岁", "岁的") and not _CHILD_NEEDS.search(t):
                continue
            if reason == "pregnancy" and term == "孕" and not re.search(r"孕(妇|期|产|中|早|晚|吐)|怀孕|备孕", t):
                continue
            hit = True
            break
        if not hit and en.search(t):
            hit = True
        if hit:
            return reason
    return None


_EFFICACY_ZH = re.compile(r"(能|可以|可|会|帮你|帮助)?(治疗?|治愈|根治|疗效|祛痘|去痘|消炎|抗癌|防癌|降血[糖压脂]|降三高|"
                          r"减肥|瘦身|祛斑|消除(痘|斑|皱)|药用|医用级|治好)")
_EFFICACY_EN = re.compile(r"\b(cures?|cured|heals?|treats? (acne|eczema|disease)|treatment for|clears? (up )?acne|"
                          r"lowers? blood|anti-?cancer|prevents? cancer|weight loss|medical[- ]grade)\b", re.IGNORECASE)


def efficacy_claim(text: str) -> str | None:
    """A medical-efficacy claim in text the host would say (``治痘``, ``cures acne``), or ``None``.

    Cosmetics and food may not claim to treat, cure or prevent illness; a spoken draft with
    such a claim must be held for the seller.
    """
    t = _norm(text or "")
    m = _EFFICACY_ZH.search(t) or _EFFICACY_EN.search(t)
    if not m:
        return None
    # negated claims are fine: 不能治疗, not a treatment
    before = t[max(0, m.start() - 3):m.start()]
    if "不" in before or "没" in before or "非" in before or re.search(r"\bnot?\b", t[max(0, m.start() - 8):m.start()]):
        return None
    return m.group(0)
