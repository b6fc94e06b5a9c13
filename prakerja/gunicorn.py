"""gunicorn's settings for the portal: ``gunicorn -c python:prakerja.gunicorn prakerja.wsgi``.

Only what concerns personal data lives here; the number of workers and the address are given on the command line
(Procfile, docs/DEPLOY.md). gunicorn writes its access log outside Django, so the masking of ``LOGGING``
(prakerja/redaction.py) does not reach it. Its default line would keep:
- the query string, which carries a phone number on the demo inbox (``?to=``) and whatever a visitor types;
- the Referer, which carries the previous page's query string;
- secrets in the path: the email verification, email change and password reset links put their token there
  (accounts/urls.py), and a token read from a log opens the account as surely as one read from the database.
So the line here has the method, the path with long token-like segments and personal-looking values masked,
the status, the size, the time taken and the user agent, and nothing else from the request.
"""

import re

from gunicorn.glogging import Logger

from prakerja.redaction import pii_redact

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'

# A path segment that looks like a token: long, and with a digit or a signing separator in it. The portal's own
# path words (kebijakan-privasi, syarat-dan-ketentuan, konfirmasi-kata-sandi) have none; ids are short numbers.
_TOKEN_SEGMENT = re.compile(r"(?<=/)(?=[^/]*[\d:])[^/]{16,}")


def path_private(path: str) -> str:
    """``path`` as the access log may keep it: token-like segments hidden, NIKs, KKs, numbers, emails masked."""
    return pii_redact(_TOKEN_SEGMENT.sub("…", path or ""))


class PrivateAccessLogger(Logger):
    """gunicorn's logger, with the request's path made private and no query string, request line or Referer."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = path_private(environ.get("PATH_INFO", ""))
        atoms.update(U=path, q="", f="-", r=f"{environ.get('REQUEST_METHOD')} {path} {environ.get('SERVER_PROTOCOL')}")
        # Headers and the environ are also offered to the format as {name}i / {name}e: none of them may be used.
        for key in [key for key in atoms if key.startswith("{")]:
            del atoms[key]
        return atoms


logger_class = PrivateAccessLogger
