r"""Functions that mirror :mod:`torch.nn.functional`, written from tensor primitives.

Each function has the name, argument names, defaults, accepted shapes and return shape of its
PyTorch counterpart (for ``logsumexp``, ``torch.logsumexp``; the metrics ``rmse``, ``mape`` and
``smape`` have none), and is tested against it, values and gradients. Replace
``import torch.nn.functional as F`` with ``import dlref.functional as F`` and the numbers agree,
except ``dropout``'s: under the same seed it draws its mask another way than PyTorch does.

Each function is written in its reference form: the body is the formula its page derives, in
plain, out-of-place torch operations, and a hand-written ``backward``, where there is one, is the
textbook derivative (so second derivatives work too). A fast form exists only where it is itself a
lesson (cross-entropy's backward $\operatorname{softmax} - \text{one-hot}$, and its binary
counterpart $\sigma(x) - y$); it sits after the reference form in a marked section and is tested
equal to it.
"""

__all__: list[str] = []

# --- activations: dlref/functional/activation.py -------------------------------------------
from dlref.functional.activation import elu, gelu, leaky_relu, relu, sigmoid, silu, softplus, tanh

__all__ += ["elu", "gelu", "leaky_relu", "relu", "sigmoid", "silu", "softplus", "tanh"]


# --- softmax family: dlref/functional/softmax.py -------------------------------------------
from dlref.functional.softmax import log_softmax, logsumexp, softmax

__all__ += ["log_softmax", "logsumexp", "softmax"]


# --- classification losses: dlref/functional/classification.py ------------------------------
from dlref.functional.classification import cross_entropy, nll_loss

__all__ += ["cross_entropy", "nll_loss"]


# --- binary classification losses: dlref/functional/binary.py --------------------------------
from dlref.functional.binary import binary_cross_entropy, binary_cross_entropy_with_logits

__all__ += ["binary_cross_entropy", "binary_cross_entropy_with_logits"]


# --- regression losses: dlref/functional/regression.py ---------------------------------------
from dlref.functional.regression import l1_loss, mape, mse_loss, rmse, smape

__all__ += ["l1_loss", "mape", "mse_loss", "rmse", "smape"]


# --- layers: dlref/functional/linear.py, embedding.py, dropout.py ----------------------------
from dlref.functional.dropout import dropout
from dlref.functional.embedding import embedding, one_hot
from dlref.functional.linear import linear

__all__ += ["dropout", "embedding", "linear", "one_hot"]


# --- end of sections ---------------------------------------------------------------------------
