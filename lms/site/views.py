"""The standalone site's pages: home, sign in (a password, or the company's OpenID provider), sign out,
invitations, forgotten passwords, and site-wide errors."""
from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from ..i18n import _
from ..identity import can_invite
from ..links import absolute_url
from ..services.people import accept_invitation, valid_invitation
from ..state import state
from ..urls import safe_next
from ..web import add_fingerprint, cache_static, landing_url, render_error, security_headers, template_context
from . import oidc
from .accounts import identity_of
from .forms import ForgotPasswordForm, InvitationForm, LoginForm, LogoutForm, ResetPasswordForm
from .models import SiteUser, db, verify_password
from .reset import ANSWER_FLOOR, account_for, request_reset, use_token

bp = Blueprint("site", __name__)
#: One limiter for the site; its storage comes from the app's config at init_app.
limiter = Limiter(get_remote_address, default_limits=[], headers_enabled=True)


def login_limit() -> str:
    return current_app.config["LMS_LOGIN_RATE_LIMIT"]


def landing() -> str:
    """Where the signed-in account starts: a trainer's groups, HR's reports, a learner's training."""
    return landing_url(identity_of(current_user).roles)


@bp.get("/")
def home() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(landing())
    return render_template("site/home.html")


def password_login() -> bool:
    """Whether people may sign in with a password of the site (``LMS_PASSWORD_LOGIN``)."""
    return bool(current_app.config["LMS_PASSWORD_LOGIN"])


def login_page(form: LoginForm) -> str:
    return render_template("site/login.html", form=form, password_login=password_login(),
                           oidc_enabled=oidc.enabled(), oidc_name=oidc.provider_name())


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if request.method == "POST" and not password_login():
        flash(_("Signing in with a password is turned off here. Use your company account."), "error")
        return login_page(form), 403
    if form.validate_on_submit():
        user = db.session.scalar(db.select(SiteUser).where(SiteUser.email == form.email.data.strip().lower()))
        if verify_password(user, form.password.data):
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next"), landing()))
        flash(_("Wrong e-mail or password. Check them and try again."), "error")
        return login_page(form), 401
    if request.args.get("next") and request.method == "GET" and not current_user.is_authenticated:
        if request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME", "session")):
            flash(_("Please sign in to continue."), "info")
    return login_page(form)


def oidc_failure(failure: oidc.SignInFailed) -> tuple[str, int]:
    """The page for a sign-in through the provider that did not work, worded by its reason."""
    status, message = {
        "provider_error": (403, _("The sign-in service did not sign you in. Try again, or ask your administrator "
                                  "for access to the training.")),
        "unreachable": (502, _("The sign-in service could not be reached. Try again in a few minutes.")),
        "closed": (403, _("This account is closed. Ask HR if you think this is a mistake.")),
        "no_email": (403, _("The sign-in service did not give your e-mail address, and the training needs it. "
                            "Ask your administrator.")),
        "unverified_email": (403, _("An account with the address %(email)s already exists, but the sign-in service "
                                    "has not confirmed that the address is yours. Ask your administrator.",
                                    email=failure.email or "")),
        "linked_elsewhere": (403, _("The address %(email)s belongs to an account that signs in another way. "
                                    "Ask your administrator.", email=failure.email or "")),
    }.get(failure.reason, (400, _("The answer from the sign-in service could not be checked, so it was refused. "
                                  "Start again from the sign-in page.")))
    return render_template("site/oidc_error.html", message=message, code=status), status


def require_oidc() -> None:
    if not oidc.enabled():
        abort(404)


@bp.get("/login/oidc")
def oidc_login() -> ResponseReturnValue:
    """Sign in through the company's OpenID provider: off to its sign-in page."""
    require_oidc()
    session[oidc.NEXT_KEY] = safe_next(request.args.get("next"), "")
    try:
        return oidc.begin(absolute_url("site.oidc_callback"))
    except oidc.SignInFailed as failure:
        return oidc_failure(failure)


@bp.get("/login/oidc/callback")
@limiter.limit(login_limit)
def oidc_callback() -> ResponseReturnValue:
    """The provider sends the person back here with a code: check it all, then sign the account in."""
    require_oidc()
    try:
        claims, id_token = oidc.finish()
        user = oidc.account_for(db.session(), claims)
        db.session.commit()
    except oidc.SignInFailed as failure:
        db.session.rollback()
        return oidc_failure(failure)
    except IntegrityError:  # the same person's two sign-ins at once made the account twice
        db.session.rollback()
        return oidc_failure(oidc.SignInFailed("unchecked"))
    logout_user()
    login_user(user)
    oidc.remember_sign_in(id_token)
    return redirect(safe_next(session.pop(oidc.NEXT_KEY, None), landing()))


@bp.get("/logout/oidc")
def oidc_logged_out() -> ResponseReturnValue:
    """Where the provider sends the browser after single logout."""
    oidc.finish_logout()
    return redirect(url_for("site.login"))


