"""A shop's Flask app with the LMS mounted at /training (README: "Embedding the plugin").

    pip install 'lms-service-training[postgres]'   # [postgres]: psycopg, for a PostgreSQL database
    export SECRET_KEY=...  DATABASE_URL=postgresql+psycopg://shop@127.0.0.1/shop
    flask --app examples/host_app/app.py lms init
    flask --app examples/host_app/app.py lms users create olga@shop.example --name "Olga" --role trainer
    flask --app examples/host_app/app.py run
"""
from __future__ import annotations

import os

from flask import Flask, redirect, render_template, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from lms import LMS, Identity


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
lms = LMS()

#: The shop's jobs and what each may do in the LMS (learner, trainer, hr, admin).
LMS_ROLES = {"sales": {"learner"}, "coach": {"learner", "trainer"}, "people": {"hr"}, "it": {"admin"}}


class Account(UserMixin, db.Model):
    __tablename__ = "shop_accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    job: Mapped[str] = mapped_column(String(20), default="sales")
    password_hash: Mapped[str] = mapped_column(String(200), default="")


def identity_of(account: Account) -> Identity:
    return Identity(id=f"shop:{account.id}", name=account.name, email=account.email,
                    roles=frozenset(LMS_ROLES.get(account.job, {"learner"})))


@lms.identity_loader
def current_identity() -> Identity | None:
    return identity_of(current_user) if current_user.is_authenticated else None


class ShopUserStore:
    """The shop's accounts for the LMS: a trainer adds anyone with an account to a group, even
    before they first open the LMS (``find``); ``flask lms users create`` makes one (``create``)."""

    def find(self, email: str) -> Identity | None:
        account = db.session.scalar(db.select(Account).where(Account.email == email.strip().lower()))
        return identity_of(account) if account else None

    def create(self, email: str, name: str, roles, password: str | None) -> Identity:
        job = next((job for job, granted in LMS_ROLES.items() if granted >= set(roles)), "sales")
        account = Account(email=email.strip().lower(), name=name, job=job,
                          password_hash=generate_password_hash(password) if password else "")
        db.session.add(account)
        db.session.flush()
        return identity_of(account)


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("SECRET_KEY"),  # signs sessions and CSRF tokens: the LMS needs it too
        SQLALCHEMY_DATABASE_URI=os.environ.get("DATABASE_URL", "sqlite:///shop.sqlite"),
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_FORM_MEMORY_SIZE=2_000_000,  # CSRFProtect reads forms first: a field may hold a Markdown file
    )
    app.config.update(test_config or {})
    db.init_app(app)
    CSRFProtect(app)
    login_manager.init_app(app)
    login_manager.login_view = "login"
    lms.init_app(app, url_prefix="/training", user_store=ShopUserStore())
    with app.app_context():
        db.create_all()  # the shop's own tables; `flask lms init` makes the LMS's (lms_*)

    @login_manager.user_loader
    def load_account(account_id: str) -> Account | None:
        return db.session.get(Account, int(account_id))

    @app.route("/login", methods=["GET", "POST"])
    def login():
        if request.method == "POST":
            email = request.form.get("email", "").strip().lower()
            account = db.session.scalar(db.select(Account).where(Account.email == email))
            if account and account.password_hash and check_password_hash(account.password_hash,
                                                                          request.form.get("password", "")):
                login_user(account)
                return redirect(url_for("lms.learn.home"))
        return render_template("login.html")

    @app.get("/")
    def home():
        return redirect(url_for("lms.learn.home"))

    return app
