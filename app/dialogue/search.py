"""Catalog search: "100以内的裤子有吗", "65英寸的电视有哪些", "any 5g phones", "送长辈买什么好".

A question that asks which products meet some constraints, rather than about one product, is
answered from the catalog alone: every product that meets every *hard* constraint -- the kinds
of goods named (goods words), the budget, a colour, a size, a variant label (65英寸, 38码, a phone
model) -- with a variant of it in stock at a price within the budget. *Soft* constraints are the
other content words (送礼, 长辈, 油皮, 打游戏, 保暖): each must be found in a product's own facts
(title, tags, suitable-for, selling points, FAQ), directly or through a small table of synonyms
written for this package; a product whose facts do not carry one is never offered for it, and
when no product carries it the question goes to the seller (``unmatched``).

:func:`search_request` tells whether a message is such a question and reads its constraints;
:func:`run_search` returns the products that meet them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from app.catalog.model import Catalog, Product, Sku
from app.dialogue.variants import VARIANT_TOKEN, named_options, skus_with
from app.dialogue.vocabulary import ProductVocabulary
from app.events import Slots

SEARCH_CUE = re.compile(
    r"(?i)^有.{1,12}吗|^有没有.{1,8}|有哪些|哪些|有[^吗]{1,6}吗|有哪几|哪几款|哪几个|有什么|有啥|有没有|有吗|有无|推荐|哪个好|哪款好|选哪|用哪|用啥|买啥|买什么|送啥|送什么"
    r"|以内|以下|之内|不超过|预算|左右的|\bany\b|\banything\b|\bunder\b|\bbelow\b|\bless than\b|recommend|suggest"
    r"|\bwhich\b|what .*(?:have|got|sell)|do you (?:have|sell|carry)|show me")
"""Words of a question that looks for products (which ones, any, under N, recommend)."""

_STOP_ZH = frozenset("""
有 哪些 哪几 哪几款 哪几个 几款 什么 啥 推荐 推荐一下 一下 下 的 吗 呢 呀 啊 吧 嘛 哦 好 好的 用 买 选 选哪个 哪个 哪款 款 个 些
适合 合适 能 可以 给 我 我们 想 要 需要 以内 以下 之内 左右 不超过 预算 块 元 块钱 钱 价位 大家 宝宝 姐妹 家人 主播 这里 你们 你家
有没有 没有 有吗 一个 一款 东西 产品 商品 宝贝 链接 买点 买个 点 比较 最 更 还 还有 都 也 就 呗 么 怎么样 如何 平时 日常 直播间
英寸 寸 码 克 毫升 升 斤 公斤 瓦 片 包 盒 罐 瓶 袋 支 这个 这款 这件 这种 那个 那款 它 送 送给 用的 喝的 吃的 穿的 戴的 玩的 是 在 里 人 多少 多少钱 便宜 便宜点 实惠 划算 性价比 高 好用 好看 好吃 值得 入手 哪 种
能用 能用吗 可以用 可以吗 能不能 能不能用 可不可以 行吗 行不行 拿来 用来 家里 家用 我家 姐妹们 适用 适不适合 合不合适 用这个 这个水 爱 很 比较 特别 有点 哪款 用哪个 哪一款 几个 几款 用啥 啥好 些 款式
""".split())
_STOP_EN = frozenset("""
any anything something some which what whats what's do does you your have has got sell carry show me recommend recommendation
recommendations suggest suggestion suggestions under below less than over about around yuan rmb dollars bucks price priced
is are the a an for of to in on with and or it its that this there good best nice cheap cheaper affordable please pls can
could would i we my our want need looking buy get one ones items item products product stuff thing things options choices
inch inches ml kg gb tb mah available stock how much many this these those them they ok okay suitable fit fits fine
skin type types come comes came as be am use used using work works wear good great well idea choice option
""".split())

# soft constraint word -> the words that carry it in a product's facts (written for this package)
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "送礼": ("送礼", "送人", "礼盒", "礼物", "礼品", "gift"),
    "送人": ("送礼", "送人", "礼盒", "礼物", "礼品", "gift"),
    "礼物": ("送礼", "送人", "礼盒", "礼物", "礼品", "gift"),
    "gift": ("送礼", "送人", "礼盒", "礼物", "礼品", "gift"),
    "parent": ("长辈", "父母", "老人", "中老年", "爸妈", "elderly", "parents"),
    "gifts": ("送礼", "送人", "礼盒", "礼物", "礼品", "gift"),
    "长辈": ("长辈", "父母", "老人", "中老年", "爸妈", "elderly", "parents"),
    "父母": ("长辈", "父母", "老人", "中老年", "爸妈", "elderly", "parents"),
    "爸妈": ("长辈", "父母", "老人", "中老年", "爸妈", "elderly", "parents"),
    "parents": ("长辈", "父母", "老人", "中老年", "爸妈", "elderly", "parents"),
    "男朋友": ("男朋友", "男友", "男士", "男款", "男生", "men"),
    "男生": ("男生", "男士", "男款", "男式", "男装", "男", "men"),
    "男士": ("男生", "男士", "男款", "男式", "男装", "men"),
    "女朋友": ("女朋友", "女友", "女士", "女款", "女生", "women"),
    "女生": ("女生", "女士", "女款", "女式", "女装", "women"),
    "men": ("男生", "男士", "男款", "男式", "男装", "men"),
    "women": ("女生", "女士", "女款", "女式", "女装", "women"),
    "干皮": ("干皮", "干性肌", "干性皮肤", "所有肤质", "dry skin"), "dry": ("干皮", "干性肌", "干性皮肤", "所有肤质", "dry skin"),
    "油皮": ("油皮", "油性肌", "油性皮肤", "所有肤质", "oily skin"),
    "oily": ("油皮", "油性肌", "油性皮肤", "所有肤质", "oily skin"),
    "混油皮": ("混油皮", "混合", "所有肤质"), "混干皮": ("混干皮", "混合", "所有肤质"),
    "敏感肌": ("敏感肌", "敏感", "所有肤质"), "sensitive": ("敏感肌", "敏感", "所有肤质", "sensitive"),
    "combination": ("混油皮", "混干皮", "混合", "所有肤质", "combination"),
    "脸上": ("面部", "脸", "洁面", "面霜", "面膜", "粉底", "face", "facial"),
    "脸": ("面部", "脸", "洁面", "面霜", "面膜", "粉底", "face", "facial"),
    "face": ("面部", "脸", "洁面", "面霜", "面膜", "粉底", "face", "facial"),
    "头皮": ("头皮", "洗发", "scalp"), "scalp": ("头皮", "洗发", "scalp"),
    "出油": ("油性", "控油", "油皮", "oily"), "爱出油": ("油性", "控油", "油皮", "oily"), "油头": ("油性头皮", "控油"),
    "干枯": ("干枯", "毛躁", "受损", "修护"), "毛躁": ("干枯", "毛躁", "受损", "修护"),
    "烫过": ("染烫", "烫染", "烫发", "受损"), "染过": ("染烫", "烫染", "染发", "受损"), "烫发": ("染烫", "烫染", "烫发"),
    "头发": ("护发", "头发", "洗发", "发质", "hair"),
    "保暖": ("保暖", "加厚", "加绒", "羽绒", "冬", "warm"), "冬天": ("保暖", "加厚", "加绒", "羽绒", "冬", "warm"),
    "winter": ("保暖", "加厚", "加绒", "羽绒", "冬", "warm"), "warm": ("保暖", "加厚", "加绒", "羽绒", "冬", "warm"),
    "洗澡": ("沐浴", "洗澡", "身体", "浴", "shower", "bath"), "打游戏": ("游戏", "gaming", "高刷", "散热"),
    "游戏": ("游戏", "gaming", "高刷"), "gaming": ("游戏", "gaming", "高刷"),
    "苹果": ("apple", "iphone", "ipad", "苹果"), "apple": ("apple", "iphone", "ipad", "苹果"),
    "办公室": ("办公室", "办公", "office"), "office": ("办公室", "办公", "office"),
    "学生": ("学生", "宿舍", "student"), "宿舍": ("宿舍", "学生", "dorm"),
    "厨房": ("厨房", "厨具", "kitchen", "锅", "刀"), "kitchen": ("厨房", "厨具", "kitchen"),
    "化妆": ("彩妆", "化妆品", "makeup"), "makeup": ("彩妆", "化妆品", "makeup", "make-up"),
    "护发": ("护发", "头发", "发膜", "护发素", "洗发", "hair"), "hair": ("护发", "头发", "洗发", "hair"),
    "5g": ("5g",), "4g": ("4g",),
    # the slot extractor's recipients (app.understanding.slots): mother ... gift
    "mother": ("妈妈", "母亲", "长辈", "中老年", "女士", "mother", "mom"),
    "father": ("爸爸", "父亲", "长辈", "中老年", "男士", "father", "dad"),
    "wife": ("老婆", "女士", "女款", "women"), "husband": ("老公", "男士", "男款", "men"),
    "girlfriend": ("女朋友", "女友", "女士", "女款", "女生", "women"),
    "boyfriend": ("男朋友", "男友", "男士", "男款", "男生", "men"),
    "child": ("儿童", "孩子", "宝宝", "婴童", "婴儿", "童装", "kids", "children"), "elder": ("长辈", "父母", "老人", "中老年", "elderly"),
    "friend": ("送礼", "送人", "礼盒", "礼物", "gift"),
}
_JIEBA = None
SINGLE_GOODS = frozenset("茶 鞋 包 裙 裤 被 锅 刀 碗 杯 伞 酒 米 油 糖 笔 书 表 帽 袜 膜 壳 灯 枕 垫 毯 巾".split())
"""One-character goods words (200以内的茶, 150以内的鞋): read as kinds of goods when a product carries them."""


def _tokens(text: str) -> list[str]:
    global _JIEBA
    from app.understanding.slots import jieba_tokenizer

    if _JIEBA is None:
        _JIEBA = jieba_tokenizer()
    return [t.strip().lower() for t in _JIEBA.lcut(text) if t.strip()]


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """The constraints of a product search. Prices in yuan (Decimal); ``words`` goods words;
    ``variant_text`` the message (variant labels are read from it per product); ``has_variant``
    the message names a variant-like label (65英寸, 38码, a model); ``soft`` other content words."""

    words: tuple[str, ...] = ()
    budget_min: Decimal | None = None
    budget_max: Decimal | None = None
    color: str | None = None
    color_word: str | None = None
    size: str | None = None
    has_variant: bool = False
    soft: tuple[str, ...] = ()
    text: str = ""
    unknown_models: tuple[str, ...] = ()
    """Model names (Pixel 8) no product's names or variants carry: nothing fits them."""

    @property
    def hard(self) -> bool:
        """True when some hard constraint is given (a kind of goods, a budget, colour, size, variant)."""
        return bool(self.words or self.budget_min is not None or self.budget_max is not None or self.color
                    or self.size or self.has_variant or self.unknown_models)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """``items``: (product, the in-stock SKUs meeting the constraints, lowest such price in yuan),
    best first; ``unmatched``: soft constraint words no candidate's facts carry (the seller decides);
    ``candidates``: how many products met the hard constraints before the soft ones."""

    request: SearchRequest
    items: tuple[tuple[Product, tuple[Sku, ...], Decimal], ...] = ()
    unmatched: tuple[str, ...] = ()
    candidates: int = 0


