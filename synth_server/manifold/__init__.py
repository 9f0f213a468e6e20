"""synth_server.manifold"""
