"""The FastAPI app: REST JSON routes under ``/api`` and, mounted beside them, the pages of
:mod:`chartwell.web`. Build it with :func:`chartwell.api.app.create_app`."""