def search_request(text: str, slots: Slots, vocab: ProductVocabulary, catalog: Catalog) -> SearchRequest | None:
    """The search a message asks for, or ``None`` when it is no product search (no search cue,
    or nothing to search by). Raises nothing."""
    if not text or not SEARCH_CUE.search(text):
        return None
    return read_constraints(text, slots, vocab)


def read_constraints(text: str, slots: Slots, vocab: ProductVocabulary) -> SearchRequest | None:
    """The constraints a message states (goods words, budget, colour, size, variant labels, soft
    words), or ``None`` when it states none."""
    from app.dialogue.frame import _EN_PLAIN, _MODEL, _NOT_MODEL  # model names (K50, Mate 50)

    words = vocab.goods_words(text)
    tag_words = tuple(w for w in words if w in vocab.tag_only_terms)  # 学生, 宿舍: what goods are for, not a kind
    words = tuple(w for w in words if w not in tag_words)
    toks = _tokens(text)
    singles = [re.sub(r"^(?:没有|有|卖|买|要)|(?:吗|呢)$", "", t) for t in toks]  # 有壳 of "Mate 50有壳吗"
    words += tuple(dict.fromkeys(t for t in singles if t in SINGLE_GOODS and not any(t in w for w in words)
                                 and vocab.products_named(t)))
    models = [m.group(1) for m in _MODEL.finditer(text)
              if re.match(r"[a-z]+", m.group(1).lower()).group(0) not in _NOT_MODEL | _EN_PLAIN | _STOP_EN]
    # a quantity-like token is a variant label only when some product comes in it (5G of "5g phones" is a tag)
    has_variant = any(named_options(p, m.group(0)) for m in VARIANT_TOKEN.finditer(text) for p in vocab.catalog) \
        or any(vocab.model_known(m) for m in models)
    texts = [re.sub(r"\s+", "", f"{vocab._texts[p.product_id]} {' '.join(p.selling_points)}".lower()) for p in vocab.catalog]
    if any(not any(named_options(p, m.group(0)) for p in vocab.catalog)
           and not any(re.sub(r"\s+", "", m.group(0).lower()) in t for t in texts)
           for m in VARIANT_TOKEN.finditer(text)):
        has_variant = True  # "小米电视有55寸吗": a size no product comes in is met by none (never the 50")
    covered = " ".join(words).lower()
    soft: list[str] = _tag_terms(tag_words, text)
    rest = text
    for w in sorted(words + tag_words, key=len, reverse=True):  # tokens inside a goods word are that word
        rest = re.sub(re.escape(w), " ", rest, flags=re.IGNORECASE)
    for k in sorted((k for k in _SYNONYMS if not k.isascii() and len(k) >= 2), key=len, reverse=True):
        if k in rest:  # 爱出油, 干皮 as written (jieba may cut them apart: 爱出 / 油用)
            soft.append(k)
            rest = rest.replace(k, " ")
    for t in _tokens(rest):
        if re.fullmatch(r"[零一二两三四五六七八九十百千万几]+", t):  # 两百 of 两百以内: the budget
            continue
        if (t in _STOP_ZH or t in _STOP_EN or len(t) < 2 and not t.isascii() or re.fullmatch(r"[\d.,%$¥]+", t)
                or not re.search(r"[\w]", t) or t in covered or any(t in w or w in t for w in words)):
            continue
        if (VARIANT_TOKEN.fullmatch(t) and (has_variant or not vocab.model_known(t))) \
                or (slots.color_word and t in slots.color_word.lower()):
            continue
        if re.fullmatch(r"[\d零一二两三四五六七八九十]+(?:岁|周岁|个月)", t):  # 一岁 of 一岁宝宝: the recipient
            continue
        if t.isascii() and (len(t) < 2 or re.fullmatch(r"\d+[a-z]*", t) and not t.endswith("g")):
            continue
        if any(m.lower().replace(" ", "").startswith(t) or t in m.lower() for m in models):
            continue
        soft.append(_split_compound(t, vocab))
    if slots.recipient and slots.recipient not in ("self",):
        soft.append(slots.recipient.lower())
    req = SearchRequest(words=words, budget_min=slots.budget_min, budget_max=slots.budget_max,
                        color=slots.color, color_word=slots.color_word, size=slots.size,
                        has_variant=has_variant, soft=tuple(dict.fromkeys(soft)), text=text,
                        unknown_models=tuple(m for m in models if not vocab.model_known(m)))
    if not req.hard and not req.soft:
        return None
    return req


