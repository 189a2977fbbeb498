"""Routes for certificates: mine, PDF and badge downloads, public verification, HR pages."""
from __future__ import annotations

import datetime as dt
import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date
from sqlalchemy import select

from ..core import certificates as core
from ..core import open_badges as badges
from ..i18n import _, current_language, text_direction
from ..links import absolute_url, public_base, public_host
from ..links import verify_url as verify_address
from ..models import Certificate, Course, User
from ..services import certificates as service
from ..services import groups
from ..state import db_session
from ..web import NavItem, add_nav_item, public, rate_limited, render_error, roles_required
from .forms import RevokeForm
from .pdf import render
from .signing import issuer_key

bp = Blueprint("certificates", __name__)

add_nav_item(bp, NavItem("lms.certificates.mine", lambda: _("My certificates"), (), order=10))
add_nav_item(bp, NavItem("lms.certificates.expiring", lambda: _("Expiring certificates"), ("hr", "trainer"), order=70))


verify_rate = rate_limited("LMS_VERIFY_RATE_LIMIT", "verify")


def organisation() -> str:
    return current_app.config.get("LMS_ORGANISATION") or public_host()


def verify_url(certificate: Certificate) -> str:
    return verify_address(certificate.serial)


def may_see(certificate: Certificate) -> bool:
    """HR and admins see every certificate; a trainer those of results they oversee
    (:func:`lms.services.groups.oversees`: a learner of their group, a course assigned
    through it or by them); everyone their own."""
    viewer = g.lms_user
    if certificate.user_id == viewer.id or viewer.has_role("hr"):
        return True
    return bool(db_session().scalar(select(groups.oversees(viewer, certificate.user_id, certificate.course_id))))


def own_or_404(serial: str) -> Certificate:
    """A certificate the current user may download: their own, or one of a learner they oversee."""
    certificate = service.find(db_session(), serial)
    if certificate is None or not may_see(certificate):
        abort(404)
    return certificate


def renew_and_commit() -> None:
    """Expired certificates start a new cycle when anyone lists them (cron does it too)."""
    session = db_session()
    if service.renew_expired(session):
        session.commit()


@bp.get("/certificates/")
def mine() -> ResponseReturnValue:
    renew_and_commit()
    certificates = service.certificates_of(db_session(), g.lms_user.id)
    return render_template("lms/certificates/mine.html", certificates=certificates, status_of=service.status_of)


# -- PDF ----------------------------------------------------------------------
def sheet_for(certificate: Certificate) -> core.Sheet:
    language = current_language()
    return core.Sheet(
        heading=certificate.title or _("Certificate"),
        intro=_("This certifies that"),
        holder=certificate.holder_name,
        completed_line=_("has successfully completed the course"),
        course=certificate.course_title,
        date_label=_("Date"),
        date=format_date(certificate.issued_at, "long"),
        organisation_label=_("Organisation"),
        organisation=current_app.config.get("LMS_ORGANISATION") or "",
        trainer_label=_("Trainer"),
        trainer=certificate.trainer_name,
        serial_label=_("Serial number"),
        serial=certificate.serial,
        verify_label=_("Scan to verify"),
        verify_url=verify_url(certificate),
        expires_label=_("Valid until"),
        expires=format_date(certificate.expires_at, "long") if certificate.expires_at else "",
        rtl=text_direction(language) == "rtl",
        revoked=_("Revoked on %(date)s", date=format_date(certificate.revoked_at, "long"))
        if certificate.revoked_at else "",
    )


