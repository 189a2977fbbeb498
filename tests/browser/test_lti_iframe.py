"""A platform's course page frames our tool: the LTI launch runs inside the iframe (cross-site: the
platform on localhost, the tool on 127.0.0.1), the learner lands on the linked module, completes it
and the platform's gradebook receives the score."""
import re

from support.lti import learner_plan, register
from support.lti_platform import Platform


def test_a_learner_launched_in_a_platforms_iframe_completes_the_module(app, live_server, page, sample_course):
    with Platform(live_server + "/training") as platform:
        register(app, platform)
        platform.plans["lena"] = learner_plan()
        page.goto(f"{platform.url}/course/lena")
        frame = page.frame_locator("#tool")
        frame.locator("h1").first.wait_for()
        tool_frame = next(f for f in page.frames if f.url.startswith(live_server))
        assert re.search(r"/training/courses/sample/01-basics/01-welcome$", tool_frame.url)
        assert frame.locator(".lms-bar").count() == 0  # the embedded layout: no site header
        for _lesson in range(2):
            frame.locator("form[action$='/done'] button[type=submit]").first.click()
            page.wait_for_load_state()
        frame.locator("body").wait_for()
        for _attempt in range(50):
            if platform.scores and platform.scores[-1][1]["activityProgress"] == "Completed":
                break
            page.wait_for_timeout(100)
        line_item, score = platform.scores[-1]
        assert score["scoreGiven"] == 100 and score["activityProgress"] == "Completed"
        assert score["userId"] == "student-7"
