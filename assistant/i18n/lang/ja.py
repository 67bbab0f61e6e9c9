"""Japanese."""
from types import MappingProxyType

from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="ja", english_name="Japanese", native_name="日本語", short_label="日",
    names=("japanese", "日本語", "にほんご", "日语", "日語"),
    browser_prefixes=("ja",),
    weekdays="月火水木金土日",
    currency_words=MappingProxyType({"USD": "米ドル", "EUR": "ユーロ", "GBP": "英ポンド", "JPY": "円", "CNY": "人民元",
                                     "TWD": "台湾ドル"}),
)
