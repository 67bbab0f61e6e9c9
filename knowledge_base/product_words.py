"""Chinese and Japanese words for the catalogue's categories and colours.

The catalogue (``content/products/catalog.yml``) names its categories and colours in English; the entity
extractor hands the search the shopper's own words ("蓝色", "藍色", "青い", "ブルー", "登山鞋", "ジャケット").
These tables read them as the catalogue's values, for simplified and traditional Chinese (one table: the
two scripts share most words, and a word written in either is listed in both) and Japanese.

A few words mean different things in the two languages, and sit in each table with their own meaning:

* 青: in Chinese cyan, a blue-green (青色; the catalogue's nearest colour is teal), in Japanese blue
* 藍/藍色: in traditional Chinese blue, in Japanese indigo (navy)
* 靴: in Chinese boots (靴子), in Japanese shoes (靴, 靴下 are socks)
* 手袋: in Chinese a handbag, in Japanese gloves

The message's language decides between them (``reading``); a word only the other language uses ("黒", the
Japanese form of 黑, in a message without kana) is still read, by that other language's table.

Words are matched inside the entity's value ("深蓝色的", "防水外套", "キャンプ用テント"): of the table's words
found there, the one that ends last wins (Chinese and Japanese put the head noun last: "露营帐篷" is a
tent, "刷毛外套" a fleece once listed whole), then the longest ("深蓝色" navy over "蓝色" blue, "短裤" over
"裤"), then the message's language. Words that are too ambiguous to filter on are left out on purpose:
パーカー (a hoodie in everyday Japanese, a parka in outdoor shops), 上衣 (any top).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Mapping, Sequence

from assistant.i18n.scripts import CJK_RE, HAN_RE, HIRAGANA, KANA_RE

CHINESE, JAPANESE = "zh", "ja"

CATEGORY_WORDS: Mapping[str, Mapping[str, Sequence[str]]] = {
    CHINESE: {
        "jackets": ["外套", "夹克", "夾克", "茄克", "冲锋衣", "衝鋒衣", "风衣", "風衣", "风褛", "風褸", "雨衣", "雨披",
                    "羽绒", "羽絨", "羽绒服", "羽絨服", "羽绒衣", "羽絨衣", "派克", "派克服", "派克大衣", "大衣",
                    "棉服", "棉衣", "棉袄", "棉襖", "软壳", "軟殼", "硬壳", "硬殼", "皮肤衣", "皮膚衣", "防风衣",
                    "防風衣"],
        "shoes": ["鞋", "鞋子", "登山鞋", "徒步鞋", "健行鞋", "行山鞋", "运动鞋", "運動鞋", "跑鞋", "跑步鞋",
                  "越野跑鞋", "球鞋", "休闲鞋", "休閒鞋", "板鞋", "帆布鞋", "凉鞋", "涼鞋", "溯溪鞋"],
        "boots": ["靴", "靴子", "登山靴", "雨靴", "雨鞋", "雪地靴", "马丁靴", "馬丁靴", "切尔西靴", "切爾西靴",
                  "长靴", "長靴", "短靴"],
        "t-shirts": ["t恤", "t恤衫", "体恤", "體恤", "短t", "长t", "長t", "短袖", "排汗衫", "速干衣", "速乾衣"],
        "shirts": ["衬衫", "襯衫", "衬衣", "襯衣", "格子衫"],
        "pants": ["裤", "褲", "裤子", "褲子", "长裤", "長褲", "七分裤", "七分褲"],
        "shorts": ["短裤", "短褲", "泳裤", "泳褲", "沙滩裤", "沙灘褲", "五分裤", "五分褲", "热裤", "熱褲"],
        "fleeces": ["抓绒", "抓絨", "抓毛", "摇粒绒", "搖粒絨", "刷毛", "抓绒衣", "抓絨衣", "刷毛衣", "抓毛衣",
                    "抓绒外套", "抓絨外套", "抓毛外套", "刷毛外套", "摇粒绒外套", "搖粒絨外套", "抓绒夹克",
                    "抓絨夾克", "卫衣", "衛衣", "连帽衫", "連帽衫", "帽衫", "毛衣", "针织衫", "針織衫", "套头衫",
                    "套頭衫"],
        "dresses": ["裙", "裙子", "连衣裙", "連衣裙", "洋装", "洋裝"],
        "socks": ["袜", "襪", "袜子", "襪子"],
        "backpacks": ["背包", "双肩包", "雙肩包", "登山包", "书包", "書包", "后背包", "後背包", "背囊", "徒步包",
                      "水袋包"],
        "bags": ["包", "包包", "手提包", "托特包", "腰包", "斜挎包", "斜背包", "侧背包", "側背包", "单肩包",
                 "單肩包", "邮差包", "郵差包", "胸包", "帆布包", "旅行袋", "行李袋", "手提袋", "购物袋", "購物袋",
                 "防水袋", "手袋"],
        "hats": ["帽", "帽子"],
        "gloves": ["手套"],
        "tents": ["帐篷", "帳篷", "天幕"],
        "sleeping bags": ["睡袋"],
        "camping gear": ["露营装备", "露營裝備", "露营用品", "露營用品", "露营器材", "露營器材", "炉头", "爐頭",
                         "炉具", "爐具", "头灯", "頭燈", "营灯", "營燈", "露营灯", "露營燈", "露营椅", "露營椅",
                         "折叠椅", "摺疊椅", "净水器", "淨水器", "滤水器", "濾水器", "炊具", "锅具", "鍋具",
                         "睡垫", "睡墊", "防潮垫", "防潮墊"],
        "accessories": ["配件", "配饰", "配飾", "太阳镜", "太陽眼鏡", "墨镜", "墨鏡", "腰带", "腰帶", "皮带",
                        "皮帶", "水壶", "水壺", "水瓶", "脖套", "围脖", "圍脖", "登山杖", "健行杖", "绑腿", "綁腿",
                        "雪套"],
    },
    JAPANESE: {
        "jackets": ["ジャケット", "ジャンパー", "ブルゾン", "コート", "アウター", "上着", "外套", "ダウン",
                    "ダウンジャケット", "ダウンコート", "ダウンパーカー", "シェル", "ハードシェル", "ソフトシェル",
                    "ウインドブレーカー", "ウィンドブレーカー", "ウインドシェル", "レインジャケット",
                    "レインコート", "レインウェア", "カッパ", "合羽", "マウンテンパーカー", "アノラック"],
        "shoes": ["靴", "くつ", "シューズ", "スニーカー", "運動靴", "革靴", "ランニングシューズ", "トレランシューズ",
                  "トレイルランニングシューズ", "ハイキングシューズ", "トレッキングシューズ", "アプローチシューズ",
                  "サンダル"],
        # 登山靴: in Japanese outdoor shops the ankle-high boot (ハイキングシューズ is the low shoe)
        "boots": ["ブーツ", "長靴", "雨靴", "冬靴", "登山靴", "レインブーツ", "スノーブーツ", "チェルシーブーツ",
                  "サイドゴアブーツ", "トレッキングブーツ"],
        "t-shirts": ["tシャツ", "ティーシャツ", "ロンt", "カットソー"],
        "shirts": ["シャツ", "ネルシャツ", "フランネルシャツ", "チェックシャツ", "ワイシャツ", "ブラウス",
                   "リネンシャツ", "オーバーシャツ", "ボタンダウン"],
        "pants": ["パンツ", "ズボン", "ロングパンツ", "スラックス", "ジョガーパンツ", "レギンス", "タイツ",
                  "チノパン"],
        "shorts": ["ショートパンツ", "短パン", "ハーフパンツ", "ショーツ", "海パン", "ランパン", "水着"],
        "fleeces": ["フリース", "フリースジャケット", "スウェット", "トレーナー", "セーター", "ニット",
                    "プルオーバー", "フーディー", "フーディ"],
        "dresses": ["ワンピース", "ワンピ", "ドレス", "スカート"],
        "socks": ["靴下", "くつした", "ソックス"],
        "backpacks": ["リュック", "リュックサック", "バックパック", "デイパック", "ザック", "ハイドレーションパック"],
        "bags": ["バッグ", "鞄", "かばん", "カバン", "トート", "ポーチ", "サコッシュ", "ショルダーバッグ",
                 "ウエストバッグ", "ボディバッグ", "ヒップバッグ", "ダッフルバッグ", "ボストンバッグ"],
        "hats": ["帽子", "ぼうし", "キャップ", "ハット", "ニット帽", "ビーニー", "野球帽", "バケハ"],
        "gloves": ["手袋", "てぶくろ", "グローブ", "ミトン"],
        "tents": ["テント", "シェルター", "タープ"],
        "sleeping bags": ["寝袋", "シュラフ", "スリーピングバッグ"],
        "camping gear": ["キャンプ", "キャンプ用品", "キャンプ道具", "キャンプギア", "ヘッドランプ", "ヘッドライト",
                         "ランタン", "バーナー", "ストーブ", "チェア", "浄水器", "クッカー", "調理器具", "マット"],
        "accessories": ["アクセサリー", "小物", "サングラス", "ベルト", "ボトル", "水筒", "ネックゲイター",
                        "ネックウォーマー", "ゲイター", "トレッキングポール"],
    },
}

# Chinese words for a colour also count with 色 after them ("深蓝" and "深蓝色"), as do the Japanese kanji
# ones ("紺" and "紺色"); see _with_iro().
COLOR_WORDS: Mapping[str, Mapping[str, Sequence[str]]] = {
    CHINESE: {
        "black": ["黑", "纯黑", "純黑", "全黑"],
        "white": ["白", "纯白", "純白", "全白", "雪白"],
        "red": ["红", "紅", "赤", "大红", "大紅", "正红", "正紅", "鲜红", "鮮紅"],
        "burgundy": ["酒红", "酒紅", "枣红", "棗紅", "暗红", "暗紅", "紫红", "紫紅", "勃艮第", "波尔多", "波爾多"],
        "green": ["绿", "綠", "翠绿", "翠綠", "墨绿", "墨綠", "深绿", "深綠", "草绿", "草綠", "浅绿", "淺綠",
                  "森林绿", "森林綠", "荧光绿", "螢光綠"],
        "olive": ["橄榄", "橄欖", "橄榄绿", "橄欖綠", "军绿", "軍綠"],
        "khaki": ["卡其", "沙色", "土黄", "土黃", "驼色", "駝色"],
        "beige": ["米色", "米白", "米黄", "米黃", "奶白", "奶油", "杏色", "燕麦", "燕麥", "象牙白"],
        "brown": ["棕", "深棕", "咖啡", "褐", "巧克力", "茶色", "焦糖"],
        "grey": ["灰", "深灰", "浅灰", "淺灰", "炭灰", "烟灰", "菸灰", "银", "銀", "银灰", "銀灰"],
        "navy": ["藏青", "藏蓝", "藏藍", "海军蓝", "海軍藍", "深蓝", "深藍"],
        "blue": ["蓝", "藍", "天蓝", "天藍", "浅蓝", "淺藍", "湖蓝", "湖藍", "宝蓝", "寶藍", "水蓝", "水藍",
                 "天空蓝", "天空藍", "牛仔蓝", "牛仔藍"],
        # 青 (青色) is cyan, the blue-green the catalogue calls teal; 藏青 is navy (above)
        "teal": ["青", "青绿", "青綠", "蓝绿", "藍綠", "松石绿", "松石綠", "绿松石", "綠松石", "孔雀蓝", "孔雀藍",
                 "湖绿", "湖綠", "水鸭", "水鴨"],
        "purple": ["紫", "淡紫", "浅紫", "淺紫", "薰衣草", "丁香", "紫罗兰", "紫羅蘭"],
        "pink": ["粉", "粉红", "粉紅", "桃红", "桃紅", "玫红", "玫紅", "玫瑰", "樱花粉", "櫻花粉"],
        "yellow": ["黄", "黃", "姜黄", "薑黃", "芥末黄", "芥末黃", "明黄", "明黃", "柠檬黄", "檸檬黃"],
        "orange": ["橙", "橘", "桔", "橘黄", "橘黃"],
    },
    JAPANESE: {
        "black": ["黒", "黒い", "くろ", "ブラック", "真っ黒", "漆黒"],
        "white": ["白", "白い", "しろ", "ホワイト", "真っ白"],
        "red": ["赤", "赤い", "あか", "レッド", "真っ赤"],
        "burgundy": ["ワインレッド", "バーガンディ", "バーガンディー", "ボルドー", "えんじ", "エンジ", "臙脂"],
        "green": ["緑", "みどり", "グリーン", "深緑", "黄緑", "ライムグリーン", "フォレストグリーン"],
        "olive": ["オリーブ", "オリーブグリーン", "モスグリーン", "カーキグリーン"],
        "khaki": ["カーキ", "サンド", "タン"],
        "beige": ["ベージュ", "アイボリー", "クリーム", "オフホワイト", "生成り", "きなり", "エクリュ", "ストーン"],
        "brown": ["茶", "茶色い", "ブラウン", "こげ茶", "焦げ茶", "ダークブラウン", "キャメル", "チョコレート", "モカ"],
        "grey": ["灰", "グレー", "グレイ", "ねずみ色", "鼠", "チャコール", "チャコールグレー", "シルバー", "銀",
                 "ライトグレー", "ダークグレー"],
        # 藍 (藍色) is indigo in Japanese
        "navy": ["紺", "濃紺", "ネイビー", "ネイビーブルー", "藍", "インディゴ", "ダークブルー"],
        "blue": ["青", "青い", "あお", "ブルー", "水色", "空色", "スカイブルー", "ライトブルー", "サックス",
                 "サックスブルー", "ロイヤルブルー"],
        "teal": ["青緑", "ティール", "ティールブルー", "ティールグリーン", "ターコイズ", "ターコイズブルー",
                 "ブルーグリーン"],
        "purple": ["紫", "むらさき", "パープル", "バイオレット", "ラベンダー", "ライラック"],
        "pink": ["桃", "ももいろ", "ピンク", "ローズ"],
        "yellow": ["黄", "黄色い", "きいろ", "イエロー", "マスタード", "からし色", "辛子色", "レモンイエロー"],
        "orange": ["橙", "だいだい", "オレンジ"],
    },
}


def normalise(text: str) -> str:
    """NFKC and lower case, without spaces: "Ｔシャツ" is "tシャツ", "ﾌﾞﾙｰ" is "ブルー"."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "").lower())


