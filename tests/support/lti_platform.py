"""A real LTI 1.3 platform in the test process, built on the PyPI package ``lti1p3platform``.

It signs launches with its own RSA key (served as a key set), runs the OIDC login's second half
(``/auth``: it checks the tool's answer and builds the signed id token), grants service tokens
(``/token``, checking the tool's signed client assertion against the tool's key set), keeps a
gradebook (Assignment and Grade Services: line items and scores), serves a course's roster (Names
and Role Provisioning Services) and accepts deep linking responses (``/deep-link-return``, checked
against the tool's key set). Its HTTP side is a small Flask app on a free port in a thread.

In the test client the browser's part is played by hand: :meth:`Platform.login_url` is where the
platform sends the browser to start, :meth:`Platform.launch_form` what it posts to the tool once
the tool redirected to ``/auth``. In a real browser ``/course/<hint>`` is a course page that frames
the tool.
"""
from __future__ import annotations

import base64
import json
import threading
import typing as t
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from flask import Flask, Response, abort, jsonify, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request as PlatformRequest
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService, NamesRoleProvisioningService
from werkzeug.serving import make_server

ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
LEARNER, INSTRUCTOR = ROLE + "Learner", ROLE + "Instructor"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"


def _pem_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class _Request(PlatformRequest):
    def build_metadata(self, req: t.Any) -> dict[str, t.Any]:
        return {"method": req.method, "form_data": req.form.to_dict(), "get_data": req.args.to_dict(),
                "headers": req.headers, "content_type": req.content_type, "path": req.path,
                "json": req.get_json(silent=True)}


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: t.Any) -> None:
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: t.Any) -> Registration:
        return self._registration


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: t.Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def get_preflight_response(self) -> dict[str, t.Any]:
        return self._request  # the tool's answer to the login (a dict of its query)

    def render_launch_form(self, launch_data: dict[str, t.Any], **kwargs: t.Any) -> dict[str, t.Any]:
        return launch_data


@dataclass
class LaunchPlan:
    """What the platform will launch for a login hint."""

    user_id: str
    roles: list[str]
    name: str = "Lena Learner"
    email: str = ""
    resource_link_id: str | None = "link-1"
    context_id: str = "course-101"
    context_title: str = "Customer service 101"
    custom: dict[str, str] = field(default_factory=dict)
    target_link_uri: str | None = None
    deep_link: bool = False
    ags: bool = True
    nrps: bool = True
    deployment_id: str | None = None
    expiration: int = 300


