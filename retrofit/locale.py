"""The interface language: Simplified Chinese unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language, so a phone set to English got the whole
interface in English with no way back. Here the browser's list is not read: the language is the one chosen
with the switch in the menu (Django's ``set_language`` view, kept in the ``django_language`` cookie), else
``settings.LANGUAGE_CODE`` (zh-hans)."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def chosen_language(request) -> str:
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        translation.activate(chosen_language(request))
        request.LANGUAGE_CODE = translation.get_language()
