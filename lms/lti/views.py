"""The LTI 1.3 tool's routes (under ``<prefix>/lti``).

Public, for platforms: the tool's key set (``jwks``), its configuration (``config``: a Canvas
developer key JSON and the values Moodle asks for), the OIDC login initiation (``login``) and the
launch (``launch``); the last two are cross-site requests from the platform, exempt from CSRF
(the signed launch is the proof: signature, state, nonce, deployment and expiry are checked).
For instructors after a deep linking launch: the catalogue to place a course or module from.
For trainers: the platform courses they launched from and "Import roster". For administrators:
the registered platforms.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.lineitem import LineItem
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector
from requests import RequestException
from sqlalchemy import func, select

from ..core import lti as rules
from ..i18n import _
from ..links import absolute_url
from ..models import Course, CourseVersion
from ..services import learning
from ..state import db_session
from ..web import csrf_exempt, public, rate_limited, roles_required
from . import scores, service
from .forms import DeepLinkForm, EmptyForm, PlatformForm
from .models import LtiAccount, LtiContext, LtiLaunch, LtiPlatform
from .session import (
    allow_framing,
    embedded,
    frame_headers,
    lti_identity,
    open_lti_session,
    set_lti_session,
)
from .tool import (
    DatabaseToolConf,
    LtiCookieService,
    LtiRequest,
    TimeoutSession,
    find_platform,
    jwks,
    launch_data_storage,
    purge_expired,
    registration_of,
)

bp = Blueprint("lti", __name__, url_prefix="/lti")
#: login initiations and launches per client address (``LMS_LTI_RATE_LIMIT``): a whole store behind one
#: address may launch at once, a script hammering the signature checks may not
lti_rate = rate_limited("LMS_LTI_RATE_LIMIT", "lti")
scores.listen()


@bp.record_once
def install(setup_state: BlueprintSetupState) -> None:
    """Wire the LTI session into the app: the identity source, the CSRF seed (first of the app's
    ``before_request`` functions, so the host's own CSRF check sees it too), the framing headers,
    and the scores sent after a request (the host's CSRF check skips the platform's POSTs: lms.extension)."""
    app = setup_state.app
    app.extensions["lms"].identity_sources.append(lti_identity)
    app.before_request_funcs.setdefault(None, []).insert(0, open_lti_session)
    app.after_request_funcs.setdefault(None, []).append(frame_headers)
    app.teardown_request_funcs.setdefault(None, []).append(scores.send_queued_after_request)


@bp.app_context_processor
def embedded_flag() -> dict[str, Any]:
    return {"lms_embedded": embedded()}


# -- what platforms read ---------------------------------------------------------------------
@bp.get("/jwks.json", endpoint="jwks")
@public
def jwks_json() -> ResponseReturnValue:
    response = jsonify(jwks())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def tool_urls() -> dict[str, str]:
    return {"login": absolute_url("lms.lti.login"), "launch": absolute_url("lms.lti.launch"),
            "jwks": absolute_url("lms.lti.jwks"), "config": absolute_url("lms.lti.config"),
            "deep_link": absolute_url("lms.lti.launch")}


@bp.get("/config")
@public
def config() -> ResponseReturnValue:
    """The tool's configuration: Canvas reads it as a developer key ("Enter URL"); the ``moodle``
    section lists what Moodle's "Configure a tool manually" form asks for."""
    urls = tool_urls()
    title = current_app.config.get("LMS_ORGANISATION") or "LMS"
    domain = urls["launch"].split("/")[2]
    canvas = {
        "title": f"{title} training",
        "description": "Courses and modules of the LMS, launched with LTI 1.3 (grades and rosters included).",
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": [*rules.AGS_SCOPES, rules.NRPS_SCOPE],
        "extensions": [{
            "domain": domain, "platform": "canvas.instructure.com", "privacy_level": "public",
            "settings": {"placements": [
                {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["launch"]},
                {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
                 "target_link_uri": urls["launch"]},
            ]},
        }],
        "custom_fields": {},
    }
    canvas["moodle"] = {
        "Tool URL": urls["launch"], "LTI version": "LTI 1.3", "Public key type": "Keyset URL",
        "Public keyset": urls["jwks"], "Initiate login URL": urls["login"], "Redirection URI(s)": urls["launch"],
        "Supports Deep Linking (Content-Item Message)": True, "Content Selection URL": urls["launch"],
    }
    return jsonify(canvas)


# -- the launch ------------------------------------------------------------------------------
REFUSALS = {
    "state": (400, lambda: _("This launch did not start here, or it took too long. Open the link in your "
                             "course again.")),
    "nonce": (400, lambda: _("This launch is not valid any more. Open the link in your course again.")),
    "replay": (400, lambda: _("This launch was used already. Open the link in your course again.")),
    "signature": (400, lambda: _("The platform's signature on this launch is not valid. Ask your administrator to "
                                 "check the platform's key set URL registered in the LMS.")),
    "expired": (400, lambda: _("This launch has expired. Open the link in your course again.")),
    "deployment": (403, lambda: _("This installation of the tool is not registered in the LMS. Ask your "
                                  "administrator to add its deployment ID to the platform's registration.")),
    "platform": (403, lambda: _("This platform is not registered in the LMS. Ask your administrator to register "
                                "it (issuer and client ID).")),
    "target": (404, lambda: _("The course or module this link points to is not in the catalogue any more. Ask "
                              "your instructor to choose it again.")),
    "role": (403, lambda: _("Only instructors can choose what to place in a course.")),
    "invalid": (400, lambda: _("This launch could not be checked. Open the link in your course again.")),
}


def reason_of(exc: Exception) -> str:
    """Which refusal an error of pylti1p3 (or PyJWT within it) is."""
    text = str(exc).lower()
    for needle, reason in (("state", "state"), ("cookie", "state"), ("nonce", "nonce"), ("expired", "expired"),
                           ("deployment", "deployment"), ("registration", "platform"), ("client id", "platform"),
                           ("issuer", "platform"), ("signature", "signature"), ("public key", "signature"),
                           ("kid", "signature"), ("decode", "signature")):
        if needle in text:
            return reason
    return "invalid"


def refuse(reason: str) -> ResponseReturnValue:
    code, message = REFUSALS[reason]
    g.lms_embedded = True
    response = make_response(render_template("lms/lti/refused.html", code=code, reason=reason,
                                             title=_("This launch was refused"), message=message()), code)
    allow_framing(response, "*")  # a refusal is shown inside any platform's frame; it offers no action
    return response


@bp.route("/login", methods=["GET", "POST"])
@public
@csrf_exempt  # a platform starts the login (third-party initiated login, OpenID Connect)
@lti_rate
def login() -> ResponseReturnValue:
    params = request.values
    if find_platform(params.get("iss"), params.get("client_id")) is None:
        return refuse("platform")
    target = params.get("target_link_uri") or ""
    ours = absolute_url("lms.lti.launch")
    if target and not target.split("?", 1)[0].rstrip("/").endswith(url_for("lms.lti.launch").rstrip("/")):
        return refuse("invalid")
    purge_expired()
    oidc = FlaskOIDCLogin(LtiRequest(), DatabaseToolConf(), cookie_service=LtiCookieService(LtiRequest()),
                          launch_data_storage=launch_data_storage())
    try:
        response = oidc.redirect(ours)
    except (OIDCException, LtiException) as exc:
        db_session().rollback()
        return refuse(reason_of(exc))
    db_session().commit()
    return response


def message_launch() -> FlaskMessageLaunch:
    launch = FlaskMessageLaunch(LtiRequest(), DatabaseToolConf(), cookie_service=LtiCookieService(LtiRequest()),
                                launch_data_storage=launch_data_storage(), requests_session=TimeoutSession())
    # an id token must say when it expires (PyJWT checks exp and iat then)
    launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})  # type: ignore[dict-item]
    return launch