def unusable_invitation() -> tuple[str, int]:
    return render_error(404, _("This invitation link does not work"),
                        _("It was already used, has expired or was replaced by a newer one. "
                          "Ask HR for a new link, or sign in if you already chose a password."))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def invite(token: str) -> ResponseReturnValue:
    """A new employee's invitation link: choose a password, then you are signed in."""
    found = valid_invitation(db.session(), token)  # the scoped session's Session of this context
    if found is None:
        return unusable_invitation()
    invitation, person = found
    account = db.session.scalar(db.select(SiteUser).where(SiteUser.email == person.email))
    # The link sets the password of the account the LMS row mirrors, and only a first one:
    # someone who has a password already changes it another way.
    if account is None or not account.is_active or account.password_hash \
            or person.external_id != identity_of(account).id:
        return unusable_invitation()
    form = InvitationForm()
    if form.validate_on_submit():
        store = state().user_store
        # HR invites only through a store that can (the site's own always can)
        identity = store.set_password(person.email, form.password.data) if can_invite(store) else None
        if identity is None or not accept_invitation(db.session(), invitation):
            db.session.rollback()
            return unusable_invitation()
        db.session.commit()
        logout_user()
        login_user(account)
        flash(_("Your password is set. Welcome!"), "success")
        return redirect(safe_next(request.args.get("next"), landing()))
    response = current_app.make_response(render_template("site/invite.html", form=form, person=person))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


def secret_in_address(response: Response) -> Response:
    """A page whose address holds a secret: never cached, never sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.before_request
def no_passwords_no_reset() -> None:
    """With passwords turned off (``LMS_PASSWORD_LOGIN=false``) there is no password to reset."""
    if request.endpoint in ("site.forgot_password", "site.reset_link_sent", "site.reset_password") \
            and not password_login():
        abort(404)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    """Ask for a reset link. The answer is the same whether or not an account uses the address."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.monotonic()
        request_reset(db.session(), form.email.data)
        db.session.commit()
        time.sleep(max(0.0, ANSWER_FLOOR - (time.monotonic() - started)))  # the same time either way
        return redirect(url_for("site.reset_link_sent"))
    return render_template("site/forgot_password.html", form=form), 422 if request.method == "POST" else 200


@bp.get("/forgot-password/sent")
def reset_link_sent() -> ResponseReturnValue:
    return render_template("site/reset_link_sent.html",
                           minutes=current_app.config["LMS_PASSWORD_RESET_MINUTES"])


def unusable_reset_link() -> Response:
    body = render_template("site/reset_invalid.html", minutes=current_app.config["LMS_PASSWORD_RESET_MINUTES"])
    return secret_in_address(current_app.make_response((body, 404)))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def reset_password(token: str) -> ResponseReturnValue:
    """A link from a password-reset e-mail: choose a new password, then you are signed in."""
    session = db.session()
    account = account_for(session, token)
    if account is None:
        return unusable_reset_link()
    form = ResetPasswordForm()
    if form.validate_on_submit():
        # one use only, even for two clicks at once; setting the password ends every other session
        store = state().user_store
        identity = store.set_password(account.email, form.password.data) \
            if can_invite(store) and use_token(session, account) else None
        if identity is None:
            session.rollback()
            return unusable_reset_link()
        session.commit()
        logout_user()
        login_user(account)
        flash(_("Your new password is set. You are signed in."), "success")
        return redirect(landing())
    status = 422 if request.method == "POST" else 200
    body = render_template("site/reset_password.html", form=form, account=account)
    return secret_in_address(current_app.make_response((body, status)))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out. The account's session token is replaced, so a copy of this session's cookie
    (or a remember cookie) stops working too; the account's other sessions end with it."""
    if LogoutForm().validate_on_submit():
        if current_user.is_authenticated:
            current_user.end_sessions()
            db.session.commit()
        logout_user()
        # signed in through the provider: sign out there too (single logout), then back to the sign-in page
        single_logout = oidc.end_session_redirect(absolute_url("site.oidc_logged_out"))
        if single_logout is not None:
            return single_logout
    return redirect(safe_next(request.args.get("next"), url_for("site.login")))


def register(app: Flask) -> None:
    storage = app.config.get("LMS_RATELIMIT_STORAGE_URI") or app.config.get("LMS_REDIS_URL") or "memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("LMS_RATELIMIT_KEY_PREFIX", "lms"))
    limiter.init_app(app)
    app.register_blueprint(bp)

    @app.context_processor
    def site_context() -> dict[str, Any]:
        context = template_context()
        if current_user.is_authenticated:
            # only its CSRF token is rendered: never bind it to the request's own form (which may be a 413)
            context["lms_logout_form"] = LogoutForm(formdata=None)
            context["lms_logout_url"] = url_for("site.logout")
        return context

    # after_request functions run last-registered first: this one sees the headers security_headers set
    app.after_request(oidc.allow_sign_out_redirect)
    app.after_request(security_headers)

    @app.url_defaults
    def static_fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static":
            add_fingerprint(app.static_folder, values)

    @app.after_request
    def static_cache(response: Response) -> Response:
        if request.endpoint == "static":
            cache_static(response)
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        if exc.code == 429:
            return render_error(429, _("Too many attempts"), _("Please wait a minute and try again."))
        if exc.code == 404:
            return render_error(404, _("Page not found"),
                                _("There is nothing here. Check the address or go back to your training."))
        if exc.code == 400 and "CSRF" in (exc.description or ""):
            return render_error(400, _("The form has expired"),
                                _("For your security the form was refused. Go back, reload the page and try again."))
        return exc
