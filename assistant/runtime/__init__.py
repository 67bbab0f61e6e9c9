"""assistant/runtime"""