@bp.post("/launch")
@public
@csrf_exempt  # the platform's form POST: the signed id token is the proof
@lti_rate
def launch() -> ResponseReturnValue:
    session = db_session()
    try:
        message = message_launch()
        claims: dict[str, Any] = dict(message.get_launch_data())
    except (LtiException, OIDCException) as exc:
        session.rollback()
        current_app.logger.info("LTI: launch refused: %s", exc)
        return refuse(reason_of(exc))
    except Exception as exc:  # PyJWT's own errors escape pylti1p3 in places
        session.rollback()
        current_app.logger.info("LTI: launch refused: %s", exc)
        return refuse(reason_of(exc))
    platform = find_platform(claims.get("iss"), message.get_client_id())
    if platform is None:
        session.rollback()
        return refuse("platform")
    expires = dt.datetime.fromtimestamp(int(claims.get("exp") or 0), dt.UTC)
    if not service.use_nonce(session, f"{platform.id}:{claims.get('nonce')}", expires):
        session.rollback()
        return refuse("replay")
    person = service.person_of(claims)
    if not person.sub:
        session.rollback()
        return refuse("invalid")
    user = service.account_for(session, platform, person)
    context = service.context_for(session, platform, claims)
    origins = rules.frame_ancestors([request.headers.get("Origin"), platform.issuer, platform.auth_login_url,
                                     platform.auth_token_url])
    if message.is_deep_link_launch():
        if not rules.is_instructor(person.roles):
            session.rollback()
            return refuse("role")
        record = service.record_launch(session, platform, user, person, claims, context, None, None)
        session.commit()
        response = redirect(url_for(".deep_link", launch_id=message.get_launch_id()))
        set_lti_session(response, user.id, record.id, origins)
        return response
    target = rules.target_of(claims.get(rules.CUSTOM_CLAIM), claims.get(rules.TARGET_LINK_CLAIM))
    found = service.published_course(session, target.course) if target else None
    if target is None or found is None or (target.module and not service.module_exists(found[1], target.module)):
        session.commit()  # the person and the used nonce stay
        return refuse("target")
    course, version = found
    record = service.record_launch(session, platform, user, person, claims, context, course, target.module)
    language = learning.pick_language(version.manifest, user.locale)
    enrollment = learning.ensure_enrollment(session, user, course, version, language)
    scores.queue(session, record)
    session.commit()
    response = redirect(landing(course.slug, version, enrollment.language, target.module, session, enrollment))
    set_lti_session(response, user.id, record.id, origins)
    return response


