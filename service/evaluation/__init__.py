"""Offline evaluation of planqa."""
