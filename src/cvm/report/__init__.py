"""KPIs, charts and the HTML report; plotting lives here, never in the models."""
