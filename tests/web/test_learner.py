"""The learner's path through the test client: what a learner sees and keeps."""
import re

from support import csrf_from


def lesson_url(module: str, activity: str) -> str:
    return f"/training/courses/sample/{module}/{activity}"


def test_anonymous_user_is_sent_to_login(client, sample_course):
    response = client.get("/training/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/training/")


def test_wrong_password_gets_a_friendly_message(client, auth):
    auth.create("learner@example.com")
    response = auth.login("learner@example.com", "not-the-password")
    assert response.status_code == 401
    body = response.get_data(as_text=True)
    assert "Неверный e-mail или пароль" in body or "Wrong e-mail or password" in body
    assert "Traceback" not in body


def test_my_training_lists_assigned_course_with_due_date_and_progress(client, auth, runner, sample_course):
    auth.create("learner@example.com")
    runner.invoke(args=["lms", "assign", "sample", "--to", "learner@example.com", "--due", "2031-12-01"])
    auth.login("learner@example.com")
    page = client.get("/training/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Service basics" in page
    assert "Due Dec 1, 2031" in page
    assert '<progress value="0" max="5"' in page
    assert "Not started" in page


def test_reading_a_lesson_and_marking_it_done_moves_progress(client, auth, sample_course):
    auth.as_role("learner")
    page = client.get(lesson_url("01-basics", "01-welcome"), headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "A smile in your voice" in html
    # the image link was resolved to the course's file route and is served
    image = re.search(r'src="([^"]+smile\.png)"', html).group(1)
    assert client.get(image).headers["Content-Type"] == "image/png"
    # the lesson link in the text points at the next lesson's page
    assert 'href="/training/courses/sample/01-basics/02-speed"' in html
    response = client.post(lesson_url("01-basics", "01-welcome") + "/done", data={"csrf_token": csrf_from(html)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(lesson_url("01-basics", "02-speed"))
    course = client.get("/training/courses/sample/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<progress value="1" max="5"' in course
    assert "In progress" in course


def test_progress_survives_a_new_session_and_resumes_where_left(client, auth, sample_course):
    auth.as_role("learner")
    html = client.get(lesson_url("01-basics", "01-welcome")).get_data(as_text=True)
    client.post(lesson_url("01-basics", "01-welcome") + "/done", data={"csrf_token": csrf_from(html)})
    client.get(lesson_url("01-basics", "02-speed"))
    auth.logout()
    auth.login("learner@example.com")
    home = client.get("/training/").get_data(as_text=True)
    assert 'href="/training/courses/sample/01-basics/02-speed">Продолжить' in home


def test_completing_every_lesson_and_the_role_play_completes_the_course(client, auth, sample_course):
    auth.as_role("learner")
    keys = [("01-basics", "01-welcome"), ("01-basics", "02-speed"), ("02-practice", "01-checklist")]
    for module, activity in keys:
        html = client.get(lesson_url(module, activity)).get_data(as_text=True)
        client.post(lesson_url(module, activity) + "/done", data={"csrf_token": csrf_from(html)})
    course = client.get("/training/courses/sample/").get_data(as_text=True)
    assert '<progress value="3" max="5"' in course and "Вы прошли курс" not in course
    url = lesson_url("02-practice", "02-call")
    client.post(url + "/run", data={"csrf_token": csrf_from(client.get(url).get_data(as_text=True))})
    for reply in ("1", "1"):
        html = client.get(url).get_data(as_text=True)
        run = re.search(r'name="run" value="(\d+)"', html).group(1)
        step = re.search(r'name="step" value="([^"]+)"', html).group(1)
        response = client.post(url + "/reply", data={"csrf_token": csrf_from(html), "run": run, "step": step,
                                                     "reply": reply})
    assert response.status_code == 302
    page = client.get("/training/courses/sample/").get_data(as_text=True)
    assert '<progress value="4" max="5"' in page
    assert "Сдано" in page


def test_marking_done_without_csrf_token_is_refused_and_changes_nothing(client, auth, sample_course):
    auth.as_role("learner")
    client.get(lesson_url("01-basics", "01-welcome"))
    response = client.post(lesson_url("01-basics", "01-welcome") + "/done", data={})
    assert response.status_code == 400
    course = client.get("/training/courses/sample/").get_data(as_text=True)
    assert '<progress value="0"' in course


def test_unknown_course_and_lesson_answer_404_not_500(client, auth, sample_course):
    auth.as_role("learner")
    for url in ["/training/courses/nope/", lesson_url("01-basics", "nope"), lesson_url("99", "x"),
                "/training/courses/sample/files/abcdef123456/01-basics/images/none.png"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Traceback" not in response.get_data(as_text=True)


def test_a_learner_never_sees_another_learners_progress(client, auth, app, sample_course):
    auth.as_role("learner", "anna@example.com", "Анна")
    html = client.get(lesson_url("01-basics", "01-welcome")).get_data(as_text=True)
    client.post(lesson_url("01-basics", "01-welcome") + "/done", data={"csrf_token": csrf_from(html)})
    auth.logout()
    auth.as_role("learner", "boris@example.com", "Борис")
    course = client.get("/training/courses/sample/").get_data(as_text=True)
    assert '<progress value="0"' in course
    assert "Анна" not in course


def test_pages_carry_security_headers_and_no_inline_script(client, auth, sample_course):
    auth.as_role("learner")
    response = client.get(lesson_url("01-basics", "01-welcome"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert " style=" not in html
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_language_follows_accept_language_then_choice(client, auth, sample_course):
    auth.as_role("learner")
    assert "Моё обучение" in client.get("/training/").get_data(as_text=True)
    english = client.get("/training/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "My training" in english
    token = auth.csrf()
    client.post("/training/language", data={"language": "ar", "next": "/training/", "csrf_token": token})
    arabic = client.get("/training/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "تدريبي" in arabic


def test_course_edition_can_be_switched_and_falls_back_per_file(client, auth, sample_course):
    auth.as_role("learner")
    token = auth.csrf("/training/courses/sample/")
    client.post("/training/courses/sample/edition", data={"language": "ar", "csrf_token": token})
    lesson = client.get(lesson_url("01-basics", "01-welcome")).get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in lesson and "ابتسامة في الصوت" in lesson
    fallback = client.get(lesson_url("01-basics", "02-speed")).get_data(as_text=True)
    assert 'lang="en" dir="ltr"' in fallback and "Speed of reply" in fallback


def test_login_is_rate_limited(app, client, auth):
    app.config["LMS_LOGIN_RATE_LIMIT"] = "3 per minute"
    auth.create("learner@example.com")
    codes = [auth.login("learner@example.com", "wrong-password").status_code for _ in range(4)]
    assert codes[:3] == [401, 401, 401]
    assert codes[3] == 429


def test_static_assets_have_fingerprinted_urls_and_long_cache(client, auth, sample_course):
    auth.as_role("learner")
    html = client.get("/training/").get_data(as_text=True)
    css = re.search(r'href="(/training/static/lms/lms\.css\?v=[0-9a-f]{12})"', html).group(1)
    brand = re.search(r'href="(/static/brand\.css\?v=[0-9a-f]{12})"', html).group(1)
    for url in (css, brand):
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.max_age == 31_536_000 and response.cache_control.immutable
        assert not response.cache_control.no_cache, response.headers["Cache-Control"]


def test_passwords_are_hashed_with_scrypt_unless_configured_otherwise(app):
    from lms.site.models import SiteUser

    user = SiteUser(email="x@example.com", name="X")
    with app.app_context():
        app.config.pop("LMS_PASSWORD_HASH_METHOD")
        user.set_password("correct horse battery")
    assert user.password_hash.startswith("scrypt:") and user.check_password("correct horse battery")
