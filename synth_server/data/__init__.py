"""Datasets for training and evaluating the frame VAE.

- :mod:`synth_server.data.toy_pyo`: a procedural, fully labelled toy dataset
  (dSprites-like factorial grid of audio factors of variation, ATIAM brief
  exercise 3) rendered offline with pyo, with presets and a dataset card (the command and
  its files; the grid is :mod:`.toy_grid`, the pyo synthesis :mod:`.toy_synth`, the
  descriptors and card :mod:`.toy_card`).
- :mod:`synth_server.data.soundfont`: NSynth-like notes rendered from a General MIDI
  SoundFont with the fluidsynth CLI, labelled, with held-out programs.
- :mod:`synth_server.data.audio_folder`: any folder of sound files -> 48 kHz mono WAVs.
- :mod:`synth_server.data.frames`: audio folder -> STFT frames for training.
- :mod:`synth_server.data.labels`: the one reader of a dataset's label file.
- :mod:`synth_server.data.staging`: write beside the target folder, publish in one rename.
"""
