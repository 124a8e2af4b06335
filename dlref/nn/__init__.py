"""Modules that mirror :mod:`torch.nn`: same constructor arguments, parameter names, behaviour."""

__all__: list[str] = []

# --- layers: dlref/nn/linear.py, embedding.py, dropout.py -------------------------------------
from dlref.nn.dropout import Dropout
from dlref.nn.embedding import Embedding
from dlref.nn.linear import Linear

__all__ += ["Dropout", "Embedding", "Linear"]


# --- recurrent: dlref/nn/rnn.py ----------------------------------------------------------------
from dlref.nn.rnn import RNN, RNNCell

__all__ += ["RNN", "RNNCell"]


# --- losses: dlref/nn/loss.py ------------------------------------------------------------------
from dlref.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ += ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]


# --- activations: dlref/nn/activation.py ------------------------------------------------------
from dlref.nn.activation import (
    ELU,
    GELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)

__all__ += ["ELU", "GELU", "LeakyReLU", "LogSoftmax", "ReLU", "SiLU", "Sigmoid", "Softmax"]
__all__ += ["Softplus", "Tanh"]


# --- end of sections ---------------------------------------------------------------------------
