"""Training of the span reader and passage reranker adapter shipped in ``service/reader/weights``.

    python -m training.reader                      # the full run (see ``__main__`` for options)
    python -m training.reader --limit 8 --max-steps 3 --out /tmp/r --export /tmp/r/weights
"""