def _tag_terms(tags: tuple[str, ...], text: str) -> list[str]:
    """Soft terms for catalog tags the message names (游戏, 学生): each met by the tag's own word in a
    product's facts (``"=游戏"``, no synonyms: a tag is the seller's own grouping), tags written
    next to each other (学生宿舍) as one any-of group ``"=学生|宿舍"``."""
    low = text.lower()
    order = sorted(tags, key=lambda t: low.find(t))
    out: list[list[str]] = []
    for t in order:
        if out and (out[-1][-1] + t) in low:
            out[-1].append(t)
        else:
            out.append([t])
    return ["=" + "|".join(g) for g in out]


def _split_compound(t: str, vocab: ProductVocabulary) -> str:
    """A soft word no product's facts carry that jieba can split (学生宿舍 -> 学生, 宿舍) becomes an
    any-of group ``"学生|宿舍"`` of its parts (2+ characters) that some product carries; else ``t``."""
    if t.isascii() or len(t) < 3 or any(carries(p, t) for p in vocab.catalog):
        return t
    parts = [w for w in _JIEBA.lcut_for_search(t) if len(w) >= 2 and w != t and w not in _STOP_ZH]
    parts = [w for w in dict.fromkeys(parts) if any(carries(p, w) for p in vocab.catalog)]
    return "|".join(parts) if parts else t


