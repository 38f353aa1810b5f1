"""(being written)"""
FAMILIES = ()
