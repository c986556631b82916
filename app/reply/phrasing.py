"""Reply phrasings per intent, Chinese and English, several variants each.

Placeholders are filled only with catalog facts (or the viewer's own sanitised words) by
:mod:`app.reply.composer`. Product names are quoted 「like this」 (zh) or “like this” (en)
so the fact guard can check them. Nothing here states a price, stock level or number of days
on its own; and no variant uses an absolute claim (极限词).
"""

from __future__ import annotations

import random

PHRASES: dict[str, dict[str, tuple[str, ...]]] = {
    "welcome": {
        "zh": ("欢迎{nick}来到直播间，喜欢哪款直接打在公屏上～", "{nick}，晚上好，欢迎欢迎，有想看的款式告诉我哦",
               "欢迎{nick}，点点关注不迷路，有问题随时问"),
        "en": ("Welcome{nick_en}! Ask me anything about the products.", "Hi{nick_en}, great to have you here!",
               "Hello{nick_en}, welcome to the stream - just type your question."),
    },
    "goodbye": {
        "zh": ("{nick}，慢走，下次直播再见～", "谢谢{nick}来看直播，回头见"),
        "en": ("Thanks for stopping by{nick_en}, see you next time!",),
    },
    "search": {
        "zh": ("{nick}，符合的有：{items}", "{nick}，可以看看这几款：{items}"),
        "en": ("{nick_en_lead}these match: {items_en}.", "{nick_en_lead}take a look at {items_en}."),
    },
    "search_none": {
        "zh": ("{nick}，这场没有符合这个条件的{what}哦",),
        "en": ("{nick_en_lead}we don't have {what_en} like that in this stream.",),
    },
    "price_variant": {
        "zh": ("「{title}」{variant}是{price}元", "{nick}，「{title}」{variant}到手{price}元"),
        "en": ("“{title_en}” in {variant_en} is {price} yuan.", "{nick_en_lead}“{title_en}” in {variant_en} costs {price} yuan."),
    },
    "price_from": {
        "zh": ("「{title}」{price}元起{orig_zh}，不同款式价格不一样", "{nick}，「{title}」{price}元起{orig_zh}，看选哪一款"),
        "en": ("“{title_en}” is from {price} yuan{orig_en}; the price depends on the option.",
               "{nick_en_lead}“{title_en}” starts from {price} yuan{orig_en}, depending on the option."),
    },
    "price": {
        "zh": ("「{title}」现在直播间价{price}元{orig_zh}", "{nick}，「{title}」到手{price}元{orig_zh}",
               "「{title}」是{price}元{orig_zh}，在{listing}号链接"),
        "en": ("“{title_en}” is {price} yuan{orig_en}.", "{nick_en_lead}“{title_en}” costs {price} yuan{orig_en}.",
               "“{title_en}” is {price} yuan{orig_en}, link number {listing}."),
    },
    "discount": {
        "zh": ("「{title}」现在直播间价{price}元{orig_zh}，其他优惠券以主播说的为准哦",
               "{nick}，「{title}」今天{price}元{orig_zh}，额外的券我请主播确认一下"),
        "en": ("“{title_en}” is {price} yuan today{orig_en}; for extra coupons the host will confirm.",),
    },
    "no_such_listing": {
        "zh": ("直播间没有{n}号链接哦，看看购物车里的链接号", "{nick}，购物车里没有{n}号链接，说一下想看哪款"),
        "en": ("There is no link number {n} in the shopping bag; check the link numbers there.",),
    },
    "price_gift": {
        "zh": ("「{title}」是赠品，不单独卖哦", "{nick}，「{title}」是送的赠品，不单卖"),
        "en": ("“{title_en}” is a free gift, not sold on its own.", "{nick_en_lead}“{title_en}” comes free; it is not sold alone."),
    },
    "not_sold_brand": {
        "zh": ("这场没有这个牌子哦，购物车里的款可以看看", "{nick}，这个牌子今天直播间没有呢", "这个牌子这场暂时没上哦"),
        "en": ("We don't carry that brand tonight, sorry.", "Sorry{nick_en}, that brand isn't in tonight's stream.",
               "{nick_en_lead}we don't sell that brand in this stream."),
    },
    "not_sold": {
        "zh": ("这场没有{word}哦，购物车里的款可以看看", "{nick}，今天直播间没有{word}呢", "这场暂时没上{word}哦"),
        "en": ("We don't have {word} tonight, sorry.", "Sorry{nick_en}, we don't have {word} in tonight's stream.",
               "{nick_en_lead}we don't sell {word} in this stream."),
    },
    "ask_product": {
        "zh": ("{nick}，想问的是几号链接呀？告诉我链接号马上帮你查", "宝宝说一下链接号或者商品名，我帮你看看"),
        "en": ("Which item do you mean{nick_en}? Tell me the link number and I'll check.",),
    },
    "size_fit": {
        "zh": ("身高{height}厘米、体重{weight}公斤的话，「{title}」建议选{size}码",
               "{nick}，按尺码表，{height}厘米{weight}公斤穿「{title}」的{size}码"),
        "en": ("At {height} cm and {weight} kg, size {size} of “{title_en}” should fit.",
               "{nick_en_lead}for {height} cm / {weight} kg the size chart says {size} for “{title_en}”."),
    },
    "size_ask_body": {
        "zh": ("「{title}」有{sizes}，告诉我身高体重，帮你对照尺码表选码",
               "{nick}，说一下身高体重哦，「{title}」有{sizes}几个码"),
        "en": ("“{title_en}” comes in {sizes}; tell me your height and weight and I'll check the size chart.",),
    },
    "size_no_fit": {
        "zh": ("按尺码表，{height}厘米{weight}公斤在「{title}」的码数里没有正好合适的，主播来帮你看看",),
        "en": ("By the size chart none of the sizes of “{title_en}” matches {height} cm / {weight} kg; the host will help.",),
    },
    "stock_yes": {
        "zh": ("「{title}」{variant}还有{n}件，喜欢的抓紧拍", "{nick}，{variant}有货，还剩{n}件",
               "「{title}」{variant}有现货，还有{n}件"),
        "en": ("“{title_en}” {variant_en} is in stock: {n} left.", "{nick_en_lead}{variant_en} - {n} left in stock."),
    },
    "stock_total": {
        "zh": ("「{title}」有现货，还有{n}件", "{nick}，「{title}」还有{n}件，喜欢的抓紧拍"),
        "en": ("“{title_en}” is in stock: {n} left.",),
    },
    "stock_none": {
        "zh": ("「{title}」暂时卖完了，补货时间请主播确认", "{nick}，「{title}」目前没货了，可以看看其他款"),
        "en": ("“{title_en}” is sold out right now; the host will confirm a restock date.",),
    },
    "stock_no": {
        "zh": ("「{title}」{variant}暂时没货了，补货时间请主播确认", "{nick}，{variant}目前卖完了，可以看看{others}"),
        "en": ("“{title_en}” {variant_en} is sold out right now; the host will confirm a restock date.",),
    },
    "fact_phrase": {
        "zh": ("「{title}」{facts}", "{nick}，「{title}」{facts}"),
        "en": ("“{title_en}”: {facts_en}.",),
    },
    "fit_yes": {
        "zh": ("可以的，「{title}」{facts}", "{nick}，「{title}」{facts}哦"),
        "en": ("Yes{nick_en}, “{title_en}” is made for {facts_en}.",),
    },
    "detail": {
        "zh": ("「{title}」{facts}", "{nick}，「{title}」{facts}"),
        "en": ("“{title_en}”: {facts_en}.",),
    },
    "color_yes": {
        "zh": ("「{title}」有{color}，还有{n}件", "有的，「{title}」{color}还有{n}件"),
        "en": ("Yes, “{title_en}” comes in {color} ({n} left).",),
    },
    "color_no": {
        "zh": ("「{title}」没有{color_word}，现在有{colors}",),
        "en": ("“{title_en}” doesn't come in {color_word}; it comes in {colors}.",),
    },
    "size_no": {
        "zh": ("「{title}」没有{size_word}，现在有{sizes}",),
        "en": ("“{title_en}” doesn't come in size {size_word}; it comes in {sizes}.",),
    },
    "shipping": {
        "zh": ("「{title}」{facts}", "{nick}，{facts}"),
        "en": ("“{title_en}”: {facts_en}.",),
    },
    "after_sales": {
        "zh": ("「{title}」{facts}", "{nick}，{facts}"),
        "en": ("“{title_en}”: {facts_en}.",),
    },
    "purchase": {
        "zh": ("感谢{nick}支持！「{title}」在{listing}号链接，直接去拍就可以", "{nick}，好眼光，{listing}号链接「{title}」，拍下就发",
               "「{title}」在{listing}号链接，点购物车就能看到"),
        "en": ("Thanks{nick_en}! “{title_en}” is link number {listing} in the shopping bag.",
               "Great choice{nick_en} - “{title_en}” is link {listing}."),
    },
    "purchase_done": {
        "zh": ("感谢{nick}支持，拍下的宝贝尽快给你发出", "谢谢{nick}下单，有问题随时找客服"),
        "en": ("Thank you{nick_en} for your order!",),
    },
    "recommend": {
        "zh": ("{nick}，可以看看{items}", "推荐{items}", "给{nick}推荐：{items}"),
        "en": ("You might like {items_en}.", "I'd suggest {items_en}."),
    },
    "recommend_none": {
        "zh": ("{nick}，说一下预算、颜色或者尺码，我帮你挑", "按你的要求暂时没有合适的现货，主播来帮你看看"),
        "en": ("Tell me your budget, colour or size and I'll pick something.",),
    },
    "compliment": {
        "zh": ("谢谢{nick}夸奖，开心～", "谢谢{nick}，被你夸到了", "{nick}嘴真甜，谢谢支持"),
        "en": ("Thank you{nick_en}, that's so kind!", "Aw, thanks{nick_en}!"),
    },
    "complaint": {
        "zh": ("抱歉让{nick}不满意了，主播马上看看怎么帮你解决", "{nick}，不好意思，给你带来不好的体验，主播会认真处理"),
        "en": ("Sorry about that{nick_en}; the host will look into it right away.",),
    },
    "gift": {
        "zh": ("感谢{nick}送的{count}个{gift}！", "谢谢{nick}的{gift}，比心"),
        "en": ("Thank you{nick_en} for the {count} {gift}!",),
    },
    "follow": {
        "zh": ("感谢{nick}的关注！", "谢谢{nick}关注，欢迎常来"),
        "en": ("Thanks for the follow{nick_en}!",),
    },
    "missing_fact": {
        "zh": ("这个问题主播来回答你哦", "{nick}，稍等，这个我请主播确认一下"),
        "en": ("The host will answer that one for you.",),
    },
    "sensitive_held": {
        "zh": ("{nick}，这个问题主播亲自来回答你哦", "{nick}，稍等，这个我请主播确认一下"),
        "en": ("{nick_en_lead}the host will check that and answer you.",),
    },
    "faq_held": {
        "zh": ("{nick}，{answer}",),
        "en": ("{nick_en_lead}{answer}",),
    },
    "faq_answer": {
        "zh": ("{nick}，{answer}", "{answer}哦"),
        "en": ("{nick_en_lead}{answer}",),
    },
    "fact_value": {
        "zh": ("「{title}」的{fact}：{value}", "{nick}，「{title}」{fact}是{value}"),
        "en": ("{nick_en_lead}the {fact_en} of “{title_en}” is {value}.",),
    },
    "fact_storage": {
        "zh": ("「{title}」的{fact}：{value}", "{nick}，「{title}」{fact}是{value}"),
        "en": ("{nick_en_lead}store “{title_en}” {value}.", "{nick_en_lead}“{title_en}”: keep it {value}."),
    },
    "fact_material": {
        "zh": ("「{title}」的{fact}：{value}", "{nick}，「{title}」{fact}是{value}"),
        "en": ("{nick_en_lead}“{title_en}”: {value}.", "{nick_en_lead}what “{title_en}” is made of: {value}."),
    },
    "fact_courier": {
        "zh": ("「{title}」发{value}哦", "{nick}，「{title}」发的是{value}"),
        "en": ("{nick_en_lead}“{title_en}” ships by {value}.",),
    },
    "fact_ships_from": {
        "zh": ("「{title}」从{value}发货", "{nick}，「{title}」是{value}发货的"),
        "en": ("{nick_en_lead}“{title_en}” ships from {value}.",),
    },
}


class PhraseRotator:
    """Picks a variant per (key, language), never the same one twice in a row.

    Seeded, so a replay gives the same replies every time.
    """

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._last: dict[tuple[str, str], int] = {}

    def pick(self, key: str, lang: str) -> str:
        """A template string for ``key`` in ``lang`` ('zh'/'en'). Raises KeyError for unknown keys."""
        variants = PHRASES[key][lang]
        idx = self._rng.randrange(len(variants))
        last = self._last.get((key, lang))
        if len(variants) > 1 and idx == last:
            idx = (idx + 1 + self._rng.randrange(len(variants) - 1)) % len(variants)
        self._last[(key, lang)] = idx
        return variants[idx]
