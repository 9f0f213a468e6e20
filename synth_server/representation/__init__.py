"""synth_server.representation"""
