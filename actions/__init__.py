"""The action server's actions (rasa-sdk loads this package: ``python -m rasa_sdk --actions actions``).

Log lines of the action server have personal data masked (``assistant.shop.support.pii.install_log_masking``),
and every call must carry the shared secret only Rasa knows (``actions.guard``).
"""
from actions import guard
from assistant.shop.support.pii import install_log_masking

install_log_masking()
guard.install()
