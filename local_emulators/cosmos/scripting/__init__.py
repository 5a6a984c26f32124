"""Server-side JavaScript: stored procedures, triggers and UDFs run in an embedded QuickJS sandbox."""
