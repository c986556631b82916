"""Places a viewer ships to: China's provincial-level divisions and the usual "remote region"
names, in Chinese and English (a destination in "新疆包邮吗" / "free shipping to tibet?").

A place named in a shipping question is where the parcel goes, never a product: a towel
called 新疆长绒棉 is not what "新疆包邮吗" asks about.

Data: the 34 provincial-level divisions of the People's Republic of China (official Chinese
names, their short forms and English names as in common use), written for this package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Place:
    """One destination: ``name`` the Chinese short name a catalog lists (新疆), ``forms`` every
    Chinese writing (新疆维吾尔自治区, 新疆), ``en`` the English names (Xinjiang)."""

    name: str
    forms: tuple[str, ...]
    en: tuple[str, ...]


def _p(name: str, zh: str, en: str) -> Place:
    return Place(name, tuple(dict.fromkeys((name, *zh.split()))), tuple(en.split("|")))


PLACES: tuple[Place, ...] = (
    _p("北京", "北京市", "Beijing"), _p("天津", "天津市", "Tianjin"), _p("上海", "上海市", "Shanghai"),
    _p("重庆", "重庆市", "Chongqing"), _p("河北", "河北省", "Hebei"), _p("山西", "山西省", "Shanxi"),
    _p("辽宁", "辽宁省", "Liaoning"), _p("吉林", "吉林省", "Jilin"), _p("黑龙江", "黑龙江省", "Heilongjiang"),
    _p("江苏", "江苏省", "Jiangsu"), _p("浙江", "浙江省", "Zhejiang"), _p("安徽", "安徽省", "Anhui"),
    _p("福建", "福建省", "Fujian"), _p("江西", "江西省", "Jiangxi"), _p("山东", "山东省", "Shandong"),
    _p("河南", "河南省", "Henan"), _p("湖北", "湖北省", "Hubei"), _p("湖南", "湖南省", "Hunan"),
    _p("广东", "广东省", "Guangdong"), _p("海南", "海南省", "Hainan"), _p("四川", "四川省", "Sichuan"),
    _p("贵州", "贵州省", "Guizhou"), _p("云南", "云南省", "Yunnan"), _p("陕西", "陕西省", "Shaanxi"),
    _p("甘肃", "甘肃省", "Gansu"), _p("青海", "青海省", "Qinghai"), _p("台湾", "台湾省", "Taiwan"),
    _p("内蒙古", "内蒙古自治区 内蒙", "Inner Mongolia|Nei Mongol"),
    _p("广西", "广西壮族自治区", "Guangxi"), _p("西藏", "西藏自治区", "Tibet|Xizang"),
    _p("宁夏", "宁夏回族自治区", "Ningxia"), _p("新疆", "新疆维吾尔自治区", "Xinjiang"),
    _p("香港", "香港特别行政区", "Hong Kong|Hongkong"), _p("澳门", "澳门特别行政区", "Macau|Macao"),
)

_BY_FORM = {f: pl for pl in PLACES for f in pl.forms}
_ZH = re.compile("|".join(sorted((re.escape(f) for f in _BY_FORM), key=len, reverse=True)))
_EN = re.compile(r"(?i)\b(" + "|".join(sorted((re.escape(e) for pl in PLACES for e in pl.en), key=len, reverse=True))
                 + r")\b")
_EN_BY = {e.lower(): pl for pl in PLACES for e in pl.en}

SHIPPING_WORDS = re.compile(r"(?i)包邮|邮费|运费|发货|快递|物流|寄到|发到|送到|能到|到货|配送|ship|deliver|postage|courier|send to")
"""Words that make a named place a destination."""


def places_in(text: str) -> tuple[Place, ...]:
    """Places named in ``text`` (Chinese or English), in order, without repeats."""
    found: list[tuple[int, Place]] = [(m.start(), _BY_FORM[m.group(0)]) for m in _ZH.finditer(text or "")]
    found += [(m.start(), _EN_BY[m.group(1).lower()]) for m in _EN.finditer(text or "")]
    return tuple(dict.fromkeys(pl for _, pl in sorted(found, key=lambda x: x[0])))


def destination(text: str) -> Place | None:
    """The place a shipping question asks about ("新疆包邮吗" -> 新疆), or ``None`` when the
    message names no place or is not about shipping."""
    if not text or not SHIPPING_WORDS.search(text):
        return None
    found = places_in(text)
    return found[0] if found else None


def strip_places(text: str, places: tuple[Place, ...]) -> str:
    """``text`` with every writing of ``places`` replaced by a space (what is left to read
    product names from)."""
    for pl in places:
        for f in sorted(pl.forms, key=len, reverse=True):
            text = text.replace(f, " ")
        for e in pl.en:
            text = re.sub(rf"(?i)\b{re.escape(e)}\b", " ", text)
    return text


def excluded(place: Place, exceptions: tuple[str, ...]) -> bool | None:
    """Whether a catalog's free-shipping exceptions (新疆、西藏) cover ``place``: True / False,
    or ``None`` when an exception is a vague region (偏远地区, remote areas) the place may or may
    not belong to -- then only the seller can say."""
    for ex in exceptions:
        e = (ex or "").strip()
        if not e:
            continue
        if e in place.forms or any(f in e for f in place.forms) or e.lower() in (x.lower() for x in place.en):
            return True
    if any(not places_in(ex) for ex in exceptions if (ex or "").strip()):
        return None
    return False
