"""``synth-server evaluate``: a trained checkpoint against a PCA autoencoder of the same size.

- :mod:`synth_server.evaluate.report`: the evaluation, ``report.md`` and ``metrics.json``.
- :mod:`synth_server.evaluate.measures`: MIG, Griffin-Lim resynthesis, pyin cents.
- :mod:`synth_server.evaluate.figures`: the PNGs (matplotlib).
- :mod:`synth_server.evaluate.markdown`: the report's Markdown text.
"""
