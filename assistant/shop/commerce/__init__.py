"""assistant/shop/commerce"""
