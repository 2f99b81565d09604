"""The dashboard's pages, one module per family; app.py includes every `router` listed here."""
from minhbach.audit.web.routes import (
    agency,
    auth,
    changes,
    disputes,
    evidence,
    monthly,
    overview,
    registry,
    rules,
    runs,
    settings,
)

ROUTERS = [module.router for module in (auth, overview, agency, disputes, evidence, runs, changes, monthly, registry,
                                        settings, rules)]
