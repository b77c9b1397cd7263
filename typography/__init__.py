"""Chinese typography shared by every app: GB/T 15834 punctuation and GB/T 9704 dates. No models, no
Django: the bottom layer beside workflow (pyproject.toml import contracts)."""

from .punctuation import chinese_date, fullwidth, fullwidth_html

__all__ = ["chinese_date", "fullwidth", "fullwidth_html"]
