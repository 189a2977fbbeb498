"""Arguments that fill every route's URL."""


ARGS = {"slug": "sample", "module": "01-basics", "activity": "01-welcome", "serial": "AAAA-AAAA-AAAA-AAAA",
        "token": "not-a-token", "path": "01-basics/images/smile.png", "filename": "lms/lms.css"}
