"""The web UI's pages, one module per area; ``app.py`` lists them."""
