"""Modules that mirror :mod:`torch.nn`: same constructor arguments, parameter names, behaviour."""

__all__: list[str] = []