def has_cjk(text: str) -> bool:
    return CJK_RE.search(text or "") is not None


def has_kana(text: str) -> bool:
    return KANA_RE.search(text or "") is not None


def reading(text: str, language: str | None = None) -> str:
    """Which table reads the Chinese characters of ``text``: Japanese when it has kana or the conversation is in
    Japanese (``language`` "ja"), else Chinese (a message of Chinese characters only is Chinese)."""
    return JAPANESE if KANA_RE.search(text or "") or language == "ja" else CHINESE


def _with_iro(words: Sequence[str]) -> list[str]:
    """Each word, and a word ending in a Chinese character with 色 after it ("蓝" "蓝色", "紺" "紺色")."""
    out = []
    for word in words:
        out.append(word)
        if HAN_RE.fullmatch(word[-1]) and not word.endswith("色"):
            out.append(word + "色")
    return out


_HIRAGANA_ONLY = re.compile(f"[{HIRAGANA}]+")


@lru_cache(maxsize=None)
def _entries(kind: str, in_text: bool = False) -> tuple[tuple[str, str, str], ...]:
    """(word, catalogue value, language) for every word of the ``kind`` table ("category" or "color"); with
    ``in_text``, only the words that cannot be part of another word (see ``lookup``)."""
    tables = CATEGORY_WORDS if kind == "category" else COLOR_WORDS
    entries = []
    for language, table in tables.items():
        for value, words in table.items():
            for word in (_with_iro(words) if kind == "color" else words):
                word = normalise(word)
                if not in_text or (len(word) >= 2 and not _HIRAGANA_ONLY.fullmatch(word)):
                    entries.append((word, value, language))
    return tuple(entries)


def lookup(kind: str, value: str, language: str | None = None, in_text: bool = False) -> str | None:
    """The catalogue's category or colour (``kind`` "category" or "color") for a Chinese or Japanese ``value``
    ("蓝色" blue, "青い" blue, "青色" teal in Chinese, "登山鞋" shoes, "靴" shoes in Japanese), or None.

    ``language``: the message's language ("zh-Hans", "zh-Hant", "ja", "en" or None), which decides the words
    the two languages read differently; kana in ``value`` make it Japanese whatever the conversation's.
    ``in_text``: ``value`` is a whole message, not an entity; only words that cannot be part of another word
    count: two characters or more ("包" of "包裹", a parcel, is no bag) and not hiragana alone ("くつ" of
    "いくつか" is no shoe)."""
    text = normalise(value)
    if not text:
        return None
    own = reading(value, language)
    best: tuple[int, int, bool] | None = None
    found = None
    for word, canonical, word_language in _entries(kind, in_text):
        at = text.rfind(word)
        if at < 0:
            continue
        rank = (at + len(word), len(word), word_language == own)  # ends last, then longest, then own language
        if best is None or rank > best:
            best, found = rank, canonical
    return found
