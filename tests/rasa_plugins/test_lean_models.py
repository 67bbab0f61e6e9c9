"""Rasa's TensorFlow models are served without the training graph their loading traces (Rasa venv)."""
from __future__ import annotations

import gc
from typing import Any

import numpy as np
import tensorflow as tf
from rasa.utils.tensorflow.models import RasaModel
from tensorflow.python.framework.func_graph import FuncGraph

from assistant.rasa_plugins import lean_models
from assistant.rasa_plugins.lean_models import install_lean_model_loading, release_training_graph


def trained_model() -> tf.keras.Model:
    """A small Keras model after one training step, as ``RasaModel.load`` leaves one."""
    model = tf.keras.Sequential([tf.keras.layers.Dense(4, activation="relu"), tf.keras.layers.Dense(2)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="mse")
    model.fit(np.ones((4, 3), np.float32), np.zeros((4, 2), np.float32), epochs=1, verbose=0)
    return model


def train_graphs() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FuncGraph) and o.name.startswith("train_function"))


def test_the_training_graph_is_released_and_predictions_stay_the_same() -> None:
    model = trained_model()
    inputs = np.arange(6, dtype=np.float32).reshape(2, 3)
    before = model.predict(inputs, verbose=0)
    graphs = train_graphs()
    assert graphs >= 1 and model.train_function is not None
    release_training_graph(model)
    assert model.train_function is None
    assert "train_function" not in model._self_unconditional_dependency_names  # not kept as a dependency
    assert train_graphs() < graphs  # the traced step is gone
    np.testing.assert_array_equal(model.predict(inputs, verbose=0), before)
    model.fit(inputs, np.zeros((2, 2), np.float32), epochs=1, verbose=0)  # training traces it again


def test_rasa_models_loaded_for_serving_drop_it_and_fine_tuning_keeps_it(monkeypatch) -> None:
    released: list[Any] = []
    loaded = object()

    def fake_load(cls: Any, model_file_name: str, model_data_example: Any, predict_data_example: Any = None,
                  finetune_mode: bool = False, *args: Any, **kwargs: Any) -> Any:
        return loaded

    monkeypatch.setattr(RasaModel, "load", classmethod(fake_load))
    monkeypatch.setattr(lean_models, "release_training_graph", released.append)
    monkeypatch.setattr(lean_models, "return_freed_memory", lambda: None)
    install_lean_model_loading()
    install_lean_model_loading()  # once only
    assert RasaModel.load("model", {}, predict_data_example={}, config={}) is loaded
    assert released == [loaded]
    RasaModel.load("model", {}, None, True)
    RasaModel.load("model", {}, finetune_mode=True)
    assert released == [loaded]


def test_our_components_install_it() -> None:
    import assistant.rasa_plugins.components  # noqa: F401  (Rasa imports it before building the model)

    assert getattr(RasaModel.load.__func__, "_shop_lean", False)
