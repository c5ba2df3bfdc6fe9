"""The web application and REST API (`sabt serve`): FastAPI routes that parse a request, call one
`sabt.Workspace` service method as the signed-in user (or the anonymous public) and render the
answer as HTML or JSON. No permission is checked here: the services decide."""

from sabt.web.app import create_app

__all__ = ["create_app"]
