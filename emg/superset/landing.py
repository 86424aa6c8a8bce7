"""Where a login lands: the Overview dashboard, for admin, leaders and BDRs alike.

Superset's index (`/`, where its login form sends everyone) redirects to its Home page
(`/superset/welcome/`). Superset keeps a per-user welcome dashboard
(`UserAttribute.welcome_dashboard_id`), but in 6.1 `/superset/welcome/` only renders the page
at that address, which the front end shows as Home. This index view, named by `FAB_INDEX_VIEW`
in superset/superset_config.py, redirects instead: to the user's welcome dashboard when one is
set, else to the dashboard `LANDING_DASHBOARD` names (the Overview). Home stays one click away.
Loaded by Superset's own process, never by the `emg` command.
"""

from __future__ import annotations

from flask import current_app, redirect
from flask_appbuilder import expose
from superset.initialization import SupersetIndexView


class LandingIndexView(SupersetIndexView):
    @expose("/")
    def index(self):
        # Superset's models, imported once the app is up (FAB imports this class earlier)
        from superset.models.dashboard import Dashboard
        from superset.models.user_attributes import UserAttribute
        from superset.utils.core import get_user_id

        from superset import db

        user_id = get_user_id()
        if user_id is None:  # Superset's own: the login page, which comes back here
            return super().index()
        welcome = (
            db.session.query(UserAttribute.welcome_dashboard_id).filter_by(user_id=user_id).scalar()
        )
        target = welcome or current_app.config.get("LANDING_DASHBOARD")
        if target and Dashboard.get(str(target)) is not None:
            return redirect(f"/superset/dashboard/{target}/")
        return super().index()
