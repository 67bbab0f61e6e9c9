"""assistant/i18n"""