_FACTS: dict[int, tuple[Product, str]] = {}
_NEGATIVE = re.compile(r"(?i)不|没|否|无|非|暂不|\bno\b|\bnot\b|doesn'?t|isn'?t|can'?t|cannot")
"""An FAQ answer that says no."""
_AFFIRMATIVE = re.compile(r"(?i)可以|能|适合|支持|是|有|会|对|行|包|送|yes|sure|of course|it (?:is|does|can)")
"""An FAQ answer that says yes."""


def _facts_text(p: Product) -> str:
    """Every fact of ``p`` in one lowercased string (kept per product: a search reads it for each
    candidate and each soft word)."""
    hit = _FACTS.get(id(p))
    if hit is not None and hit[0] is p:
        return hit[1]
    if len(_FACTS) > 50_000:
        _FACTS.clear()
    parts = [p.title, p.title_en, p.short_name, p.category, p.brand, p.material, p.material_en, *p.tags, *p.aliases,
             *p.suitable_for, *p.selling_points, *p.selling_points_en]
    # an FAQ entry carries its words only when answered yes: never 支持5G吗=不支持, nor a hedge
    # (干皮能用吗=干皮建议先做好保湿)
    parts += [f"{e.question} {e.answer}" for e in p.faq
              if _AFFIRMATIVE.match(e.answer.strip()) and not _NEGATIVE.match(e.answer.strip())]
    text = " ".join(x for x in parts if x).lower()
    _FACTS[id(p)] = (p, text)
    return text


