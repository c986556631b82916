import os
import sys
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.catalog.model import AfterSales, Catalog, Product, Shipping, SizeRange, Sku  # noqa: E402


def make_catalog() -> Catalog:
    """A tiny hand-made catalog used by the core tests (facts chosen so they are easy to check)."""
    tee = Product(
        product_id="P1", listing_number=3, title="纯棉圆领T恤", title_en="Cotton crew-neck T-shirt",
        category="T恤", price=Decimal("59.90"), original_price=Decimal("99.00"),
        skus=(Sku("白色", "S", 5), Sku("白色", "M", 12), Sku("白色", "L", 0),
              Sku("黑色", "M", 7), Sku("黑色", "L", 3)),
        size_chart=(SizeRange("S", 150, 160, 40, 50), SizeRange("M", 160, 170, 50, 60),
                    SizeRange("L", 170, 180, 60, 72)),
        material="100%棉", selling_points=("不起球", "宽松版型"),
        shipping=Shipping(courier="中通", ships_from="杭州", dispatch_days=2, delivery_days="2-4",
                          free_shipping=True, free_shipping_exceptions=("新疆", "西藏")),
        after_sales=AfterSales(return_days=7, return_shipping_paid_by="insurance"),
        tags=("夏季",), aliases=("T恤", "短袖"), script="纯棉面料，透气不闷。",
    )
    towel = Product(
        product_id="P2", listing_number=5, title="加厚纯棉浴巾", title_en="Thick cotton bath towel",
        category="浴巾", price=Decimal("39"), skus=(Sku("灰色", "", 20), Sku("粉色", "", 0)),
        material="纯棉", selling_points=("吸水快",),
        shipping=Shipping(courier="圆通", dispatch_days=1, free_shipping=True),
        after_sales=AfterSales(return_days=7, return_shipping_paid_by="buyer"),
        aliases=("浴巾",),
    )
    mug = Product(
        product_id="P3", listing_number=8, title="陶瓷马克杯", title_en="Ceramic mug",
        category="餐具", price=Decimal("29.9"), skus=(Sku("白色", "", 2),),
    )
    return Catalog((tee, towel, mug))


@pytest.fixture
def catalog() -> Catalog:
    return make_catalog()


def _load(rel: str) -> Catalog:
    from app.catalog.importer import load_catalog

    return load_catalog(REPO / rel).catalog


# The five catalogs of the grounding bench, loaded once per test session (tests only read them).
@pytest.fixture(scope="session")
def demo() -> Catalog:
    return _load("assets/demo/catalog.csv")


@pytest.fixture(scope="session")
def cosmetics() -> Catalog:
    return _load("tests/data/catalogs/cosmetics.csv")


@pytest.fixture(scope="session")
def food() -> Catalog:
    return _load("tests/data/catalogs/food.csv")


@pytest.fixture(scope="session")
def phones() -> Catalog:
    return _load("tests/data/catalogs/phones.csv")


@pytest.fixture(scope="session")
def mall() -> Catalog:
    return _load("tests/data/catalogs/mall.csv")
