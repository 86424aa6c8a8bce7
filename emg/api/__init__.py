"""The reporting API: `/api/reporting/...` served from the marts (FastAPI on uvicorn), for the
CRM application and any program. `emg api start|stop|status|token` runs it."""
