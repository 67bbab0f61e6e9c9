"""assistant/rasa_plugins"""
