"""assistant/shop/demo"""
