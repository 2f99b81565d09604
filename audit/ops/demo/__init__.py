"""The demo province: fictional agency portals served on 127.0.0.1, built from data/demo/."""
