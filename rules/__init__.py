"""Pure rule library: Vietnamese text tools, lexicons, artifacts and the rules themselves.

Nothing here touches the network, the database or the clock.
"""
