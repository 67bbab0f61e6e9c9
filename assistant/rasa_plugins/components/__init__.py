"""assistant/rasa_plugins/components

Rasa imports this package before it builds any node of a model that uses our components, so the lean
loading of its TensorFlow models is installed here (``assistant.rasa_plugins.lean_models``).
"""
from assistant.rasa_plugins.lean_models import install_lean_model_loading

install_lean_model_loading()
