{% autoescape off %}// The service worker of retrofit (consultations/views/offline.py); its code is static/js/sw.js.
self.RETROFIT_SW = {version: "{{ version }}", queue: "{{ queue|escapejs }}", shell: [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}]};
importScripts("{{ code|escapejs }}");
{% endautoescape %}