_MALE = frozenset("男朋友 男生 男士 men boyfriend husband father".split())
_FEMALE = frozenset("女朋友 女生 女士 women girlfriend wife mother".split())
_FEMALE_TITLE = ("女式", "女士", "女款", "女装", "women's", "womens")
_MALE_TITLE = ("男式", "男士", "男款", "男装", "men's", "mens")


def carries(p: Product, term: str) -> bool:
    """True when ``p``'s own facts carry the soft constraint ``term`` (or one of its synonyms);
    never a women's product for a man's term (男朋友) or the other way round."""
    if term.startswith("="):  # catalog tags, by their own words (any of a group)
        text = _facts_text(p)
        return any(t in text for t in term[1:].split("|"))
    if "|" in term:  # an any-of group (学生|宿舍)
        return any(carries(p, t) for t in term.split("|"))
    title = f"{p.title} {p.title_en}".lower()
    if term in _MALE and any(x in title for x in _FEMALE_TITLE):
        return False
    if term in _FEMALE and any(x in title for x in _MALE_TITLE):
        return False
    text = _facts_text(p)
    return any(s.lower() in text for s in _SYNONYMS.get(term, (term,)))


def run_search(catalog: Catalog, vocab: ProductVocabulary, req: SearchRequest, composer,
               rank: dict[str, int] | None = None, limit: int = 3) -> SearchResult:
    """Products meeting ``req``: in stock, not a free gift, carrying every goods word, with an
    in-stock SKU meeting the colour / size / variant label / budget, and carrying every soft
    word. Order: ``rank`` (product id -> position, e.g. the recommender's) first, then listing
    number. ``composer`` reads colours and sizes (:meth:`ReplyComposer._match_skus`)."""
    text = req.text
    hard: list[tuple[Product, tuple[Sku, ...], Decimal]] = []
    for p in catalog:
        if p.free_gift or p.total_stock <= 0 or req.unknown_models:  # nothing is made for a model we lack
            continue
        named = named_options(p, text) if req.has_variant or req.words else {}
        labels = " ".join(v for vs in named.values() for v in vs).lower().replace(" ", "")
        # a word is met by the product's names, or by a variant label it comes in (钢化膜K50: the K50 film)
        by_label = [w for w in req.words if not vocab.names_in(p, w, text)]
        suits = _suits_model(p, text)
        if any(w.replace(" ", "") not in labels and not (suits and any(
                w.replace(" ", "") in x.lower().replace(" ", "") for x in p.suitable_for)) for w in by_label):
            continue
        skus = [s for s in p.skus if s.stock > 0] if p.skus else []
        if req.has_variant or by_label:  # the variant named must be the one in stock
            if not named and suits:
                pass  # "适合K50的散热器": made for the model named (suitable-for), whatever its variants
            elif not named:
                continue
            else:
                skus = [s for s in skus_with(p, named) if s.stock > 0]
        if req.color or req.size:
            matched, _, _ = composer._match_skus(p, Slots(color=req.color, color_word=req.color_word, size=req.size))
            ids = {id(s) for s in matched}
            skus = [s for s in skus if id(s) in ids]
        if p.skus and not skus:
            continue
        prices = [p.price_for(s) for s in skus] if skus else [p.price]
        ok = [(s, pr) for s, pr in zip(skus or [None] * len(prices), prices)
              if (req.budget_max is None or pr <= req.budget_max) and (req.budget_min is None or pr >= req.budget_min)]
        if not ok:
            continue
        hard.append((p, tuple(s for s, _ in ok if s is not None), min(pr for _, pr in ok)))
    soft_ok = [h for h in hard if all(carries(h[0], t) for t in req.soft)]
    unmatched = tuple(t for t in req.soft if not any(carries(h[0], t) for h in hard)) if hard else req.soft
    if unmatched:
        soft_ok = []
    rank = rank or {}
    soft_ok.sort(key=lambda h: (rank.get(h[0].product_id, 10_000), h[0].listing_number or 10_000))
    return SearchResult(req, tuple(soft_ok[:limit]), unmatched, len(hard))


