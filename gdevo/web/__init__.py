"""The web page: the explorer, built from recorded traces and the static code in web/explorer/."""
