"""mipnn: training neural networks with mixed-integer programming, reproduced with open-source solvers."""

__version__ = "0.1.0"
