"""Answers from the seller's facts: sensitive questions held, FAQ answers repeated, food facts,
and honest "the host will check" for facts the catalog does not hold.

:class:`FactAnswerer` is called first by :meth:`app.reply.composer.ReplyComposer.compose` for
product-bound questions; it returns a :class:`~app.reply.composer.Draft` when it can decide the
reply, else ``None`` (the composer's per-intent answer follows).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import jieba

from app.dialogue.english import say_in_english
from rapidfuzz import fuzz

from app.catalog.model import Catalog, FaqEntry, Product, faq_key
from app.dialogue.sensitive import sensitive_reason

jieba.setLogLevel(60)

# Facts a viewer may ask about: (seller words, zh pattern, en pattern, attribute reader or None).
# ``None`` = no catalog column holds it: only a FAQ entry can answer it, else it is a missing fact.
_COMPOSER = "composer"  # the per-intent composer answers it from catalog columns

_ATTRS: tuple[tuple[str, str, str, object], ...] = (
    ("restock date", r"什么时候补货|何时补货|多久补货|补不补货|会补货吗|还会补吗|什么时候有货|什么时候到货",
     r"restock\w*|back in stock|when will .* (be )?(available|in stock)", None),
    ("return shipping", r"退货运费|退换运费|运费险|寄回运费|退回运费|退货.*谁出|退.*邮费",
     r"return (shipping|postage)|who pays (for )?(the )?return", _COMPOSER),
    ("returns", r"退货|退换|能退吗|可以退吗|拆封|换货|无理由", r"\breturns?\b|refund\w*|exchange", _COMPOSER),
    ("courier", r"快递|物流公司|发什么快|发啥快", r"courier|carrier|which express|delivery company|shipping company",
     lambda p: p.shipping.courier),
    ("ships from", r"从哪发|从哪里发|哪里发货|哪儿发货|哪发货|发货地|在哪发", r"ships? from|shipped from|where .*ship",
     lambda p: p.shipping.ships_from),
    ("shipping fee", r"运费|包邮|邮费", r"free shipping|shipping (fee|cost)|postage", _COMPOSER),
    ("dispatch", r"几天发货|多久发货|什么时候发货|当天发|几天到|多久到|几天能到", r"when .* ship|how (long|soon)|dispatch|arriv\w*",
     _COMPOSER),
    ("shelf life", r"保质期|能放多久|放多久|能保存多久|过期", r"shelf[- ]life|expir\w*|best before|how long .*(keep|last)",
     lambda p: p.shelf_life),
    ("production date", r"生产日期|什么时候生产|哪天生产|生产的|新日期", r"production date|manufactur\w* date|when was it (made|produced)|\bproduced\b",
     lambda p: p.production_date),
    ("storage", r"储存|存放|保存方式|怎么保存|怎么放|冷藏|冷冻|放冰箱", r"\bstor(e|age)\b|refrigerat\w*|fridge|keep it cold",
     lambda p: p.storage),
    ("net weight", r"净含量|多重|几克|多少克|多少斤|几斤|多少毫升|几毫升|容量多大|分量", r"net weight|how (heavy|much does it weigh)|how many (grams|ml)|\bweight\b of",
     lambda p: p.net_weight),
    ("warranty", r"保修|质保|三包|保固", r"warrant\w*|guarantee",
     lambda p: p.after_sales.warranty),
    ("content", r"含量|含绒量|浓度|占比|百分之|百分比|多少%", r"percentage|concentration|how much \w+ (is )?in|\w+ content", None),
    ("material", r"什么材质|什么面料|材质|面料|什么做的|成分是|料子|布料|什么料", r"made of|material|fabric",
     lambda p: p.material),
    ("pilling", r"起球|掉毛", r"pill(ing|s)?\b|shed(s|ding)?\b", None),
    ("shrinkage", r"缩水|变形", r"shrink\w*", None),
    ("fading", r"掉色|褪色|串色", r"fad(e|es|ing)|colou?r ?bleed", None),
    ("harvest year", r"今年的|新茶|哪年的|年份|陈茶", r"this year'?s|harvest|vintage", None),
    ("origin", r"产地|哪里产|哪产的|原产", r"made in|origin", None),
    ("packaging", r"独立包装|包装|礼盒装|袋装|盒装|几袋|几包", r"packag\w*|wrapped|individually", None),
    ("ingredients", r"配料|成分|添加剂|防腐剂|含糖|加糖|有糖", r"ingredient\w*|additive\w*|preservative\w*|sugar", None),
    ("taste", r"甜吗|辣吗|咸吗|口味|口感|好吃吗|什么味", r"\btaste\b|sweet\??$|spicy|salty|flavou?r", None),
    ("smell", r"味道大|有味道|异味|香味|气味|香精", r"\bsmell\w*|fragrance|scent", None),
    ("battery", r"续航|电池|待机|电量", r"battery|standby", None),
    ("processor", r"处理器|什么芯片|\bcpu\b|什么u\b", r"processor|chipset|\bchip\b|\bcpu\b|\bsoc\b", None),
    ("speed", r"读速|写速|读取速度|写入速度|传输速度|速度多快", r"read speed|write speed|transfer speed|how fast is", None),
    ("charging", r"快充|充电功率|多少瓦|几瓦|充电多快", r"fast charg\w*|charging (speed|power)|how many watts|wattage", None),
    ("noise", r"噪音|声音大|吵不吵", r"\bnois\w*|\bloud\b", None),
    ("thickness", r"厚不厚|薄不薄|厚吗|薄吗|透不透|透吗", r"thick|thin|see-through|sheer", None),
    ("washing", r"机洗|水洗|手洗|干洗|能洗吗", r"machine wash|washable|dry clean", None),
    ("waterproof", r"防水|泼水", r"waterproof|water[- ]resistant", None),
    ("measurements", r"多长|多宽|多高|多大尺寸|尺寸多大|(?<![穿买拿选要])多大(?=$|[?？呀啊呢])|裙长|衣长|袖长|腰围|胸围|长度|宽度|尺寸",
     r"how (long|wide|tall|big)\b|length|width|dimensions?", None),
)
_FEATURE_TOKEN = re.compile(r"\d+[a-z]{1,3}|ipx\d")
"""A feature asked by a number and letters (4k, 5g, 120hz, ipx7), lower case."""
_RETURN_CONDITION = re.compile(r"(?i)拆封|拆开|拆了|拆过|开封|打开|开了|激活|用过|用了|穿过|洗过|试用|试穿|吊牌|坏|破损|质量问题|漏|碎|过敏|"
                               r"opened|unsealed|used|worn|washed|activated|damaged|broken|defect|faulty|leak|tag")
"""Conditions a returns question asks about (opened, used, arrived broken) that the product's
return days alone do not answer."""
_SELLER_ANSWERS = frozenset({"trade-in"})
"""Held classes a seller's FAQ answer settles (a trade-in is a shop policy, not a health or legal
matter): with a matching entry, its answer is said; without, the question is held."""
_RETURNS_KEY = re.compile(r"退货|退换|售后|returns?")

_ATTRS_C = tuple((name, re.compile(zh), re.compile(en, re.IGNORECASE), read) for name, zh, en, read in _ATTRS)

_SELLER_ZH = {"shelf life": "保质期", "production date": "生产日期", "storage": "储存方式", "net weight": "净含量",
              "warranty": "保修", "material": "材质", "content": "含量"}
_FACT_KEY = {"courier": "fact_courier", "ships from": "fact_ships_from", "storage": "fact_storage",
             "material": "fact_material"}

# Chinese courier companies' English names (proper names in English replies).
_COURIER_EN = {"顺丰": "SF Express", "中通": "ZTO Express", "圆通": "YTO Express", "韵达": "Yunda Express",
               "申通": "STO Express", "极兔": "J&T Express", "京东": "JD Logistics", "德邦": "Deppon",
               "邮政": "China Post", "EMS": "EMS", "百世": "Best Express", "天天": "TTK Express"}
_UNIT_EN = {"年": "years", "个月": "months", "月": "months", "天": "days", "日": "days", "小时": "hours",
            "克": "g", "千克": "kg", "公斤": "kg", "毫升": "ml", "升": "L"}


def to_english(name: str, value: str) -> str | None:
    """A catalog value said in English (courier names, cities in pinyin, durations and amounts),
    or ``None`` when it cannot be said without Chinese words."""
    v = unicodedata.normalize("NFKC", value).strip()
    if v.isascii():
        return v
    if name == "courier":
        parts = [en for zh, en in _COURIER_EN.items() if zh in v]
        return " or ".join(parts) if parts else None
    if name == "ships from" and re.fullmatch(r"[\u4e00-\u9fff]{2,6}", v):
        from pypinyin import lazy_pinyin

        return "".join(lazy_pinyin(v.removesuffix("市"))).capitalize()
    out = re.sub(r"(\d+(?:\.\d+)?)\s*(千克|公斤|个月|小时|毫升|年|月|天|日|克|升)",
                 lambda m: f"{m.group(1)} {_UNIT_EN[m.group(2)]}" if _UNIT_EN[m.group(2)].isalpha() and
                 len(_UNIT_EN[m.group(2)]) > 2 else f"{m.group(1)}{_UNIT_EN[m.group(2)]}", v)
    return out if out.isascii() else say_in_english(value, name)


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "").casefold()
    return re.sub(r"[\s\W_]+", "", t)


_FILLER = re.compile(r"可不可以|能不能|会不会|是不是|有没有|可以|能|这个|这款|那个|请问|主播|宝宝|呀|啊|哦|吧")


_A_NOT_A = re.compile(r"(\w)不\1")
"""A-not-A questions (会不会化, 甜不甜) read as their verb (会化, 甜)."""


def _canon(text: str) -> str:
    """Normalised text without modal verbs and fillers (这个白天可以用吗 -> 白天用)."""
    return _FILLER.sub("", _A_NOT_A.sub(r"\1", _norm(faq_key(text or ""))))


def _terms(text: str) -> set[str]:
    t = unicodedata.normalize("NFKC", text or "").casefold()
    out = set()
    for w in jieba.lcut(t):
        w = w.strip()
        if not w or not re.search(r"\w", w):
            continue
        if w in _STOP:
            continue
        out.add(w)
    return out


_STOP = frozenset(("支持", "没有", "有没有", "是不是", "能不能", "可不可以", "哪些", "哪个", "几个", "用吗", "适合", "一般",
                   "介绍", "怎么样", "如何", "详细", "说说", "讲讲", "好用", "好不好", "推荐",
                   "tell", "about", "me", "it's", "its", "any", "details", "good", "with", "my", "on", "in", "and",
                   "吗", "呢", "嘛", "的", "了", "是", "有", "不", "能", "可以", "这个", "这款", "那个", "请问", "主播",
                   "一下", "多少", "怎么", "什么", "吧", "啊", "呀", "宝宝", "你们", "我", "你", "会", "要", "就", "还",
                   "the", "a", "an", "is", "it", "this", "does", "do", "can", "i", "you", "what", "how", "of", "to",
                   "for", "there", "are", "be", "will", "any", "have", "has"))


def match_faq(entries: Sequence[FaqEntry], question: str, *, threshold: float = 0.62) -> FaqEntry | None:
    """The FAQ entry whose question best matches ``question`` by meaning-ish fuzzy matching.

    The score mixes rapidfuzz's partial ratio on normalised text (catches 保质期 inside
    保质期多久呀) with the share of the entry's key terms (jieba words) found in the question.

    Args:
        entries: FAQ entries (a product's, or the shop's).
        question: the viewer's message.
        threshold: the lowest score (0..1) accepted.

    Returns:
        The best entry, or ``None`` when none scores ``threshold`` or more.
    """
    q = _canon(question)
    if not q or not entries:
        return None
    qterms = _terms(question)
    best, best_score = None, 0.0
    for e in entries:
        k = _canon(e.question)
        if not k:
            continue
        if k == q:
            return e
        if len(k) <= 4:  # a short key (保质期, 发票, 快递) must appear whole, or all its words (拆封…退)
            eterms = _terms(e.question)
            score = 1.0 if k in q or (eterms and sum(map(len, eterms)) >= 2 and eterms <= qterms) else 0.0
        else:
            fuzzy = fuzz.partial_ratio(k, q) / 100.0
            eterms = _terms(e.question)
            overlap = len(eterms & qterms) / len(eterms) if eterms else 0.0
            score = 0.5 * fuzzy + 0.5 * overlap
        if score > best_score:
            best, best_score = e, score
    return best if best_score >= threshold else None


def asked_attribute(text: str) -> tuple[str, object] | None:
    """The fact a question asks about, as (seller words, reader or ``None``), or ``None``."""
    t = unicodedata.normalize("NFKC", text or "")
    for name, zh, en, read in _ATTRS_C:
        if zh.search(t) or en.search(t):
            return name, read
    return None


class FactAnswerer:
    """Decides replies that rest on the seller's own facts.

    Args:
        catalog: the seller's catalog (products' FAQ, the shop FAQ, food-fact columns).
        composer: the :class:`~app.reply.composer.ReplyComposer` whose templates and name filters
            the drafts use.
    """

    _PRODUCT_INTENTS = frozenset(("product_detail", "size_fit", "shipping", "after_sales", "stock", "price",
                                  "discount", "missing_fact_prompt", "purchase_intent"))

    def __init__(self, catalog: Catalog, composer) -> None:
        self.catalog = catalog
        self.composer = composer

    def faq(self, text: str, product: Product | None) -> FaqEntry | None:
        """The product's FAQ entry for ``text``, else the shop's, else ``None``."""
        if product is not None:
            e = match_faq(product.faq, text)
            if e is not None:
                return e
        return match_faq(self.catalog.faq, text)

    def answer(self, intent: str, slots, lang: str, *, text: str = "", product: Product | None = None,
               nickname: str | Sequence[str] = ""):
        """A draft for the question, or ``None`` when the per-intent composer should answer.

        Sensitive questions are always held (reason ``sensitive: <class>``), quoting the FAQ
        answer when one matches. A matched FAQ answer is spoken. A question about a fact the
        catalog lacks is held with ``missing_fact: <fact>``.
        """
        lang = "en" if lang == "en" else "zh"
        c = self.composer
        reason = sensitive_reason(text)
        if reason is not None:
            e = self.faq(text, product)
            if e is not None and reason in _SELLER_ANSWERS:
                return self._faq_draft(e, lang, nickname, product)  # the seller's own answer to it
            if e is not None:
                return c._draft("faq_held", lang, nickname, product, held=f"sensitive: {reason}", answer=e.answer)
            return c._draft("sensitive_held", lang, nickname, product, held=f"sensitive: {reason}")
        if intent not in self._PRODUCT_INTENTS or not text:
            return None
        if intent in ("price", "discount", "purchase_intent"):
            return None  # frames' answers; only sensitive questions are taken here
        attr = asked_attribute(text)
        if intent == "stock" and (attr is None or attr[0] != "restock date"):
            return None  # stock levels are the composer's; "when is it restocked" no column holds
        name, read = attr if attr is not None else ("", None)
        if read is _COMPOSER:
            read = None
            composer_answers = True
        else:
            composer_answers = False

        def fits(e: FaqEntry) -> bool:  # an entry about another fact does not answer this one
            ea = asked_attribute(e.question)
            return attr is None or ea is None or ea[0] == name

        e = match_faq(product.faq, text) if product is not None else None
        if e is not None and fits(e):
            return self._faq_draft(e, lang, nickname, product)
        if name in ("returns", "return shipping") and _RETURN_CONDITION.search(text):
            # "拆封了还能退吗", "arrived damaged": the terms template does not say; the shop's own
            # returns answer does, else the seller
            e = next((x for x in self.catalog.faq if _RETURNS_KEY.search(x.question)), None)
            if e is not None:
                return self._faq_draft(e, lang, nickname, product)
            return c._missing(lang, nickname, product, "退货条件" if lang == "zh" else "return conditions")
        value = read(product) if (product is not None and callable(read)) else ""
        if value:
            if lang == "en":
                value = to_english(name, value)
                if value is None:
                    return c._missing(lang, nickname, product, f"{name} in English")
            return c._draft(_FACT_KEY.get(name, "fact_value"), lang, nickname, product,
                            fact=_SELLER_ZH.get(name, name), fact_en=name, value=value)
        e = match_faq(self.catalog.faq, text)
        if e is not None and fits(e) and not composer_answers:
            return self._faq_draft(e, lang, nickname, product)
        if product is not None and not composer_answers and intent in ("product_detail", "size_fit", "stock"):
            listed = self._option_list(product, text, lang, nickname)
            if listed is not None:
                return listed
            if read is None or not value:
                phrase = self.phrase_for(product, text, name, lang)
                if phrase:
                    key = "fact_phrase"
                    return c._draft(key, lang, nickname, product, facts=phrase, facts_en=phrase)
        if attr is None and product is not None and intent == "product_detail":
            unknown = self.uncovered_terms(text, product, lang)
            if unknown:
                return c._missing(lang, nickname, product, "、".join(unknown) if lang == "zh" else ", ".join(unknown))
            return None
        if attr is None or product is None or composer_answers:
            return None
        if name == "material" and intent == "product_detail" and not re.search(r"材质|面料|料子|布料|什么料|material|fabric", text, re.I):
            return None
        return c._missing(lang, nickname, product, name)

    # attribute -> (zh, en) patterns of the phrases in a product's own facts that answer it
    _PHRASES = {
        "thickness": (r"不透|内衬|透光|加厚|厚实|薄款|轻薄|厚度", r"\blined\b|lining|thick|thin|opaque|see-through"),
        "noise": (r"静音|噪音|低噪|\d+\s*(?:dB|分贝)", r"quiet|silent|noise|\d+\s*dB"),
        "washing": (r"可水洗|能水洗|可机洗|机洗|手洗|可洗|水洗", r"washable|machine[- ]wash|hand[- ]wash"),
        "pilling": (r"起球|掉毛|掉絮", r"pilling|shedding|lint"),
        "shrinkage": (r"缩水|预缩", r"shrink"),
        "fading": (r"掉色|褪色", r"fade|colou?rfast"),
        "waterproof": (r"防水|IPX\d|泼水", r"waterproof|water-resistant|IPX\d"),
        "battery": (r"续航|电池|\d+\s*(?:mAh|毫安)|\d+\s*小时", r"battery|\d+\s*mAh|\d+\s*(?:hours|h)\b"),
        "measurements": (r"\d+(?:\.\d+)?\s*(?:cm|厘米|mm|毫米)|\d+(?:\.\d+)?\s*[x×*]\s*\d+",
                         r"\d+(?:\.\d+)?\s*(?:cm|mm)\b|\d+(?:\.\d+)?\s*[x×*]\s*\d+"),
        "net weight": (r"\d+(?:\.\d+)?\s*(?:g|克|kg|千克|公斤|斤)(?![a-z])", r"\d+(?:\.\d+)?\s*(?:g|kg)\b"),
        "packaging": (r"独立包装|礼盒|袋装|盒装|罐装|小包装", r"individually|gift box|packed"),
        "ingredients": (r"配料|成分|无添加|不添加|0添加|零添加|无糖|含糖|代糖", r"no added|sugar-free|ingredient"),
        "origin": (r"产地|原产|产自", r"made in|from"),
        "taste": (r"口味|风味|味道|香甜|甜而不腻|微甜|咸香|香辣|麻辣|不辣|微辣", r"flavou?r|taste|sweet|spicy|salty"),
        "processor": (r"处理器|天玑|骁龙|麒麟|芯片|\bA\d{2}\b", r"processor|chip|Dimensity|Snapdragon|Kirin"),
        "speed": (r"读速|写速|读取|写入|\d+\s*MB/s", r"read|write|\d+\s*MB/s"),
        "charging": (r"\d+\s*W\s*(?:快充|闪充|超级闪充|有线|无线)|快充|闪充", r"\d+\s*W\b.*charg|fast charg"),
        # no material column: a selling point about the fabric or material (微弹面料，舒适透气)
        "material": (r"面料|材质|纯棉|棉质|全棉|针织|羊毛|羊绒|真丝|皮革|真皮|牛皮|不锈钢|硅胶|涤纶|聚酯|雪纺|帆布|亚麻|棉麻",
                     r"cotton|fabric|material|knit|wool|leather|silk|stainless|silicone|polyester|linen|denim|canvas"),
    }
    _MODAL = re.compile(r"^(?:能|会|可|要|可以|能不能|会不会)")
    _MODAL_END = re.compile(r"(?:能|会|可以|可|要)$")

    @staticmethod
    def _phrases(p: Product, lang: str) -> list[str]:
        """The product's own fact phrases in catalog order: selling points, title parts, material."""
        if lang == "en":
            out = [*p.selling_points_en, *(x.strip() for x in re.split(r"[,;]", p.title_en or "")), p.material_en]
        else:
            out = [*p.selling_points, *p.title.split(), p.material,
                   *(v for s in p.skus for n, v in s.options if re.search(r"尺寸|规格|size", n, re.I))]
        return [x.strip() for x in dict.fromkeys(out) if x and x.strip()]

    def phrase_for(self, p: Product, text: str, attr: str, lang: str) -> str:
        """The product's own phrase answering ``text`` (quoted as it stands, so its yes or no is the
        seller's): one matching the asked attribute's pattern (静音 for 声音大不大), else the one carrying
        the question's key terms (电磁炉 for 能用电磁炉吗); ``""`` when no phrase does."""
        own_names = {n.casefold() for n in (p.short_name, p.title_en, *p.aliases) if n}
        phrases = [x for x in self._phrases(p, lang) if x.casefold() not in own_names]
        if attr == "content":  # a percentage in the product's own name is a fact too (72% Dark Chocolate)
            named = [n for n in (p.title_en if lang == "en" else p.title,) if n]
            return self._content_phrase(list(dict.fromkeys(phrases + named)), text, lang, p)
        pats = self._PHRASES.get(attr)
        if pats:
            strict = self._STRICT.get(attr)
            if strict:  # 起球 is not 掉毛: the phrase says the very thing asked
                asked = [w for w in strict if re.search(w, text or "", re.IGNORECASE)]
                pat = re.compile("|".join(asked), re.IGNORECASE) if asked else None
            else:
                pat = re.compile(pats[1 if lang == "en" else 0], re.IGNORECASE)
            hits = [x for x in phrases if pat is not None and pat.search(x)]
            if not hits and lang == "en" and not strict:
                # the English listing is silent: the Chinese selling point, said in English when
                # every word of it is in the goods glossary (5160mAh大电量 -> 5160mAh large battery)
                zh = re.compile(pats[0], re.IGNORECASE)
                own_zh = {n for n in (p.short_name, p.title, *p.aliases) if n}
                said = [say_in_english(x) for x in self._phrases(p, "zh") if x not in own_zh and zh.search(x)]
                hits = [x for x in said if x]
            return "，".join(hits[:2]) if lang == "zh" else ", ".join(hits[:2])
        if attr or self._GENERIC.search(text or ""):
            return ""
        names = " ".join((p.short_name, p.title_en, p.category, p.brand, *p.aliases, *p.tags)).casefold()
        model_names = re.sub(r"\s+", "", " ".join((p.short_name, *p.aliases)).casefold())
        keys = []
        for w in _terms(text):
            w = self._MODAL_END.sub("", self._MODAL.sub("", w))
            feature = _FEATURE_TOKEN.fullmatch(w.casefold()) is not None
            if len(w) < 2 or (re.fullmatch(r"[\d.]+|[a-z]?\d+[a-z]*", w) and not feature) or w in _STOP \
                    or (w.casefold() in names and not feature) or (feature and w.casefold() in model_names):
                continue  # the 4A of 小米电视4A is the product's name, its 4K a feature
            if w.isascii() and len(w) < 3 and not feature:
                continue
            keys.append(w)
        if not keys:
            return ""
        # every key term of the question in one phrase of the seller's (电磁炉 in 电磁炉燃气灶通用)
        hits = [x for x in phrases if all(k.casefold() in x.casefold() for k in keys)]
        if not hits and lang == "en" and all(k.isascii() for k in keys):
            # "is it 4k": the Chinese phrase carrying the very token, said in English (4K超高清 -> 4K Ultra HD)
            zh = [x for x in self._phrases(p, "zh") if x not in (p.title, p.short_name)
                  and all(k.casefold() in x.casefold() for k in keys)]
            hits = [e for e in (say_in_english(x) for x in zh) if e]
        return "，".join(hits[:2]) if lang == "zh" else ", ".join(hits[:2])

    _CONTENT_OF = (re.compile(r"含(\w)量"), re.compile(r"(\w{1,6}?)的?(?:含量|浓度|占比)"),
                   re.compile(r"(?i)(?:how much|percentage of|concentration of) (\w+)|(\w+) (?:content|percentage)"))
    _PERCENT = re.compile(r"\d+(?:\.\d+)?\s*%")

    _SUBSTANCE = {"可可": ("可可", "巧克力", "黑巧"), "cocoa": ("cocoa", "chocolate")}
    """A substance and the goods words whose percentage is its content by labelling practice
    (72%黑巧克力: 72 % cocoa solids, the share GB/T 19343 classifies chocolate by)."""

    def _content_phrase(self, phrases: list[str], text: str, lang: str, p: Product | None = None) -> str:
        """"含绒量多少" / "烟酰胺含量多少": the seller's phrase giving a percentage of the very
        substance asked (90%白鸭绒填充, 5%烟酰胺); ``""`` when none names it."""
        subject = ""
        for rx in self._CONTENT_OF:
            if m := rx.search(text or ""):
                subject = next(g for g in m.groups() if g)
                break
        subject = re.sub(r"^(精华|这个|这款|它)", "", subject)  # the product word before the substance
        if p is not None:  # 黑巧可可含量: the product's own word before the substance
            for name in sorted({n for n in (p.short_name, *p.aliases) if n}, key=len, reverse=True):
                if subject.startswith(name) and len(subject) > len(name):
                    subject = subject[len(name):]
                    break
        if not subject:
            return ""
        words = self._SUBSTANCE.get(subject.casefold(), (subject,))
        hits = [x for x in phrases if self._PERCENT.search(x) and any(w.casefold() in x.casefold() for w in words)]
        if hits and p is not None and (hits[0] in (p.title, p.title_en) or hits[0] in p.title.split()):  # the name's percentage, said as the content
            pct = self._PERCENT.search(hits[0]).group(0).replace(" ", "")
            return f"{subject}含量{pct}" if lang == "zh" else f"{pct} {subject}"
        return "，".join(hits[:1]) if lang == "zh" else ", ".join(hits[:1])

    _STRICT = {
        "pilling": (r"起球", r"掉毛|掉絮", r"pill", r"shed"),
        "shrinkage": (r"缩水", r"shrink"),
        "fading": (r"掉色|褪色", r"fad|bleed"),
        "waterproof": (r"防水", r"waterproof|water[- ]resistant"),
        "washing": (r"水洗|机洗|手洗|可洗|能洗", r"wash"),
    }

    _OPTION_ASK = re.compile(r"(?i)几种|哪些|哪几|什么(?=口味|味|香|颜色|色)|有啥|多少种|which|what (?:flavou?rs?|scents?|colou?rs?)|how many (?:flavou?rs?|scents?|colou?rs?)")

    def _option_list(self, p: Product, text: str, lang: str, nickname):
        """"有几种香味" / "牛肉干有哪些口味": the values of the option asked about, from the SKUs."""
        if not self._OPTION_ASK.search(text or ""):
            return None
        from app.dialogue.variants import option_values

        for name, values in option_values(p).items():
            en = p.label_en(name).lower() if p.label_en(name) else ""
            words = {name, name.removesuffix("味"), name[-1:]} if "味" in name else {name}
            stem = name[:-1] if len(name) >= 2 and name[-1] in "型味款类" else ""
            if any(w and w in text for w in words) or (stem and re.search(stem + "[味型气款类]", text)) or (en and en.split()[0] in text.lower()) or (
                    "味" in name and re.search(r"(?i)flavou?r|scent|味", text)):
                if lang == "en":
                    labels = [p.label_en(v) or say_in_english(v) for v in values]
                    if not all(labels):
                        return self.composer._missing(lang, nickname, p, f"{name} in English")
                    return self.composer._draft("fact_phrase", lang, nickname, p,
                                                facts_en=f"{len(values)} options: " + ", ".join(labels), facts="")
                return self.composer._draft("fact_phrase", lang, nickname, p,
                                            facts=f"{name}有{len(values)}种：" + "、".join(values), facts_en="")
        return None

    _GENERIC = re.compile(r"介绍|怎么样|如何|详细|说说|讲讲|看看|好用吗|好不好|tell me about|details|what is it|any good",
                          re.IGNORECASE)

    @classmethod
    def uncovered_terms(cls, text: str, product: Product, lang: str) -> list[str]:
        """Key terms of a specific question that none of the product's facts mention (``支持手写笔吗``
        -> ``['手写笔']``); empty for a general question (``介绍一下``) or one the facts cover."""
        if cls._GENERIC.search(text or ""):
            return []
        names = " ".join((product.title, product.short_name, product.title_en, product.category, product.brand,
                          *product.aliases)).casefold()
        facts = " ".join((product.title, product.title_en, product.material, product.material_en,
                          *product.selling_points, *product.selling_points_en, *product.tags, *product.suitable_for,
                          *product.colors, *product.sizes, *(v for _, v in product.labels_en),
                          *(f"{n} {v}" for sku in product.skus for n, v in sku.options))).casefold()
        out = []
        for w in _terms(text):
            w = cls._MODAL_END.sub("", w) if len(w) > 2 else w
            feature = _FEATURE_TOKEN.fullmatch(w) is not None
            if feature:
                if w in facts.replace(" ", "") or w in names.replace(" ", ""):
                    continue
                out.append(w)
                continue
            if re.fullmatch(r"[\d.]+|[a-z]?\d+[a-z]*", w) or w in names:
                continue
            if re.fullmatch(r"[a-z'-]+", w):
                if len(w) < 3 or w in facts or w.rstrip("s") in facts:
                    continue
            elif len(w) < 2 or w in facts or all(ch in facts for ch in w):
                continue
            out.append(w)
        return out

    def _faq_draft(self, e: FaqEntry, lang: str, nickname, product: Product | None):
        c = self.composer
        if lang == "en" and not e.answer.isascii():
            return c._draft("missing_fact", lang, nickname, product,
                            held=f"missing_fact: English answer to '{e.question}'")
        return c._draft("faq_answer", lang, nickname, product, answer=e.answer)
