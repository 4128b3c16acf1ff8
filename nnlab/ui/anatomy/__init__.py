"""The Anatomy view: a model walked layer by layer on real test images, then its parameters."""
