"""Ten Gigawatts: data, assumptions, models, charts and build for the OpenAI-NVIDIA report."""

__version__ = "0.1.0"
