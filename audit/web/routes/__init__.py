"""The dashboard's pages, one module per family; app.py includes every `router` listed here."""
from minhbach.audit.web.routes import (
    agency,
    auth,
    disputes,
    evidence,
    monthly,
    overview,
    registry,
    rules,
    runs,
    settings,
)

ROUTERS = [module.router for module in (auth, overview, agency, disputes, evidence, runs, monthly, registry,
                                        settings, rules)]
