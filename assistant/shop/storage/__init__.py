"""assistant/shop/storage"""
