"""Control Tower (AI 혁신 컨트롤타워): the core library."""

__version__ = "0.1.0"
