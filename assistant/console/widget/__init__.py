"""The website chat widget: its files (src/), the socket.io client (npm) and the demo shop page."""
