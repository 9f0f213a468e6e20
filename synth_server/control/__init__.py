"""synth_server.control"""
