"""planqa index stage."""