def landing(slug: str, version: CourseVersion, language: str, module: str | None, session: Any,
            enrollment: Any) -> str:
    """Where a launch opens: the linked module's first activity not yet done (else its first), or
    the course's page."""
    if module is None:
        return url_for("lms.learn.course", slug=slug)
    from ..learn.pages import activity_url

    language = learning.pick_language(version.manifest, language)
    progress = learning.progress_of(session, enrollment, version.manifest, language)
    edition = version.manifest["editions"][language]
    keys = [a["key"] for m in edition["modules"] if m["slug"] == module for a in m["activities"]]
    if not keys:
        return url_for("lms.learn.course", slug=slug)
    pending = [k for k in keys if k in progress.activities and progress.activities[k].counted
               and not progress.activities[k].met]
    return activity_url(slug, (pending or keys)[0])


# -- deep linking ------------------------------------------------------------------------------
def restored_launch(launch_id: str) -> FlaskMessageLaunch:
    if not launch_id.startswith("lti1p3-launch-") or len(launch_id) > 80:
        abort(404)
    try:
        return cast(FlaskMessageLaunch, FlaskMessageLaunch.from_cache(launch_id, LtiRequest(), DatabaseToolConf(),
                                             cookie_service=LtiCookieService(LtiRequest()),
                                             launch_data_storage=launch_data_storage(),
                                             requests_session=TimeoutSession()))
    except LtiException:
        abort(404)


def catalogue(session: Any) -> list[dict[str, Any]]:
    """Published courses and their modules, titled in the reader's language where there is one."""
    rows = session.execute(select(Course, CourseVersion).join(CourseVersion, CourseVersion.id ==
                                                              Course.published_version_id)
                           .where(Course.archived.is_(False)).order_by(Course.slug)).all()
    courses = []
    for course, version in rows:
        language = learning.pick_language(version.manifest, g.lms_user.locale)
        edition = version.manifest["editions"][language]
        courses.append({"slug": course.slug, "title": edition["title"],
                        "modules": [{"slug": m["slug"], "title": m["title"]} for m in edition["modules"]]})
    return courses


@bp.route("/deep-link/<launch_id>", methods=["GET", "POST"])
def deep_link(launch_id: str) -> ResponseReturnValue:
    if not g.lms_user.has_role("trainer"):
        abort(403)
    message = restored_launch(launch_id)
    claims: dict[str, Any] = dict(message.get_launch_data())
    platform = find_platform(claims.get("iss"), message.get_client_id())
    # the launch is this person's own, from a platform still registered
    if platform is None or str(claims.get("sub")) not in platform_subs(platform, g.lms_user.id):
        abort(404)
    session = db_session()
    courses = catalogue(session)
    titles = {c["slug"]: c["title"] for c in courses}
    choices = []
    for course in courses:
        choices.append((course["slug"], course["title"]))
        choices.extend((f"{course['slug']}/{m['slug']}", f"{course['title']}: {m['title']}")
                       for m in course["modules"])
    form = DeepLinkForm()
    form.target.choices = choices
    if form.validate_on_submit():
        slug, _sep, module = form.target.data.partition("/")
        target = rules.Target(slug, module or None)
        label = dict(choices)[form.target.data]
        resource = (DeepLinkResource().set_url(absolute_url("lms.lti.launch")).set_title(label)
                    .set_custom_params(rules.deep_link_custom(target))
                    .set_lineitem(LineItem().set_score_maximum(rules.SCORE_MAXIMUM).set_label(label)
                                  .set_resource_id(target.resource_id).set_tag(rules.LINE_ITEM_TAG)))
        deep_link_ = message.get_deep_link()
        token = deep_link_.get_response_jwt([resource])
        return_url = claims[rules.DEEP_LINKING_CLAIM]["deep_link_return_url"]
        response = make_response(render_template("lms/lti/deep_link_return.html", return_url=return_url,
                                                 token=token, label=label))
        origins = (g.get("lms_lti") or {}).get("f", [])
        allow_framing(response, " ".join(["'self'", *origins]), form_action=rules.origin_of(return_url) or "")
        return response
    return render_template("lms/lti/deep_link.html", form=form, courses=courses, titles=titles,
                           settings=claims.get(rules.DEEP_LINKING_CLAIM) or {})


