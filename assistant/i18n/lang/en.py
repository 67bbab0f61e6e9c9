"""English: the default language, and the fallback of every phrase."""
from assistant.i18n.lang.base import Language

LANGUAGE = Language(
    code="en", english_name="English", native_name="English", short_label="EN",
    names=("english", "英文", "英语", "英語", "えいご", "英語で"),
    browser_prefixes=("en",),
)
