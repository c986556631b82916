"""Build the demo live session ``assets/demo/session.jsonl`` (replay file, contract format).

A synthetic ~20-minute evening stream of the demo shop on douyin: viewers entering, comments
(questions, purchase intent, compliments, complaints, spam, chit-chat, in simplified and
traditional Chinese and English, with emoji), gifts including a combo streak, follows, likes,
the host's own speech and ``now_selling`` switches.

Everything is generated from the hand-written message pools in this file, filled in with facts
of ``assets/demo/catalog.csv`` (listing numbers, aliases, colours, sizes) so that every question
is about a product that exists. ``random.Random(seed)`` makes it reproducible: the same catalog
and seed give a byte-identical file.

Usage::

    python assets/demo/build_demo_session.py [--catalog FILE] [--out FILE] [--seed N]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))

from app.catalog.importer import load_catalog  # noqa: E402
from app.catalog.model import Catalog, Product  # noqa: E402

SEED = 20261128
SESSION = {"type": "session", "session_id": "demo-2026-11-28", "platform": "douyin",
           "room_id": "7300000000000000001", "title": "棉语衣橱×暖居良品 周六晚场（演示数据）"}

# (start second, listing number) -- the host switches product every 3-4 minutes
SEGMENTS = [(8.0, 2), (212.0, 14), (418.0, 31), (611.0, 11), (822.0, 45), (1012.0, 20)]
END = 1196.0

# ---------------------------------------------------------------------------------------------
# viewers
# ---------------------------------------------------------------------------------------------

NICKNAMES = [
    "小美", "阿强", "Lily", "花花🌸", "小\u200b鱼儿", "晴天娃娃", "王姐", "大橙子", "momo",
    "一只小胖猫", "Tom_from_NYC", "芒果布丁", "深夜食堂", "春天里", "陈阿姨", "小太阳☀️",
    "咖啡不加糖", "木子李", "Annie", "兔兔酱🐰", "张先生", "落雨听风", "甜甜圈", "宝妈小周",
    "大白", "Kevin", "阿珍\u200d", "葡萄🍇", "慢慢来", "开心果", "看我主页 https://t.cn/A6xYz",
    "💰加V:lh8888💰", "月亮姐姐", "老李", "Emily W.", "吃货一枚", "小樹", "陳小姐",
    "嘉嘉", "北方的狼", "天天向上", "Sunny🌞", "海绵宝宝", "九九", "一米阳光", "豆豆妈",
    "橘子汽水", "小林同学", "Grace", "阿May", "糖糖🍬", "欧阳", "路人甲", "奶茶续命",
    "这是一个非常非常非常长的昵称用来测试界面会不会被撑爆的啦啦啦啦啦", "\u202e反向文字",
    "小雨点", "阿凯", "喵喵喵🐱", "风吹麦浪",
]
REGULARS = 12  # the first N viewers were already in the room when the recording started


@dataclass
class Viewer:
    uid: str
    nickname: str
    enter_t: float  # 0 for regulars (no enter event)


# ---------------------------------------------------------------------------------------------
# message pools (hand-written). Placeholders: {n} listing number, {alias} an alias or title,
# {color} {size} a real colour/size of the product, {h} cm, {w} kg, {jin} weight in 斤,
# {en} English title.
# ---------------------------------------------------------------------------------------------

PRICE_NOW = ["这个多少钱", "多少钱呀", "现在什么价", "这件多少", "价格多少啊主播", "這個多少錢",
             "How much is this?", "多少米", "到手价多少"]
PRICE_REF = ["{n}号多少钱", "{n}号链接价格多少", "{alias}多少钱", "{alias}现在什么价",
             "{n}號多少錢", "How much is #{n}?", "{n}号到手多少"]
SIZE_NOW = ["身高{h}体重{w}穿什么码", "{h}cm {w}kg 穿哪个码", "我{h}，{jin}斤，选哪个码",
            "{h} {w}kg 能穿{size}吗", "身高{h}體重{w}穿什麼碼", "I'm {h}cm and {w}kg, which size?",
            "{jin}斤穿多大的", "{h}/{w} 拿{size}合适吗", "{jin}斤能穿吗"]
SIZE_REF = ["{n}号{h}cm{w}kg穿什么码", "{alias}{h}的穿什么码", "{n}号身高{h}体重{jin}斤拿几码"]
STOCK_NOW = ["{color}还有吗", "{color}{size}还有吗", "{size}码还有货吗", "{color}的没了吗",
             "還有{color}嗎", "Do you have {size} in {color}?", "{color}{size}有货吗 想要"]
STOCK_REF = ["{n}号{color}还有吗", "{alias}{color}{size}还有吗", "{n}号还有货吗",
             "{alias}还有吗"]
STOCK_NOSKU = ["还有货吗", "还有吗", "库存多少", "还剩几个"]
SHIPPING = ["发什么快递", "几天能到", "新疆包邮吗", "西藏能发吗", "从哪里发货", "今天拍明天能发吗",
            "到上海要几天", "请问几天到货", "請問幾天到貨", "Do you ship to Xinjiang?",
            "包邮吗", "发顺丰吗", "多久发货"]
SHIPPING_REF = ["{n}号包邮吗", "{alias}从哪发货", "{n}号发什么快递"]
RETURNS = ["可以退吗", "七天无理由吗", "退货运费谁出", "有运费险吗", "不合适能换吗",
           "可以退貨嗎", "Can I return it if it doesn't fit?", "拆了还能退吗"]
RETURNS_REF = ["{n}号能退吗", "{alias}有运费险吗"]
DISCOUNT = ["能便宜点吗", "有优惠券吗", "两件有优惠吗", "有满减吗", "能不能再少点",
            "老粉有优惠吗", "any discount?", "买两件能便宜吗"]
MATERIAL_NOW = ["什么面料", "是纯棉的吗", "起球吗", "掉色吗", "会不会缩水", "什么材质的",
                "Is this cotton?", "是什麼材質", "厚不厚", "透不透"]
MATERIAL_REF = ["{alias}是纯棉的吗", "{n}号什么材质", "{alias}会起球吗"]
RECOMMEND = ["送妈妈买哪个好", "两百以内有什么推荐", "学生党有什么推荐", "冬天送长辈买啥",
             "有适合男朋友的吗", "100块以内的有啥", "新房子装修完买点什么好", "宿舍用什么好",
             "有什么适合送闺蜜的", "Any gift ideas under 200?", "給媽媽買什麼好"]
BUY = ["拍了", "已拍", "上链接", "扣1", "1", "1111", "拍了拍了", "买了两件", "怎么拍不了",
       "已下单 快点发货", "{n}号拍了", "{n}号上链接", "想要{color}的 拍了", "已拍{size}码",
       "bought it!", "已買"]
COMPLIMENT = ["主播好漂亮", "衣服真好看", "质量不错 上次买过", "好看好看", "上身效果好好",
              "这个颜色绝了", "好漂亮喔", "love this!", "主播声音好好听", "回购了"]
COMPLAINT = ["太贵了", "色差好大", "上次买的起球了", "等了五天还没发货", "客服不回消息",
             "比别家贵", "尺码偏小吧", "太貴了"]
SPAM = ["加V看更多款 vx:lh8888", "加微信领红包 wx123456", "关注我主页有惊喜",
        "低价代购 v:abc888", "加\u200bV 免费领", "www.cheap-deal.cc 全场一折"]
CHITCHAT = ["666", "哈哈哈", "主播哪里人", "来了来了", "打卡", "🐂🍺", "❤️❤️❤️", "😂😂",
            "今天下雨了", "主播吃饭了吗", "第一次来", "👍👍", "6666666", "好热闹"]
GREETING = ["主播好", "大家好", "晚上好呀", "hello", "Hi everyone", "来啦", "主播晚上好",
            "大家晚上好", "嗨嗨"]
EMOJI_ONLY = ["😍😍", "👍", "🔥🔥🔥", "🌹"]

# category -> how many comments (~170 in all)
MIX = {"price": 18, "size": 22, "stock": 16, "shipping": 13, "returns": 9, "discount": 8,
       "material": 11, "recommend": 9, "buy": 20, "compliment": 10, "complaint": 7, "spam": 5,
       "chitchat": 13, "greeting": 9, "emoji": 3}

GIFTS_SINGLE = [("玫瑰", 1), ("棒棒糖", 1), ("人气票", 1), ("为你点亮", 1), ("抖音", 1),
                ("粉丝团灯牌", 1), ("小星星", 1), ("玫瑰", 3)]


class Builder:
    def __init__(self, catalog: Catalog, seed: int) -> None:
        self.cat = catalog
        self.rng = random.Random(seed)
        self.events: list[tuple[float, int, dict]] = []
        self.order = 0
        self.viewers: list[Viewer] = []

    # -- helpers ------------------------------------------------------------------------------
    def add(self, t: float, ev: dict) -> None:
        self.order += 1
        self.events.append((round(t, 1), self.order, ev))

    def now_selling(self, t: float) -> Product:
        n = SEGMENTS[0][1]
        for start, num in SEGMENTS:
            if t >= start:
                n = num
        p = self.cat.by_listing(n)
        assert p is not None, n
        return p

    def viewer_at(self, t: float) -> Viewer:
        present = [v for v in self.viewers if v.enter_t < t - 1.0]
        return self.rng.choice(present)

    def who(self, v: Viewer) -> dict:
        return {"uid": v.uid, "nickname": v.nickname}

    def other_product(self, current: Product) -> Product:
        ps = [p for p in self.cat if p.listing_number is not None and p is not current]
        return self.rng.choice(ps)

    def alias(self, p: Product) -> str:
        return self.rng.choice(p.aliases) if p.aliases else p.title

    def fill(self, template: str, p: Product) -> str:
        rng = self.rng
        h, w = self.body(p)
        sku = rng.choice(p.skus) if p.skus else None
        if sku is not None and sku.size == "标准" and "{size}" in template:
            raise AssertionError(f"template {template!r} needs a size, {p.product_id} has none")
        color = (sku.color if sku and sku.color else (rng.choice(p.colors) if p.colors else ""))
        size = (sku.size if sku and sku.size else (rng.choice(p.sizes) if p.sizes else ""))
        return template.format(n=p.listing_number, alias=self.alias(p), color=color, size=size,
                               h=h, w=w, jin=w * 2, en=p.title_en)

    def body(self, p: Product) -> tuple[int, int]:
        rng = self.rng
        if p.size_chart:
            z = rng.choice(p.size_chart)
            hmin, hmax = z.height_min_cm or 155, z.height_max_cm or 172
            wmin, wmax = z.weight_min_kg or 45, z.weight_max_kg or 70
            if rng.random() < 0.15:  # sometimes outside every range
                return int(rng.choice([hmin - 12, hmax + 12])), int(wmax + 15)
            return rng.randint(int(hmin), int(hmax)), rng.randint(int(wmin), int(wmax))
        return rng.randint(150, 185), rng.randint(42, 85)

    # -- generation ---------------------------------------------------------------------------
    def build(self) -> list[dict]:
        rng = self.rng
        # viewers: regulars present from the start, the others enter during the stream
        for i, nick in enumerate(NICKNAMES):
            uid = f"u{100000 + rng.randint(1000, 899999)}"
            self.viewers.append(Viewer(uid, nick, 0.0))
        late = self.viewers[REGULARS:]
        times = sorted(rng.uniform(2, END - 30) for _ in late)
        # a burst of arrivals in the first minute, then spread out
        times = sorted([rng.uniform(2, 60) for _ in range(10)] + times[10:])
        for v, t in zip(late, times):
            v.enter_t = t
            self.add(t, {"type": "enter", **self.who(v)})

        # host speech and product switches
        self.add(0.0, {"type": "host_speech", "text": "欢迎来到棉语衣橱和暖居良品的直播间，今晚给大家准备了衣服和家居好物"})
        self.add(3.5, {"type": "host_speech", "text": "新进来的宝宝点个关注，有问题直接打在公屏上"})
        for start, num in SEGMENTS:
            p = self.cat.by_listing(num)
            assert p is not None
            self.add(start, {"type": "now_selling", "listing_number": num})
            lines = [s for s in p.script.split("。") if s]
            self.add(start + 0.5, {"type": "host_speech",
                                   "text": f"接下来给大家看{num}号链接，{p.title}"})
            for j, line in enumerate(lines[1:4]):
                self.add(start + 12 + j * 18 + rng.uniform(0, 4), {"type": "host_speech",
                                                                   "text": line})
            self.add(start + 120 + rng.uniform(0, 30), {"type": "host_speech",
                                                        "text": f"{num}号链接已经上好了，喜欢的宝宝直接去拍"})

        # comments
        slots: list[str] = [c for c, k in MIX.items() for _ in range(k)]
        rng.shuffle(slots)
        times = sorted(rng.uniform(10, END) for _ in slots)
        # greetings cluster early
        slots.sort(key=lambda c: 0 if c == "greeting" else 1)
        gtimes = sorted(rng.uniform(6, 120) for _ in range(MIX["greeting"]))
        rest = times[MIX["greeting"]:]
        all_times = gtimes + rest
        for cat, t in zip(slots, all_times):
            text = self.comment(cat, t)
            self.add(t, {"type": "comment", **self.who(self.viewer_at(t)), "text": text})

        # likes
        for _ in range(26):
            t = rng.uniform(15, END)
            self.add(t, {"type": "like", **self.who(self.viewer_at(t)),
                         "count": rng.choice([1, 3, 5, 8, 12, 15, 20, 30, 48])})
        # follows
        for _ in range(10):
            t = rng.uniform(20, END)
            self.add(t, {"type": "follow", **self.who(self.viewer_at(t))})
        # gifts: one combo streak of 小心心, one short 玫瑰 streak, and single gifts
        t0 = 300.0 + rng.uniform(0, 10)
        fan = self.viewer_at(t0)
        counts = [1, 3, 6, 10, 15, 19]
        for k, c in enumerate(counts):
            self.add(t0 + k * 1.6, {"type": "gift", **self.who(fan), "gift": "小心心", "count": c,
                                    "streak_id": "g-heart-1", "streak_end": k == len(counts) - 1})
        self.add(t0 + len(counts) * 1.6 + 2.0,
                 {"type": "host_speech", "text": f"谢谢{fan.nickname}送的小心心"})
        t1 = 760.0 + rng.uniform(0, 10)
        rose = self.viewer_at(t1)
        for k, c in enumerate([1, 2, 3]):
            self.add(t1 + k * 2.1, {"type": "gift", **self.who(rose), "gift": "玫瑰", "count": c,
                                    "streak_id": "g-rose-1", "streak_end": k == 2})
        for i in range(10):
            t = rng.uniform(40, END)
            g, c = rng.choice(GIFTS_SINGLE)
            self.add(t, {"type": "gift", **self.who(self.viewer_at(t)), "gift": g, "count": c,
                         "streak_id": f"g-single-{i + 1}", "streak_end": True})
        self.add(END, {"type": "host_speech", "text": "今天就播到这里，谢谢大家，我们下次见"})

        self.events.sort(key=lambda e: (e[0], e[1]))
        out = [dict(SESSION)]
        for i, (t, _, ev) in enumerate(self.events, start=1):
            out.append({"t": t, "id": f"e{i:04d}", **ev})
        return out

    def comment(self, cat: str, t: float) -> str:
        rng = self.rng
        cur = self.now_selling(t)
        ref = rng.random() < 0.35  # about another product, named by number or alias
        p = self.other_product(cur) if ref else cur
        if cat == "price":
            return self.fill(rng.choice(PRICE_REF if ref else PRICE_NOW), p)
        if cat == "size":
            if not p.size_chart:  # size questions only make sense for charted products
                p = cur if cur.size_chart else self._charted()
                ref = p is not cur
            return self.fill(rng.choice(SIZE_REF if ref else SIZE_NOW), p)
        if cat == "stock":
            if not p.colors and p.sizes in ((), ("标准",)):
                return self.fill(rng.choice(STOCK_NOSKU), p) if not ref else \
                    self.fill("{n}号还有货吗", p)
            pool = STOCK_REF if ref else STOCK_NOW
            pool = [x for x in pool if ("{color}" not in x or p.colors)
                    and ("{size}" not in x or p.sizes)]
            return self.fill(rng.choice(pool), p)
        if cat == "shipping":
            return self.fill(rng.choice(SHIPPING_REF if ref else SHIPPING), p)
        if cat == "returns":
            return self.fill(rng.choice(RETURNS_REF if ref else RETURNS), p)
        if cat == "discount":
            return rng.choice(DISCOUNT)
        if cat == "material":
            return self.fill(rng.choice(MATERIAL_REF if ref else MATERIAL_NOW), p)
        if cat == "recommend":
            return rng.choice(RECOMMEND)
        if cat == "buy":
            pool = [x for x in BUY if ("{color}" not in x or cur.colors)
                    and ("{size}" not in x or cur.sizes not in ((), ("标准",)))]
            return self.fill(rng.choice(pool), cur)
        pools = {"compliment": COMPLIMENT, "complaint": COMPLAINT, "spam": SPAM,
                 "chitchat": CHITCHAT, "greeting": GREETING, "emoji": EMOJI_ONLY}
        return rng.choice(pools[cat])

    def _charted(self) -> Product:
        return self.rng.choice([p for p in self.cat if p.size_chart])


def build(catalog_path: Path, seed: int) -> list[dict]:
    catalog = load_catalog(catalog_path).catalog
    return Builder(catalog, seed).build()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--catalog", type=Path, default=HERE / "catalog.csv")
    ap.add_argument("--out", type=Path, default=HERE / "session.jsonl")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    events = build(args.catalog, args.seed)
    with args.out.open("w", encoding="utf-8", newline="\n") as f:
        for ev in events:
            f.write(json.dumps(ev, ensure_ascii=False) + "\n")
    kinds: dict[str, int] = {}
    for ev in events:
        kinds[ev["type"]] = kinds.get(ev["type"], 0) + 1
    print(f"wrote {args.out}: {len(events)} lines, {kinds}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
