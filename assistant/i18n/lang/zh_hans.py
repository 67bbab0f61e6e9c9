"""Simplified Chinese (mainland China, Singapore)."""
from types import MappingProxyType

from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="zh-Hans", english_name="Chinese (Simplified)", native_name="简体中文", short_label="简",
    names=("simplified chinese", "简体中文", "简体", "简体字", "普通话", "chinese", "中文"),
    browser_tags=("zh-CN", "zh-SG"), browser_prefixes=("zh",),
    weekdays="一二三四五六日", weekday_prefix="周",
    currency_words=MappingProxyType({"USD": "美元", "EUR": "欧元", "GBP": "英镑", "JPY": "日元", "CNY": "元",
                                     "TWD": "新台币"}),
)
