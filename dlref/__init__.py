"""dlref: readable from-scratch reference implementations of what the dlref pages teach.

Built on torch tensors and checked against PyTorch, values and gradients. Each module is one
concept of the site and links its page; the site's API reference (docs/api/) documents them all.

* :mod:`dlref.functional` mirrors :mod:`torch.nn.functional`: activations, softmax, losses and
  metrics, and the functional form of the layers (``linear``, ``embedding``, ``dropout``);
* :mod:`dlref.nn` mirrors :mod:`torch.nn`: the activation modules (``ReLU``, ``Tanh``,
  ``Softmax``, ...), ``Linear``, ``Embedding``, ``Dropout``, ``RNNCell``, ``RNN`` and the loss
  modules;
* :func:`dlref.linspace` mirrors :func:`torch.linspace`, bit for bit;
* :mod:`dlref.autograd`: reverse-mode automatic differentiation from scratch on Python scalars
  (``Value``), a multilayer perceptron built from it, and drawings of computation graphs;
* :mod:`dlref.diagnostics`: training diagnostics (which ReLU units are dead, how a result spreads
  over random seeds, a range asserted for a printed number);
* :mod:`dlref.data`: small seeded data sets made by code (``make_moons``).

The hand-written backwards are ``torch.autograd.Function`` subclasses, nearly all in the classic
style (the forward saves what the backward needs): ``backward()``, ``torch.autograd.grad`` and
second derivatives work; ``torch.func`` transforms (``grad``, ``vmap``, ...) and forward-mode AD
do not (``binary_cross_entropy``'s has a separate ``setup_context``, so ``torch.func.grad``
works there). Functions made only of torch operations (``linear``, ``l1_loss``, ...) support
them all.

Not a lesson: :mod:`dlref.viz` is the site's machinery (matplotlib figures as inline SVG, a
function's source as a code block). ``import dlref`` does not import it; it needs the ``viz``
extra (``pip install "dlref[viz]"``) to draw.
"""

from dlref import autograd, data, diagnostics, functional, nn
from dlref.creation import linspace

__version__ = "0.1.0"

__all__ = ["__version__", "autograd", "data", "diagnostics", "functional", "linspace", "nn"]
