"""One module per language; ``REGISTERED`` is the order the shop lists them in (the default first).

To add a language, write ``<code>.py`` here with a ``LANGUAGE`` and add it below; README's
"Adding a language" lists the rest (training data, phrases, content), and a test checks each item.
"""
from assistant.i18n.lang import en, ja, zh_hans, zh_hant

REGISTERED = (en.LANGUAGE, zh_hans.LANGUAGE, zh_hant.LANGUAGE, ja.LANGUAGE)
