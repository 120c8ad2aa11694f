"""Incident response: incidents, their tasks, timeline and notification plan, and the response
organisation (roles, reply templates, playbooks, drills). See the app's __init__ for the layout."""
