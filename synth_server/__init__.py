"""synth-server: a real-time neural synthesizer (VAE decoder) played live over OSC."""

__version__ = "0.1.0"
