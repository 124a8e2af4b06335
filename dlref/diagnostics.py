r"""Diagnostics for training: which ReLU units of a layer are dead.

A ReLU unit is *dead* on a set of inputs when its pre-activation is never positive there: its
output is 0 for every input, and so is the gradient that flows back through it
($\operatorname{ReLU}'(z) = 0$ for $z < 0$). Gradient descent then never changes the weights
that feed it, and it stays dead. A too-large learning rate can push many units there in a few
steps; measuring the fraction of dead units is how one notices.

讲解见站点页面「神经元与激活函数」 docs/components/neurons-activations.md。
"""

from __future__ import annotations

import torch
from torch import Tensor

from dlref.functional._validation import check_floating

__all__ = ["dead_fraction", "dead_units"]


def dead_units(pre_activations: Tensor, unit_dim: int = -1) -> Tensor:
    r"""Mask of the units whose ReLU output is 0 for every example of a batch.

    Unit $j$ is dead on the batch when its pre-activation $z_{ij} = w_j^\top x_i + b_j$ is
    not positive for any example $i$:

    $$
    \operatorname{dead}_j = \bigwedge_{i=1}^{N} \left( z_{ij} \le 0 \right)
    \iff \max_i \operatorname{ReLU}(z_{ij}) = 0 .
    $$

    On such a batch the unit outputs 0 for every example and passes no gradient back, so
    nothing it receives from this batch can revive it. Pass the pre-activations of the whole
    data set (or of a large batch) to find units that are dead on the data, not just on a few
    examples.

    Parameters
    ----------
    pre_activations : Tensor
        The inputs of the ReLU (the layer's $Wx + b$), floating point. Every dimension except
        ``unit_dim`` indexes examples (batch, and e.g. sequence positions).
    unit_dim : int, default -1
        The dimension that indexes the units (the layer's output features).

    Returns
    -------
    Tensor
        A ``torch.bool`` tensor with one entry per unit: ``True`` where the unit is dead.

    Raises
    ------
    TypeError
        If ``pre_activations`` is not a floating-point tensor.
    ValueError
        If it has no unit dimension (0-d), if ``unit_dim`` is out of range, if it has no
        example (an empty batch proves nothing), or if it contains NaN (a diverged layer: its
        ReLU output is NaN, neither dead nor alive).

    Notes
    -----
    Shapes: input $(N, H)$ for a fully connected layer with $H$ units, $(N, *, H)$ with any
    further example dimensions, or $(H)$ for a single example; with ``unit_dim=1`` a
    convolution's $(N, C, H, W)$ gives one entry per channel. Output: $(H)$. The result carries
    no gradient.

    Infinities are values like any other: $\operatorname{ReLU}(-\infty) = 0$, so a unit whose
    pre-activations are all $\le 0$ or $-\infty$ is dead, and one $+\infty$ makes it alive. NaN
    raises (see above): ``NaN <= 0`` is false, and a NaN unit would otherwise count as alive.

    See Also
    --------
    dead_fraction : the fraction of dead units.
    torch.nn.functional.relu : the activation whose zeros are counted.

    Examples
    --------
    >>> import torch
    >>> from dlref.diagnostics import dead_units
    >>> z = torch.tensor([[ 1.0, -2.0, 0.0],
    ...                   [-1.0, -0.5, 0.0],
    ...                   [ 0.5, -3.0, 0.0]])   # 3 examples, 3 units
    >>> dead_units(z)
    tensor([False,  True,  True])
    >>> inf = float("inf")
    >>> dead_units(torch.tensor([[-inf, inf], [-1.0, -inf]]))
    tensor([ True, False])
    """
    check_floating(pre_activations, "pre_activations")
    if pre_activations.dim() == 0:
        raise ValueError(
            "pre_activations must have a unit dimension, e.g. shape (N, H); got a 0-d tensor"
        )
    ndim = pre_activations.dim()
    if not -ndim <= unit_dim < ndim:
        raise ValueError(
            f"unit_dim={unit_dim} is out of range for pre_activations of shape "
            f"{tuple(pre_activations.shape)} (expected -{ndim} <= unit_dim < {ndim})"
        )
    z = pre_activations.detach().movedim(unit_dim, -1)
    # (examples, units): every other dimension indexes examples; a 1-d input is one example.
    z = z.unsqueeze(0) if z.dim() == 1 else z.flatten(0, -2)
    if z.shape[0] == 0:
        raise ValueError(
            f"pre_activations of shape {tuple(pre_activations.shape)} has no example; "
            "a unit can only be called dead on at least one input"
        )
    if torch.isnan(z).any():
        raise ValueError("pre_activations contains NaN (a diverged layer); cannot tell dead units")
    # ReLU(z) = 0 exactly when z <= 0: the unit is dead when that holds for every example.
    return (z <= 0).all(dim=0)


def dead_fraction(pre_activations: Tensor, unit_dim: int = -1) -> float:
    r"""Fraction of the units whose ReLU output is 0 for every example of a batch.

    $$
    \text{dead fraction} = \frac{1}{H} \sum_{j=1}^{H} \operatorname{dead}_j ,
    $$

    with $\operatorname{dead}_j$ as in :func:`dead_units`.

    Parameters
    ----------
    pre_activations : Tensor
        The inputs of the ReLU, floating point; see :func:`dead_units`.
    unit_dim : int, default -1
        The dimension that indexes the units.

    Returns
    -------
    float
        A number in $[0, 1]$; 0.0 for a layer with no units.

    Raises
    ------
    TypeError
        If ``pre_activations`` is not a floating-point tensor.
    ValueError
        As :func:`dead_units`.

    Notes
    -----
    Shapes: as :func:`dead_units`; the result is a Python ``float``, handy for logging every
    few training steps.

    See Also
    --------
    dead_units : the mask itself.

    Examples
    --------
    >>> import torch
    >>> from dlref.diagnostics import dead_fraction
    >>> z = torch.tensor([[1.0, -2.0, 0.0, 3.0],
    ...                   [-1.0, -0.5, 0.0, 2.0]])
    >>> dead_fraction(z)   # units 1 and 2 of 4
    0.5
    """
    mask = dead_units(pre_activations, unit_dim)
    if mask.numel() == 0:
        return 0.0
    return int(mask.sum().item()) / mask.numel()  # exact: dead count / unit count