def platform_subs(platform: LtiPlatform, user_id: int) -> set[str]:
    return set(db_session().scalars(select(LtiAccount.sub).where(LtiAccount.platform_id == platform.id,
                                                                 LtiAccount.user_id == user_id)))


# -- rosters -----------------------------------------------------------------------------------
@bp.get("/courses")
@roles_required("trainer")
def contexts() -> ResponseReturnValue:
    session = db_session()
    return render_template("lms/lti/contexts.html", contexts=service.contexts_of(session, g.lms_user),
                           form=EmptyForm())


@bp.post("/courses/<int:context_id>/roster")
@roles_required("trainer")
def import_roster(context_id: int) -> ResponseReturnValue:
    session = db_session()
    context = session.get(LtiContext, context_id)
    if context is None or not service.may_import(session, g.lms_user, context):
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not context.memberships_url:
        flash(_("This platform did not offer its course's roster (Names and Role Provisioning Services) in "
                "the launch."), "error")
        return redirect(url_for(".contexts"))
    connector = ServiceConnector(registration_of(context.platform), TimeoutSession())
    nrps = NamesRolesProvisioningService(connector, {"context_memberships_url": context.memberships_url})
    try:
        members = nrps.get_members()
    except (LtiException, RequestException, ValueError) as exc:
        current_app.logger.warning("LTI: the roster of context %s could not be read: %s", context.id, exc)
        flash(_("The platform did not give the roster. Try again later."), "error")
        return redirect(url_for(".contexts"))
    result = service.import_roster(session, context, members[:5000], g.lms_user)
    session.commit()
    flash(_("Roster imported into the group %(group)s: %(added)s added, %(updated)s updated.",
            group=result.group.name, added=result.added, updated=result.updated), "success")
    return redirect(url_for(".contexts"))


# -- platforms (administrators) ------------------------------------------------------------------
PLATFORM_ERRORS = {
    "required": lambda: _("Fill in the issuer, the client ID, the deployment IDs and the three URLs."),
    "url": lambda: _("The URLs must start with https:// (or http:// for a test platform)."),
    "deployment": lambda: _("Give at least one deployment ID."),
    "duplicate": lambda: _("A platform with this issuer and client ID is registered already."),
}


@bp.route("/platforms", methods=["GET", "POST"])
@roles_required("admin")
def platforms() -> ResponseReturnValue:
    session = db_session()
    form = PlatformForm()
    if form.validate_on_submit():
        try:
            service.save_platform(session, form.data)
        except service.PlatformError as exc:
            session.rollback()
            flash(PLATFORM_ERRORS[exc.code](), "error")
        else:
            session.commit()
            flash(_("The platform is registered."), "success")
            return redirect(url_for(".platforms"))
    return render_template("lms/lti/platforms.html", form=form, platforms=service.platforms(session),
                           urls=tool_urls(), delete_form=EmptyForm(), launches=launch_counts(session))


def launch_counts(session: Any) -> dict[int, int]:
    return dict(session.execute(select(LtiLaunch.platform_id, func.count()).group_by(LtiLaunch.platform_id)).all())


@bp.route("/platforms/<int:platform_id>", methods=["GET", "POST"])
@roles_required("admin")
def platform(platform_id: int) -> ResponseReturnValue:
    session = db_session()
    found = session.get(LtiPlatform, platform_id)
    if found is None:
        abort(404)
    form = PlatformForm(obj=found) if request.method == "GET" else PlatformForm()
    if request.method == "GET":
        form.deployment_ids.data = "\n".join(found.deployment_ids or [])
    if form.validate_on_submit():
        try:
            service.save_platform(session, form.data, found)
        except service.PlatformError as exc:
            session.rollback()
            flash(PLATFORM_ERRORS[exc.code](), "error")
        else:
            session.commit()
            flash(_("The platform's registration is saved."), "success")
            return redirect(url_for(".platforms"))
    return render_template("lms/lti/platform.html", form=form, platform=found)


@bp.post("/platforms/<int:platform_id>/delete")
@roles_required("admin")
def delete_platform(platform_id: int) -> ResponseReturnValue:
    session = db_session()
    found = session.get(LtiPlatform, platform_id)
    if found is None:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    session.delete(found)
    session.commit()
    flash(_("The platform is removed: its launches are refused from now on."), "success")
    return redirect(url_for(".platforms"))

