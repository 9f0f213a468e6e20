"""synth_server.engine"""
