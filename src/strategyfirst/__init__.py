"""strategyfirst: social media in the right order — strategy, tactics that serve it, measurement."""

from strategyfirst.errors import StrategyFirstError
from strategyfirst.workspace import Workspace

__version__ = "0.1.0"
__all__ = ["StrategyFirstError", "Workspace", "__version__"]