@bp.get("/certificates/<serial>.pdf")
def pdf(serial: str) -> ResponseReturnValue:
    certificate = own_or_404(serial)
    response = Response(render(sheet_for(certificate)), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="certificate-{certificate.serial}.pdf"'
    response.cache_control.private = True
    return response


# -- Open Badges 3.0 ------------------------------------------------------------
def issuer_id() -> str:
    return absolute_url("lms.certificates.issuer")


def key_url(algorithm: str) -> str:
    """Where the public key for ``algorithm`` is published as a JWK (the JWT header's ``kid``)."""
    return absolute_url("lms.certificates.issuer_jwk" if algorithm == "EdDSA" else "lms.certificates.issuer_rsa_jwk")


def status_url(certificate: Certificate) -> str:
    return absolute_url("lms.certificates.status", serial=certificate.serial)


def require_public_url() -> None:
    """A credential's addresses come from ``LMS_PUBLIC_URL``, never from the request's Host header:
    without it, no credential is issued (a clear page says why)."""
    if public_base() is None:
        abort(current_app.make_response(render_error(
            503, _("Badges are not available yet"),
            _("The administrator has to set the site's public address (LMS_PUBLIC_URL) first: "
              "every address in a badge is built from it."))))


def credential_for(certificate: Certificate) -> dict:
    session = db_session()
    course = session.get(Course, certificate.course_id)
    holder = session.get_one(User, certificate.user_id)
    rule = service.rule_of(course.published_version) if course and course.published_version else {}
    description = rule.get("description") or _("Completed the course “%(course)s”.", course=certificate.course_title)
    subject = service.credential_subject(session, holder)
    session.commit()  # the subject id, given once, is kept
    return badges.credential(
        credential_id=verify_url(certificate), issuer_id=issuer_id(), issuer_name=organisation(),
        issuer_url=absolute_url("lms.learn.home"),
        achievement_id=absolute_url("lms.learn.course", slug=course.slug) if course else issuer_id(),
        achievement_name=certificate.course_title, achievement_description=description,
        criteria=_("Complete every module of the course, pass its quizzes and role-plays."),
        subject_id=subject, holder_email=holder.email, serial=certificate.serial,
        valid_from=certificate.issued_at, valid_until=certificate.expires_at,
        name=certificate.title or certificate.course_title, status_url=status_url(certificate),
    )


def revoked_response(certificate: Certificate) -> ResponseReturnValue:
    """What a revoked certificate's badge address gives instead of a fresh credential: 410 and its status."""
    return current_app.response_class(json.dumps(status_list(certificate), ensure_ascii=False), status=410,
                                      mimetype="application/json")


@bp.get("/certificates/<serial>/badge.json")
def badge_json(serial: str) -> ResponseReturnValue:
    certificate = own_or_404(serial)
    require_public_url()
    if certificate.revoked_at is not None:
        return revoked_response(certificate)
    response = current_app.response_class(json.dumps(credential_for(certificate), ensure_ascii=False, indent=2),
                                          mimetype="application/ld+json")
    response.headers["Content-Disposition"] = f'attachment; filename="badge-{certificate.serial}.json"'
    return response


@bp.get("/certificates/<serial>/badge.jwt")
def badge_jwt(serial: str) -> ResponseReturnValue:
    """The Open Badge as a signed JWT: RS256 (the specification's minimum), or EdDSA with ``?alg=EdDSA``;
    each checkable with the key its header's ``kid`` points at."""
    certificate = own_or_404(serial)
    require_public_url()
    algorithm = request.args.get("alg", "RS256")
    if algorithm not in badges.ALGORITHMS:
        abort(404)
    if certificate.revoked_at is not None:
        return revoked_response(certificate)
    token = badges.sign(credential_for(certificate), issuer_key(algorithm), kid=key_url(algorithm))
    response = current_app.response_class(token, mimetype="application/vc+jwt")
    suffix = "" if algorithm == "RS256" else "-eddsa"
    response.headers["Content-Disposition"] = f'attachment; filename="badge-{certificate.serial}{suffix}.jwt"'
    return response


def jwk_response(algorithm: str) -> ResponseReturnValue:
    jwk = badges.public_jwk(issuer_key(algorithm).public_key(), kid=key_url(algorithm))
    response = current_app.response_class(json.dumps(jwk), mimetype="application/jwk+json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # a verifier's page may fetch it
    return response


@bp.get("/certificates/issuer.jwk")
@public
def issuer_jwk() -> ResponseReturnValue:
    """The public Ed25519 key that signs EdDSA badges, as a JWK."""
    return jwk_response("EdDSA")


@bp.get("/certificates/issuer-rsa.jwk")
@public
def issuer_rsa_jwk() -> ResponseReturnValue:
    """The public RSA key that signs RS256 badges, as a JWK."""
    return jwk_response("RS256")


@bp.get("/certificates/jwks.json")
@public
def jwks() -> ResponseReturnValue:
    """Both public keys as a JWK Set (RFC 7517)."""
    keys = [badges.public_jwk(issuer_key(a).public_key(), kid=key_url(a)) for a in badges.ALGORITHMS]
    response = current_app.response_class(json.dumps({"keys": keys}), mimetype="application/jwk-set+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/certificates/issuer.json")
@public
def issuer() -> ResponseReturnValue:
    """The issuer's Open Badges profile."""
    profile = badges.profile(issuer_id(), organisation(), absolute_url("lms.learn.home"))
    return current_app.response_class(json.dumps(profile, ensure_ascii=False), mimetype="application/ld+json")


def status_list(certificate: Certificate) -> dict:
    revoked = [verify_url(certificate)] if certificate.revoked_at is not None else []
    return badges.revocation_list(status_url(certificate), issuer_id(), revoked)


@bp.get("/verify/<serial>/status.json")
@public
@verify_rate
def status(serial: str) -> ResponseReturnValue:
    """A credential's status (the 1EdTech Revocation List named in its ``credentialStatus``): its id is
    listed when the certificate was revoked. Public, as the verification page."""
    certificate = service.find(db_session(), serial)
    if certificate is None:
        abort(404)
    response = current_app.response_class(json.dumps(status_list(certificate)), mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.cache_control.max_age = 300
    return response


# -- public verification -------------------------------------------------------
def verification(certificate: Certificate) -> dict:
    """What anyone may learn from a serial: the state, the holder, the course and the dates."""
    def day(moment: dt.datetime | None) -> str | None:
        return moment.date().isoformat() if moment else None

    return {
        "serial": certificate.serial,
        "status": service.status_of(certificate),
        "holder": certificate.holder_name,
        "course": certificate.course_title,
        "issued": day(certificate.issued_at),
        "expires": day(certificate.expires_at),
        "revoked": day(certificate.revoked_at),
    }


def verify_response(serial: str, as_json: bool) -> ResponseReturnValue:
    certificate = service.find(db_session(), serial)
    if as_json:
        if certificate is None:
            return {"status": "not_found"}, 404
        return verification(certificate)
    if certificate is None:
        abort(404)
    return render_template("lms/certificates/verify.html", certificate=certificate, info=verification(certificate))


@bp.get("/verify/<serial>")
@public
@verify_rate
def verify(serial: str) -> ResponseReturnValue:
    return verify_response(serial, request.args.get("format") == "json")


@bp.get("/verify/<serial>.json")
@public
@verify_rate
def verify_json(serial: str) -> ResponseReturnValue:
    return verify_response(serial, True)


# -- HR and trainers -----------------------------------------------------------
@bp.get("/certificates/expiring")
@roles_required("hr", "trainer")
def expiring() -> ResponseReturnValue:
    renew_and_commit()
    session = db_session()
    rows = [c for c in service.expiring(session) if may_see(c)]
    return render_template("lms/certificates/expiring.html", certificates=rows)


@bp.get("/certificates/people/<int:user_id>")
@roles_required("hr", "trainer")
def person(user_id: int) -> ResponseReturnValue:
    session = db_session()
    # HR and admins see everyone; a trainer a learner of their groups, and of their
    # certificates only those of courses assigned through those groups or by the trainer
    if g.lms_user.has_role("hr"):
        person, visible = session.get(User, user_id), None
    else:
        person = groups.managed_learner(session, g.lms_user, user_id)
        visible = groups.visible_course_ids(session, g.lms_user, user_id) if person is not None else None
    if person is None:
        abort(404)
    renew_and_commit()
    certificates = [c for c in service.certificates_of(session, user_id) if visible is None or c.course_id in visible]
    return render_template("lms/certificates/person.html", person=person,
                           certificates=certificates, status_of=service.status_of,
                           may_revoke=g.lms_user.has_role("hr"), form=RevokeForm())


@bp.post("/certificates/<serial>/revoke")
@roles_required("hr")
def revoke(serial: str) -> ResponseReturnValue:
    session = db_session()
    certificate = service.find(session, serial)
    if certificate is None:
        abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for(".person", user_id=certificate.user_id))
    if service.revoke(session, certificate, g.lms_user, form.reason.data.strip()):
        session.commit()
        flash(_("The certificate %(serial)s is revoked.", serial=certificate.serial), "success")
    return redirect(url_for(".person", user_id=certificate.user_id))

