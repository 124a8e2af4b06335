"""Modules that mirror :mod:`torch.nn`: same constructor arguments, parameter names, behaviour."""

__all__: list[str] = []

# --- layers: dlref/nn/linear.py, embedding.py, dropout.py -------------------------------------


# --- recurrent: dlref/nn/rnn.py ----------------------------------------------------------------


# --- losses: dlref/nn/loss.py ------------------------------------------------------------------
from dlref.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ += ["BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]


# --- end of sections ---------------------------------------------------------------------------
