"""Traditional Chinese (Taiwan, Hong Kong, Macau)."""
from types import MappingProxyType

from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="zh-Hant", english_name="Chinese (Traditional)", native_name="繁體中文", short_label="繁",
    names=("traditional chinese", "繁體中文", "繁體", "繁体中文", "繁体", "正體中文", "cantonese", "廣東話"),
    browser_tags=("zh-TW", "zh-HK", "zh-MO"), browser_prefixes=("zh-hant",),
    weekdays="一二三四五六日", weekday_prefix="週",
    currency_words=MappingProxyType({"USD": "美元", "EUR": "歐元", "GBP": "英鎊", "JPY": "日圓", "CNY": "人民幣",
                                     "TWD": "新台幣"}),
    currency_space=True,
)
