"""Pages and other text go gzipped to a browser that accepts it; files already compressed go as they are.

A street dashboard is about 300 KB of HTML and 25 KB gzipped: over slow 4G (1.6 Mbit/s) that is 1.5 s
against 0.1 s (docs/benchmarks.md, page weight). Static files never come here: whitenoise, above in
MIDDLEWARE, answers them itself with its precompressed brotli or gzip copies.

Django's GZipMiddleware pads each response with random bytes (the "Heal the BREACH" mitigation) and
CSRF tokens are masked per response, so compressing pages that carry a token is safe. Spreadsheets,
PDFs, photos and scans are zip or image data already: gzipping them again costs the server and saves
nothing, and would take a download's Content-Length away.
"""

from django.middleware.gzip import GZipMiddleware

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "application/xml", "image/svg+xml",
                "application/manifest+json")


class TextGZipMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        kind = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not kind.startswith(COMPRESSIBLE):
            return response
        return super().process_response(request, response)
