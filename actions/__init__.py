"""The action server's actions (rasa-sdk loads this package: ``python -m rasa_sdk --actions actions``).

Log lines of the action server have personal data masked (``assistant.shop.support.pii.install_log_masking``).
"""
from assistant.shop.support.pii import install_log_masking

install_log_masking()