def _suits_model(p: Product, text: str) -> bool:
    """True when one of ``p``'s suitable-for entries is a model the text names ("Redmi K50" by
    "K50"), compared without case and spaces."""
    low = re.sub(r"[\s\-]+", "", text.lower())
    for s in p.suitable_for:
        key = re.sub(r"[\s\-]+", "", s.lower())
        tail = s.split()[-1].lower() if len(s.split()) > 1 else ""
        if not re.search(r"\d", key):
            continue
        if key in low or (len(tail) >= 3 and re.search(r"\d", tail) and re.search(
                rf"(?<![a-z0-9]){re.escape(tail)}(?![a-z0-9])", text.lower())):
            return True
    return False


FIT_CUE = re.compile(
    r"(?i)能用|可以用|能不能用|可不可以用|适合|合适|适用|能穿|可以穿|能吃|可以吃|能喝|可以喝|用.{0,6}(?:可以|行)吗|可以吗|行吗"
    r"|\bok(?:ay)? for\b|good for|suitable|\bfits?\b|works? (?:for|with)|good gift|as a gift|\bfor (?:my )?(?:dry|oily|sensitive)")
"""Words of a question whether a product suits something (油皮能用吗, 适合送人吗, is it ok for dry skin)."""
ASKS_WHICH = re.compile(r"(?i)哪|什么|啥|推荐|有没有|有吗|\bwhich\b|\bwhat\b|\bany\b|recommend|suggest")
"""Words that make a suitability question a search (哪个适合油皮, which one is good for oily skin)."""


