"""The golden-corpus generator behind scripts/build_golden_corpus.py (see its docstring)."""
