"""Dashboards, forums and members, meetings, recommendations and official documents."""
