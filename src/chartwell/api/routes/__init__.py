"""One router per resource; each route declares its permission and calls one service."""
