"""The app's screens: the session list and one session (state, timeline, event)."""
