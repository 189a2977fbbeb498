"""The pure LTI rules: roles from claims, what a link points to, progress as an AGS score."""
import datetime as dt

from lms.core import lti

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


def test_lti_roles_become_lms_roles():
    assert lti.lms_roles([M + "Learner"]) == {"learner"}
    assert lti.lms_roles([M + "Instructor"]) == {"trainer"}
    assert lti.lms_roles(["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"]) \
        == {"trainer"}
    assert lti.lms_roles(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator",
                          M + "Instructor"]) == {"admin", "trainer"}
    assert lti.lms_roles(["Instructor"]) == {"trainer"}  # the short names of LTI 1.1 and some platforms
    assert lti.lms_roles(["http://purl.imsglobal.org/vocab/lis/v2/system/person#User"]) == {"learner"}
    assert lti.lms_roles([]) == {"learner"}
    assert lti.lms_roles([M + "Mentor"]) == {"learner"}  # a mentor sees, but does not train


def test_a_link_points_to_a_course_or_a_module_by_its_custom_parameters_or_its_query():
    assert lti.target_of({"lms_course": "sample", "lms_module": "01-basics"}, None) == lti.Target("sample", "01-basics")
    assert lti.target_of({}, "https://lms.example.com/training/lti/launch?lms_course=sample") == lti.Target("sample")
    assert lti.target_of({"lms_course": "$Canvas.course.id"}, None) is None  # not substituted: no value
    assert lti.target_of(None, "https://lms.example.com/training/lti/launch") is None
    assert lti.Target("sample", "01-basics").resource_id == "sample/01-basics"
    assert lti.deep_link_custom(lti.Target("sample")) == {"lms_course": "sample"}


def test_progress_becomes_an_ags_score():
    when = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    halfway = lti.ags_score(lti.Progress(1, 2, True, False), "u1", when)
    assert halfway == {"userId": "u1", "scoreGiven": 50.0, "scoreMaximum": 100.0, "activityProgress": "InProgress",
                       "gradingProgress": "Pending", "timestamp": "2026-12-03T10:00:00.000Z"}
    done = lti.ags_score(lti.Progress(2, 2, True, True), "u1", when)
    assert (done["scoreGiven"], done["activityProgress"], done["gradingProgress"]) == (100.0, "Completed", "FullyGraded")
    scored = lti.ags_score(lti.Progress(3, 3, True, True, score=72.5), "u1", when)
    assert scored["scoreGiven"] == 72.5
    waiting = lti.ags_score(lti.Progress(2, 3, True, False, awaiting_review=True), "u1", when)
    assert (waiting["activityProgress"], waiting["gradingProgress"]) == ("Submitted", "PendingManual")
    assert lti.ags_score(lti.Progress(0, 3, False, False), "u1", when)["activityProgress"] == "Initialized"


def test_the_origins_that_may_frame_the_tool():
    assert lti.frame_ancestors(["https://moodle.example.com/mod/lti/auth.php", "https://moodle.example.com",
                                "javascript:alert(1)", None, "https://canvas.instructure.com"]) == [
        "https://moodle.example.com", "https://canvas.instructure.com"]


def test_line_items_and_members():
    item = lti.line_item(lti.Target("sample", "01-basics"), "Basics", "link-1")
    assert item == {"scoreMaximum": 100.0, "label": "Basics", "resourceId": "sample/01-basics", "tag": "lms",
                    "resourceLinkId": "link-1"}
    assert lti.member_active({"status": "Active"}) and lti.member_active({})
    assert not lti.member_active({"status": "Inactive"})
