"""Routes for certificates (built in the certificates issue)."""