class Platform:
    """The platform; ``tool`` is the tool's base URL (``http://localhost/training``)."""

    client_id = "lms-tool-client"
    deployment_id = "deployment-1"

    def __init__(self, tool: str, host: str = "127.0.0.1"):
        self.tool = tool.rstrip("/")
        self.private_key, self.public_key = _pem_pair()
        self.tool_key_set: dict[str, t.Any] | None = None
        self.plans: dict[str, LaunchPlan] = {}
        self.line_items: dict[str, dict[str, t.Any]] = {}
        self.scores: list[tuple[str, dict[str, t.Any]]] = []
        self.members: list[dict[str, t.Any]] = []
        self.deep_linked: list[dict[str, t.Any]] = []
        self.tokens_issued = 0
        self._server = make_server(host, 0, self._app(), threaded=True)
        self.url = f"http://{'localhost' if host == '127.0.0.1' else host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> Platform:
        self._thread.start()
        return self

    def __exit__(self, *exc: t.Any) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    @property
    def issuer(self) -> str:
        return self.url

    def registration_values(self) -> dict[str, t.Any]:
        """What an administrator types into the tool to register this platform."""
        return {"name": "Test platform", "issuer": self.issuer, "client_id": self.client_id,
                "deployment_ids": self.deployment_id, "auth_login_url": f"{self.url}/auth",
                "auth_token_url": f"{self.url}/token", "key_set_url": f"{self.url}/jwks"}

    def registration(self, deployment_id: str | None = None, private_key: str | None = None) -> Registration:
        registration = (Registration().set_iss(self.issuer).set_client_id(self.client_id)
                        .set_deployment_id(deployment_id or self.deployment_id)
                        .set_oidc_login_url(f"{self.tool}/lti/login").set_launch_url(f"{self.tool}/lti/launch")
                        .set_deeplink_launch_url(f"{self.tool}/lti/launch")
                        .set_platform_public_key(self.public_key)
                        .set_platform_private_key(private_key or self.private_key))
        registration.set_tool_key_set_url(f"{self.tool}/lti/jwks.json")
        if self.tool_key_set:
            registration.set_tool_key_set(self.tool_key_set)  # type: ignore[arg-type]
        return registration

    def conf(self, **kwargs: t.Any) -> _Conf:
        return _Conf(registration=self.registration(**kwargs))

    # -- the launch, step by step --------------------------------------------------------------
    def login_url(self, hint: str, plan: LaunchPlan) -> str:
        """Where the platform sends the browser first: the tool's login initiation."""
        self.plans[hint] = plan
        login = _Login(None, self.conf(deployment_id=plan.deployment_id))
        login.set_lti_message_hint(hint=hint)
        if plan.target_link_uri:
            login.set_launch_url(plan.target_link_uri)
        return login.initiate_login(plan.user_id)

    def launch_form(self, auth_request_url: str, private_key: str | None = None) -> dict[str, t.Any]:
        """The tool redirected the browser to ``/auth``: the form the platform posts back
        (``id_token``, ``state`` and ``launch_url``)."""
        params = dict(parse_qsl(urlsplit(auth_request_url).query))
        plan = self.plans[params["lti_message_hint"]]
        conf = self.conf(deployment_id=plan.deployment_id, private_key=private_key)
        message = _Launch(params, conf)  # type: ignore[arg-type]
        message.set_user_data(plan.user_id, plan.roles, full_name=plan.name, email_address=plan.email or None)
        message.set_launch_context_claim(plan.context_id, context_title=plan.context_title)
        if plan.custom:
            message.set_custom_parameters_claim(plan.custom)
        if plan.target_link_uri:
            message.set_launch_url(plan.target_link_uri)
        if plan.deep_link:
            message.set_dl(f"{self.url}/deep-link-return", title="Add a resource")
        else:
            message.set_resource_link_claim(plan.resource_link_id or "link-1", title="Customer service module")
        if plan.ags and not plan.deep_link:
            message.set_ags(f"{self.url}/ags/{plan.context_id}/lineitems")
        if plan.nrps:
            message.set_nrps(f"{self.url}/nrps/{plan.context_id}/memberships")
        message.set_id_token_expiration(plan.expiration)
        return message.lti_launch()

    # -- the platform's HTTP side ----------------------------------------------------------------
    def _app(self) -> Flask:
        app = Flask("lti_test_platform")
        platform = self

        class Grades(AssignmentsGradesService):
            def find_lineitems(self, page: int = 1, limit: int | None = None, **filters: t.Any) -> dict[str, t.Any]:
                items = [i for i in platform.line_items.values()
                         if all(i.get(_key(k)) == v for k, v in filters.items() if v)]
                return {"content": items, "has_next": False, "next": None}

            def find_lineitem(self, line_item_id: str) -> dict[str, t.Any]:
                return platform.line_items[line_item_id]

            def create_lineitem(self, creation_data: dict[str, t.Any]) -> dict[str, t.Any]:
                number = str(len(platform.line_items) + 1)
                item = {**creation_data, "id": f"{self.ags.lineitems_url}/{number}"}
                platform.line_items[number] = item
                return item

            def update_lineitem(self, update_data: dict[str, t.Any]) -> dict[str, t.Any]:
                raise NotImplementedError

            def delete_lineitem(self, line_item_id: str) -> None:
                raise NotImplementedError

            def update_score(self, line_item_id: str, score: dict[str, t.Any]) -> UpdateScoreStatus:
                platform.scores.append((line_item_id, score))
                return UpdateScoreStatus.SUCCESS

            def get_results(self, line_item_id: str, page: int = 1, limit: int | None = None,
                            user_id: str | None = None) -> dict[str, t.Any]:
                return {"content": [], "has_next": False, "next": None}

        class Roster(NamesRoleProvisioningService):
            def get_member_data_page(self, page: int = 1, limit: int | None = None, role: str | None = None,
                                     since: str | None = None) -> dict[str, t.Any]:
                return {"content": list(platform.members), "has_next": False, "next": None}

            def get_context_by_id(self) -> Context:
                return Context(id="course-101", label="CS101", title="Customer service 101")

        def _key(name: str) -> str:
            return {"resource_link_id": "resourceLinkId", "resource_id": "resourceId"}.get(name, name)

        def reply(result: t.Any) -> Response:
            response = jsonify(result.result) if result.result is not None else Response(status=result.code)
            response.status_code = result.code
            return response

        @app.get("/jwks")
        def jwks() -> Response:
            return jsonify({"keys": platform.registration().get_jwks()})

        @app.post("/token")
        def token() -> Response:
            platform.tokens_issued += 1
            return jsonify(platform.conf().get_access_token(request.form.to_dict()))

        @app.route("/ags/<context>/lineitems", methods=["GET", "POST"])
        def lineitems(context: str) -> Response:
            service = Grades(_Request(request), platform.conf(), f"{platform.url}/ags/{context}/lineitems")
            handler = service.handle_get_lineitems if request.method == "GET" else service.handle_create_lineitem
            result = service.handle_resp(handler)
            if request.method == "GET" and result.code == 200:
                return jsonify(result.result["content"])
            return reply(result)

        @app.post("/ags/<context>/lineitems/<number>/scores")
        def scores(context: str, number: str) -> Response:
            service = Grades(_Request(request), platform.conf(), f"{platform.url}/ags/{context}/lineitems")
            return reply(service.handle_resp(service.handle_update_score, line_item_id=number))

        @app.get("/nrps/<context>/memberships")
        def memberships(context: str) -> Response:
            service = Roster(_Request(request), platform.conf(), f"{platform.url}/nrps/{context}/memberships")
            return reply(service.handle_resp(service.handle_get_members))

        @app.post("/deep-link-return")
        def deep_link_return() -> Response:
            items = platform.conf().validate_deeplinking_resp({"JWT": request.form["JWT"]})
            platform.deep_linked.extend(items)
            return Response("<!doctype html><title>Placed</title><h1 id='placed'>Placed: "
                            + ", ".join(str(i.get("title")) for i in items) + "</h1>")

        # -- pages of a browser --------------------------------------------------------------
        @app.get("/course/<hint>")
        def course_page(hint: str) -> Response:
            if hint not in platform.plans:
                abort(404)
            return Response(f"<!doctype html><title>Platform course</title><h1>Platform course</h1>"
                            f"<iframe id='tool' title='tool' src='/start/{hint}' "
                            f"style='width:100%;height:700px'></iframe>")

        @app.get("/start/<hint>")
        def start(hint: str) -> Response:
            response = Response(status=302)
            response.headers["Location"] = platform.login_url(hint, platform.plans[hint])
            return response

        @app.get("/auth")
        def auth() -> Response:
            form = platform.launch_form(request.url)
            fields = "".join(f"<input type='hidden' name='{name}' value='{form[name]}'>"
                             for name in ("id_token", "state"))
            return Response(f"<!doctype html><title>Launching</title><form id='f' method='post' "
                            f"action='{form['launch_url']}'>{fields}</form>"
                            "<script>document.getElementById('f').submit()</script>")

        return app


def tampered(id_token: str, **changes: t.Any) -> str:
    """``id_token`` with claims changed and the old signature kept: a forged launch."""
    header, body, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims.update(changes)
    new_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{new_body}.{signature}"
