"""Chinese and Japanese category and colour words read as the catalogue's English values
(``knowledge_base/product_words.py`` through ``category_of``, ``color_of`` and ``ProductQuery.from_entities``).
No index needed; the end-to-end searches are in tests/unit/actions/test_products.py."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from assistant.i18n.phrases import PHRASES_FILE
from knowledge_base import product_words
from knowledge_base.products import ProductQuery, category_of, color_of, words_language

REPO = Path(__file__).resolve().parents[3]
CATALOG = yaml.safe_load((REPO / "knowledge_base" / "content" / "products" / "catalog.yml").read_text(encoding="utf-8"))
CATEGORIES = {p["category"] for p in CATALOG["products"]}
COLORS = {c for p in CATALOG["products"] for c in p.get("colors", [])}


def test_every_word_names_a_real_category_or_colour_of_the_catalogue() -> None:
    for language in (product_words.CHINESE, product_words.JAPANESE):
        assert set(product_words.CATEGORY_WORDS[language]) == CATEGORIES, language
        assert set(product_words.COLOR_WORDS[language]) == COLORS, language


@pytest.mark.parametrize(("value", "expected"), [
    # simplified
    ("帽子", "hats"), ("外套", "jackets"), ("夹克", "jackets"), ("冲锋衣", "jackets"), ("羽绒服", "jackets"),
    ("雨衣", "jackets"), ("风衣", "jackets"), ("登山鞋", "shoes"), ("运动鞋", "shoes"), ("鞋子", "shoes"),
    ("徒步鞋", "shoes"), ("越野跑鞋", "shoes"), ("靴子", "boots"), ("雨靴", "boots"), ("雪地靴", "boots"),
    ("T恤", "t-shirts"), ("Ｔ恤", "t-shirts"), ("短T", "t-shirts"), ("衬衫", "shirts"), ("长裤", "pants"),
    ("裤子", "pants"), ("速干裤", "pants"), ("短裤", "shorts"), ("泳裤", "shorts"), ("抓绒衣", "fleeces"),
    ("卫衣", "fleeces"), ("毛衣", "fleeces"), ("连衣裙", "dresses"), ("裙子", "dresses"), ("袜子", "socks"),
    ("背包", "backpacks"), ("双肩包", "backpacks"), ("登山包", "backpacks"), ("腰包", "bags"), ("斜挎包", "bags"),
    ("托特包", "bags"), ("手套", "gloves"), ("帐篷", "tents"), ("睡袋", "sleeping bags"), ("头灯", "camping gear"),
    ("露营装备", "camping gear"), ("墨镜", "accessories"), ("配件", "accessories"),
    # traditional, Taiwan and Hong Kong words
    ("夾克", "jackets"), ("風褸", "jackets"), ("羽絨外套", "jackets"), ("防風外套", "jackets"), ("長褲", "pants"),
    ("行山褲", "pants"), ("行山鞋", "shoes"), ("健行鞋", "shoes"), ("運動鞋", "shoes"), ("襯衫", "shirts"),
    ("格子襯衫", "shirts"), ("刷毛衣", "fleeces"), ("刷毛外套", "fleeces"), ("抓毛外套", "fleeces"),
    ("洋裝", "dresses"), ("襪子", "socks"), ("後背包", "backpacks"), ("背囊", "backpacks"), ("側背包", "bags"),
    ("帳篷", "tents"), ("排汗衫", "t-shirts"),
    # the head noun comes last: a camping tent is a tent, waterproof trousers are trousers
    ("露营帐篷", "tents"), ("防水外套", "jackets"), ("冲锋裤", "pants"), ("羽绒睡袋", "sleeping bags"),
    ("连帽外套", "jackets"), ("帽衫", "fleeces"),
])
def test_chinese_category_words(value: str, expected: str) -> None:
    assert category_of(value, "zh-Hans") == expected
    assert category_of(value, "zh-Hant") == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("ジャケット", "jackets"), ("ダウンジャケット", "jackets"), ("レインジャケット", "jackets"),
    ("レインウェア", "jackets"), ("コート", "jackets"), ("アウター", "jackets"), ("外套", "jackets"),
    ("ウインドブレーカー", "jackets"), ("靴", "shoes"), ("シューズ", "shoes"), ("スニーカー", "shoes"),
    ("トレッキングシューズ", "shoes"), ("トレランシューズ", "shoes"), ("ブーツ", "boots"), ("長靴", "boots"),
    ("登山靴", "boots"), ("Tシャツ", "t-shirts"), ("ﾃｨｰｼｬﾂ", "t-shirts"), ("シャツ", "shirts"),
    ("長袖シャツ", "shirts"), ("パンツ", "pants"), ("カーゴパンツ", "pants"), ("ズボン", "pants"),
    ("ショートパンツ", "shorts"), ("短パン", "shorts"), ("フリース", "fleeces"), ("フリースジャケット", "fleeces"),
    ("ワンピース", "dresses"), ("靴下", "socks"), ("ソックス", "socks"), ("リュック", "backpacks"),
    ("バックパック", "backpacks"), ("ザック", "backpacks"), ("バッグ", "bags"), ("ショルダーバッグ", "bags"),
    ("帽子", "hats"), ("キャップ", "hats"), ("ニット帽", "hats"), ("手袋", "gloves"), ("グローブ", "gloves"),
    ("テント", "tents"), ("キャンプ用テント", "tents"), ("寝袋", "sleeping bags"), ("シュラフ", "sleeping bags"),
    ("キャンプ用品", "camping gear"), ("ヘッドランプ", "camping gear"), ("サングラス", "accessories"),
])
def test_japanese_category_words(value: str, expected: str) -> None:
    assert category_of(value, "ja") == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("黑色", "black"), ("黑", "black"), ("白色", "white"), ("红色", "red"), ("紅色", "red"), ("酒红色", "burgundy"),
    ("绿色", "green"), ("綠色", "green"), ("墨绿", "green"), ("军绿色", "olive"), ("軍綠色", "olive"),
    ("橄榄绿", "olive"), ("卡其色", "khaki"), ("米色", "beige"), ("米白色", "beige"), ("棕色", "brown"),
    ("咖啡色", "brown"), ("灰色", "grey"), ("深灰色", "grey"), ("银色", "grey"), ("藏青色", "navy"),
    ("深蓝色", "navy"), ("深藍", "navy"), ("海軍藍", "navy"), ("蓝色", "blue"), ("藍色", "blue"), ("天蓝色", "blue"),
    ("浅蓝", "blue"), ("青绿色", "teal"), ("藍綠色", "teal"), ("紫色", "purple"), ("粉色", "pink"),
    ("粉紅色", "pink"), ("黄色", "yellow"), ("黃色", "yellow"), ("橙色", "orange"), ("橘色", "orange"),
    ("蓝色的", "blue"), ("黑色款", "black"),
])
def test_chinese_colour_words(value: str, expected: str) -> None:
    assert color_of(value, "zh-Hans") == expected
    assert color_of(value, "zh-Hant") == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("青", "blue"), ("青い", "blue"), ("青色", "blue"), ("ブルー", "blue"), ("水色", "blue"), ("ﾌﾞﾙｰ", "blue"),
    ("紺", "navy"), ("紺色", "navy"), ("ネイビー", "navy"), ("ダークブルー", "navy"), ("黒", "black"),
    ("黒い", "black"), ("ブラック", "black"), ("白", "white"), ("白い", "white"), ("赤", "red"), ("赤い", "red"),
    ("ワインレッド", "burgundy"), ("緑", "green"), ("グリーン", "green"), ("オリーブ", "olive"),
    ("カーキ", "khaki"), ("ベージュ", "beige"), ("茶色", "brown"), ("ブラウン", "brown"), ("グレー", "grey"),
    ("灰色", "grey"), ("青緑", "teal"), ("ターコイズブルー", "teal"), ("紫", "purple"), ("ピンク", "pink"),
    ("黄色", "yellow"), ("黄色い", "yellow"), ("オレンジ", "orange"),
])
def test_japanese_colour_words(value: str, expected: str) -> None:
    assert color_of(value, "ja") == expected


@pytest.mark.parametrize(("kind", "value", "chinese", "japanese"), [
    ("color", "青", "teal", "blue"),  # cyan in Chinese (青色), blue in Japanese
    ("color", "青色", "teal", "blue"),
    ("color", "藍色", "blue", "navy"),  # blue in traditional Chinese, indigo in Japanese
    ("category", "靴", "boots", "shoes"),
    ("category", "手袋", "bags", "gloves"),  # a handbag in Chinese
])
def test_words_the_two_languages_read_differently_follow_the_messages_language(kind, value, chinese,
                                                                               japanese) -> None:
    lookup = color_of if kind == "color" else category_of
    assert lookup(value, "zh-Hans") == lookup(value, "zh-Hant") == chinese
    assert lookup(value, "ja") == japanese
    assert lookup(value) == chinese  # Chinese characters alone, no language: Chinese


def test_kana_make_a_message_japanese_whatever_the_conversations_language() -> None:
    assert words_language("青いジャケットありますか", "zh-Hans") == "ja"
    assert words_language("青色的外套", "zh-Hans") == "zh-Hans"
    assert words_language("青色的外套", "ja") == "ja"  # the shopper chose Japanese
    assert color_of("青い", "zh-Hans") == "blue"  # kana in the word itself
    # a word only the other language uses is still read: 黒 (Japanese) in a message of kanji only
    assert color_of("黒", "zh-Hans") == "black" and category_of("靴下", "zh-Hans") == "socks"


@pytest.mark.parametrize("value", ["パーカー", "上衣", "cheap", "Polo衫", ""])
def test_ambiguous_or_unknown_words_are_no_filter(value: str) -> None:
    assert category_of(value, "ja") is None and category_of(value, "zh-Hans") is None


def test_english_words_are_read_as_before() -> None:
    assert category_of("sneakers", "ja") == "shoes" and category_of("rain jackets", "zh-Hans") == "jackets"
    assert color_of("gray", "zh-Hant") == "grey" and color_of("chartreuse") is None


def test_the_assistants_own_words_for_categories_and_colours_read_back() -> None:
    """What the bot says for a category or colour (phrases.yml, "蓝色外套"), said back, is that one."""
    phrases = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    for kind, lookup in (("category", category_of), ("color", color_of)):
        for value, words in phrases[kind].items():
            for language, word in words.items():
                assert lookup(str(word), language) == value, (kind, language, word)


@pytest.mark.parametrize(("text", "entities", "language", "category", "color"), [
    ("有没有蓝色的雨衣", [{"entity": "color", "value": "蓝色"}, {"entity": "category", "value": "雨衣"}],
     "zh-Hans", "jackets", "blue"),
    ("藍色的外套", [{"entity": "color", "value": "藍色"}, {"entity": "category", "value": "外套"}],
     "zh-Hant", "jackets", "blue"),
    ("青いジャケットありますか", [{"entity": "color", "value": "青い"}, {"entity": "category", "value": "ジャケット"}],
     "ja", "jackets", "blue"),
    ("青いジャケットありますか", [{"entity": "color", "value": "青"}, {"entity": "category", "value": "ジャケット"}],
     None, "jackets", "blue"),  # kana: Japanese, with no conversation language
    ("青色的外套", [{"entity": "color", "value": "青色"}, {"entity": "category", "value": "外套"}],
     "zh-Hans", "jackets", "teal"),
    ("黑色的帽子", [{"entity": "color", "value": "黑色"}, {"entity": "category", "value": "帽子"}],
     "zh-Hans", "hats", "black"),
    ("防水の靴", [{"entity": "category", "value": "靴"}], "ja", "shoes", None),
    ("有没有登山鞋", [{"entity": "category", "value": "登山鞋"}], "zh-Hans", "shoes", None),
    ("blue rain jacket", [{"entity": "color", "value": "blue"}, {"entity": "category", "value": "rain jacket"}],
     "en", "jackets", "blue"),
])
def test_entities_in_each_language_become_the_same_filters(text, entities, language, category, color) -> None:
    query = ProductQuery.from_entities(text, entities, language)
    assert (query.category, query.color, query.terms) == (category, color, [])


def test_an_unknown_category_word_still_ranks() -> None:
    query = ProductQuery.from_entities("撥水のパーカー", [{"entity": "category", "value": "パーカー"}], "ja")
    assert (query.category, query.terms) == (None, ["パーカー"])


def test_a_whole_message_is_read_only_for_words_that_stand_alone():
    assert product_words.lookup("category", "ソロキャンプ用の軽いテントが欲しい", "ja", in_text=True) == "tents"
    assert product_words.lookup("category", "冬用の寝袋を探しています", "ja", in_text=True) == "sleeping bags"
    assert product_words.lookup("category", "想找一顶两个人用的帐篷", "zh-Hans", in_text=True) == "tents"
    assert product_words.lookup("category", "我的包裹到哪了", "zh-Hans", in_text=True) is None  # 包 of 包裹 is no bag
    assert product_words.lookup("category", "いくつか教えて", "ja", in_text=True) is None     # くつ of いくつか is no shoe
    assert product_words.lookup("category", "包", "zh-Hans") == "bags"                        # an entity's value: still read
