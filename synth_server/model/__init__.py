"""synth_server.model"""
