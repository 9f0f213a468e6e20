"""Datasets for training and evaluating the frame VAE.

- :mod:`synth_server.datasets.toy_pyo`: a procedural, fully labelled toy dataset
  (dSprites-like factorial grid of audio factors of variation, ATIAM brief
  exercise 3) rendered offline with pyo.
"""
