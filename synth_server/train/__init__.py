"""synth_server.train"""
