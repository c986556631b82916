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
    r"(?i)^有.{1,8}的?吗|^有没有.{1,8}|有哪些|有哪几|哪几款|哪几个|有什么|有啥|有没有|有吗|有无|推荐|哪个好|哪款好|选哪|用哪|用啥|买啥|买什么|送啥|送什么"
    r"|以内|以下|之内|不超过|预算|左右的|\bany\b|\banything\b|\bunder\b|\bbelow\b|\bless than\b|recommend|suggest"
    r"|\bwhich\b|what .*(?:have|got|sell)|do you (?:have|sell|carry)|show me")
"""Words of a question that looks for products (which ones, any, under N, recommend)."""

_STOP_ZH = frozenset("""
有 哪些 哪几 哪几款 哪几个 几款 什么 啥 推荐 推荐一下 一下 下 的 吗 呢 呀 啊 吧 嘛 哦 好 好的 用 买 选 选哪个 哪个 哪款 款 个 些
适合 合适 能 可以 给 我 我们 想 要 需要 以内 以下 之内 左右 不超过 预算 块 元 块钱 钱 价位 大家 宝宝 姐妹 家人 主播 这里 你们 你家
有没有 没有 有吗 一个 一款 东西 产品 商品 宝贝 链接 买点 买个 点 比较 最 更 还 还有 都 也 就 呗 么 怎么样 如何 平时 日常 直播间
英寸 寸 码 克 毫升 升 斤 公斤 瓦 片 包 盒 罐 瓶 袋 支 这个 这款 这件 这种 那个 那款 它 送 送给 用的 喝的 吃的 穿的 戴的 玩的 是 在 里 人 多少 多少钱 便宜 便宜点 实惠 划算 性价比 高 好用 好看 好吃 值得 入手 哪 种
""".split())
_STOP_EN = frozenset("""
any anything something some which what whats what's do does you your have has got sell carry show me recommend recommendation
recommendations suggest suggestion suggestions under below less than over about around yuan rmb dollars bucks price priced
is are the a an for of to in on with and or it its that this there good best nice cheap cheaper affordable please pls can
could would i we my our want need looking buy get one ones items item products product stuff thing things options choices
inch inches ml kg gb tb mah available stock how much many this these those them they ok okay suitable fit fits fine
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
    "干皮": ("干皮", "干性", "所有肤质", "dry skin"), "dry": ("干皮", "干性", "所有肤质", "dry"),
    "油皮": ("油皮", "油性", "所有肤质", "oily skin"), "oily": ("油皮", "油性", "所有肤质", "oily"),
    "混油皮": ("混油皮", "混合", "油皮", "所有肤质"), "敏感肌": ("敏感肌", "敏感", "所有肤质"),
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
    "child": ("儿童", "孩子", "宝宝", "kids", "children"), "elder": ("长辈", "父母", "老人", "中老年", "elderly"),
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

    @property
    def hard(self) -> bool:
        """True when some hard constraint is given (a kind of goods, a budget, colour, size, variant)."""
        return bool(self.words or self.budget_min is not None or self.budget_max is not None or self.color
                    or self.size or self.has_variant)


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
    from app.dialogue.frame import _MODEL, _NOT_MODEL  # model names (K50, Mate 50)

    words = vocab.goods_words(text)
    toks = _tokens(text)
    words += tuple(t for t in toks if t in SINGLE_GOODS and not any(t in w for w in words)
                   and vocab.products_named(t))
    models = [m.group(1) for m in _MODEL.finditer(text)
              if re.match(r"[a-z]+", m.group(1).lower()).group(0) not in _NOT_MODEL]
    has_variant = bool(VARIANT_TOKEN.search(text)) or any(vocab.model_known(m) for m in models)
    covered = " ".join(words).lower()
    soft: list[str] = []
    rest = text
    for w in sorted(words, key=len, reverse=True):  # tokens inside a goods word are that word
        rest = re.sub(re.escape(w), " ", rest, flags=re.IGNORECASE)
    for t in _tokens(rest):
        if re.fullmatch(r"[零一二两三四五六七八九十百千万几]+", t):  # 两百 of 两百以内: the budget
            continue
        if (t in _STOP_ZH or t in _STOP_EN or len(t) < 2 and not t.isascii() or re.fullmatch(r"[\d.,%$¥]+", t)
                or not re.search(r"[\w]", t) or t in covered or any(t in w or w in t for w in words)):
            continue
        if VARIANT_TOKEN.fullmatch(t) or (slots.color_word and t in slots.color_word.lower()):
            continue
        if t.isascii() and (len(t) < 2 or re.fullmatch(r"\d+[a-z]*", t) and not t.endswith("g")):
            continue
        if any(m.lower().replace(" ", "").startswith(t) or t in m.lower() for m in models):
            continue
        soft.append(t)
    if slots.recipient and slots.recipient not in ("self",):
        soft.append(slots.recipient.lower())
    req = SearchRequest(words=words, budget_min=slots.budget_min, budget_max=slots.budget_max,
                        color=slots.color, color_word=slots.color_word, size=slots.size,
                        has_variant=has_variant, soft=tuple(dict.fromkeys(soft)), text=text)
    if not req.hard and not req.soft:
        return None
    return req


_FACTS: dict[int, tuple[Product, str]] = {}


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
    parts += [f"{e.question} {e.answer}" for e in p.faq]
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
        if p.free_gift or p.total_stock <= 0:
            continue
        named = named_options(p, text) if req.has_variant or req.words else {}
        labels = " ".join(v for vs in named.values() for v in vs).lower().replace(" ", "")
        # a word is met by the product's names, or by a variant label it comes in (钢化膜K50: the K50 film)
        by_label = [w for w in req.words if not vocab.names_in(p, w, text)]
        if any(w.replace(" ", "") not in labels for w in by_label):
            continue
        skus = [s for s in p.skus if s.stock > 0] if p.skus else []
        if req.has_variant or by_label:  # the variant named must be the one in stock
            if not named:
                continue
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


def carrying_facts(p: Product, terms) -> list[str]:
    """``p``'s own fact phrases that carry the ``terms`` (适合送礼, 礼盒装): suitable-for entries
    as "适合…", then tags and selling points, in catalog order, without repeats."""
    out: list[str] = []
    for t in terms:
        syn = [x.lower() for x in _SYNONYMS.get(t, (t,))]
        for s in p.suitable_for:
            if any(x in s.lower() for x in syn):
                out.append(f"适合{s}")
        for s in (*p.tags, *p.selling_points):
            if any(x in s.lower() for x in syn):
                out.append(s)
    return list(dict.fromkeys(out))[:2]