def fit_question(text: str) -> bool:
    """True when ``text`` asks whether one product suits something, not which products do."""
    return bool(text) and FIT_CUE.search(text) is not None and ASKS_WHICH.search(text) is None


def soft_search(text: str, req: SearchRequest | None, catalog: Catalog) -> bool:
    """True when a request with only soft words (干皮适合用哪几个, 头发干枯用啥) is a search: it asks
    which, and every soft word is carried by some product's facts (else it is no catalog question)."""
    return (req is not None and bool(req.soft) and ASKS_WHICH.search(text or "") is not None
            and all(any(carries(p, t) for p in catalog if not p.free_gift) for t in req.soft))


_FIT_EN = {"干皮": "dry skin", "混干皮": "combination-to-dry skin", "油皮": "oily skin", "混油皮": "combination-to-oily skin",
           "混合皮": "combination skin", "敏感肌": "sensitive skin", "所有肤质": "all skin types", "送礼": "gifting",
           "送人": "gifting", "送长辈": "gifts for elders", "长辈": "elders", "办公室": "the office", "户外": "outdoors",
           "学生": "students", "宿舍": "dorms", "油性头皮": "an oily scalp", "干枯发质": "dry, damaged hair",
           "染烫发": "dyed or permed hair", "男士": "men", "女士": "women", "儿童": "children"}
"""English for the suitable-for entries an English fit answer may quote (others are held)."""


def carrying_facts_en(p: Product, terms) -> list[str]:
    """English for ``p``'s suitable-for entries that carry the ``terms`` (:data:`_FIT_EN`), or an
    empty list when some carrying entry has no English here."""
    out: list[str] = []
    for t in terms:
        syn = [x.lower() for x in _SYNONYMS.get(t, (t,))]
        hits = [s for s in p.suitable_for if any(x in s.lower() for x in syn)]
        if not hits or any(s not in _FIT_EN for s in hits):
            return []
        out.extend(_FIT_EN[s] for s in hits)
    return list(dict.fromkeys(out))[:3]


def carrying_facts(p: Product, terms) -> list[str]:
    """``p``'s own fact phrases that carry the ``terms`` (适合送礼, 礼盒装): suitable-for entries
    as "适合…", then tags and selling points, in catalog order, without repeats."""
    out: list[str] = []
    for t in terms:
        syn = [x.lower() for u in t.split("|") for x in _SYNONYMS.get(u, (u,))] if not t.startswith("=") \
            else t[1:].split("|")
        for s in p.suitable_for:
            if any(x in s.lower() for x in syn):
                out.append(f"适合{s}")
        for s in (*p.tags, *p.selling_points):
            if any(x in s.lower() for x in syn):
                out.append(s)
        if len(p.title.split()) > 1:  # "万和燃气热水器 天然气 恒温": the title's own part
            out.extend(f"是{part}的" for part in p.title.split()[1:] if any(x in part.lower() for x in syn))
    return list(dict.fromkeys(out))[:2]
