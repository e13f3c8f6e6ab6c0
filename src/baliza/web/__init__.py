"""The REST API and the dashboard: `baliza.web.app.create_app(db)` builds what `baliza serve` runs."""
