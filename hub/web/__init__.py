"""The web pages served next to the API: ``/`` and the ``/roadmap`` page (``hub.web.routes``),
and the files they share with the HTML report (``hub.web.assets``)."""
