"""assistant/shop/support"""
