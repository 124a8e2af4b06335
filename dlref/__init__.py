"""dlref: readable from-scratch reference implementations of what the dlref pages teach.

Built on torch tensors and checked against PyTorch, values and gradients.

* :mod:`dlref.functional` mirrors :mod:`torch.nn.functional`;
* :mod:`dlref.nn` mirrors :mod:`torch.nn`;
* :mod:`dlref.viz` turns matplotlib figures into the site's inline SVG figures.
"""

from dlref import functional, nn
from dlref.creation import linspace

__version__ = "0.1.0"

__all__ = ["__version__", "functional", "linspace", "nn"]
