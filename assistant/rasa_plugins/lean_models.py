"""Serves Rasa's TensorFlow models (DIET) without the training graph that loading them leaves behind.

To give a model's variables their shapes, Rasa's ``RasaModel.load`` compiles the model and trains it for one
step on one example before loading the trained weights over it. That traces the whole training step (the
loss, its gradients through the CRF's conditionals, the optimizer update): about 34,000 graph operations in
some 200 function graphs, held by the Keras model as ``train_function`` / ``train_tf_function`` (also as
checkpoint dependencies) for as long as the model lives. For this shop's DIET that was about 1 GB of the Rasa
process's memory, never used again while serving. After a load that is not for fine-tuning, both are dropped,
the graphs collected and the freed heap handed back to the system; inference runs on its own traced
prediction function, so every prediction is exactly what it was.

Installed on import of ``assistant.rasa_plugins.components`` (which Rasa imports before it builds any node
of our model), so every process that loads the model gets it: ``rasa run``, ``rasa shell``, the NLU and
answer evaluations. Training does not go through ``RasaModel.load`` (fine-tuning does, and keeps its graph).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import inspect
import logging
from typing import Any

logger = logging.getLogger(__name__)

# the Keras model attributes holding the training step's traced function
TRAINING_FUNCTIONS = ("train_function", "train_tf_function")


def release_training_graph(model: Any) -> None:
    """Drops ``model``'s traced training step (attribute and checkpoint dependency); None of it is needed
    to predict, and a later ``fit`` would simply trace it again."""
    delete_tracking = getattr(model, "_delete_tracking", None)
    for name in TRAINING_FUNCTIONS:
        if getattr(model, name, None) is not None:
            setattr(model, name, None)
        if delete_tracking is not None:  # Keras keeps a tracked attribute reachable after it is set to None
            delete_tracking(name)


def return_freed_memory() -> None:
    """Collects the graphs' reference cycles, then lets glibc give the freed heap pages back (it keeps
    them otherwise: the graphs are many small allocations, never at the top of the heap)."""
    gc.collect()
    path = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(path).malloc_trim if path else None
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim): the memory stays reusable
        trim = None
    if trim is not None:
        trim(0)


def install_lean_model_loading() -> None:
    """Wraps ``RasaModel.load`` once: after a load for serving, the training graph is released."""
    from rasa.utils.tensorflow.models import RasaModel

    load = RasaModel.load.__func__  # type: ignore[attr-defined]
    if getattr(load, "_shop_lean", False):
        return
    signature = inspect.signature(load)

    @functools.wraps(load)
    def lean_load(cls: Any, *args: Any, **kwargs: Any) -> Any:
        model = load(cls, *args, **kwargs)
        if not signature.bind(cls, *args, **kwargs).arguments.get("finetune_mode", False):
            release_training_graph(model)
            return_freed_memory()
            logger.debug("released the training graph of %s", cls.__name__)
        return model

    lean_load._shop_lean = True  # type: ignore[attr-defined]
    RasaModel.load = classmethod(lean_load)  # type: ignore[method-assign,assignment]
