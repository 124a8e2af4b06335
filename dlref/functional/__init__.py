"""Functions that mirror :mod:`torch.nn.functional`, written from tensor primitives.

Each function has the name, argument names, defaults, accepted shapes and return shape of its
PyTorch counterpart, and is tested against it, values and gradients. Replace
``import torch.nn.functional as F`` with ``import dlref.functional as F`` and the numbers agree.
"""

__all__: list[str] = []

# --- activations: dlref/functional/activation.py -------------------------------------------


# --- softmax family: dlref/functional/softmax.py -------------------------------------------
from dlref.functional.softmax import log_softmax, logsumexp, softmax

__all__ += ["log_softmax", "logsumexp", "softmax"]


# --- classification losses: dlref/functional/classification.py ------------------------------
from dlref.functional.classification import cross_entropy, nll_loss

__all__ += ["cross_entropy", "nll_loss"]


# --- binary classification losses: dlref/functional/binary.py --------------------------------


# --- regression losses: dlref/functional/regression.py ---------------------------------------


# --- layers: dlref/functional/linear.py, embedding.py, dropout.py ----------------------------


# --- end of sections ---------------------------------------------------------------------------
